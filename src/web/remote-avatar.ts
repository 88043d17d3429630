import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { logger } from '../core/logger.js';
import type { WebContext } from './context.js';
import { imageExtension } from './avatar.js';
import { wrap } from './handler.js';

const TYPES: Record<string, string> = { png: 'image/png', jpg: 'image/jpeg', gif: 'image/gif', webp: 'image/webp' };
const MAX_BYTES = 1024 * 1024;
const FRESH_MS = 24 * 3600_000;

/**
 * Avatars of people from other servers, served from here: readers' browsers never call
 * a third-party server (our pages allow images from 'self' only), and the image is
 * fetched once a day through the SafeFetcher, size-bounded and checked by its bytes.
 * Anything that fails shows the default avatar.
 */
export function remoteAvatarRoutes(ctx: WebContext): Router {
  const router = Router();
  const dir = path.join(ctx.uploadsDir, 'remote-avatars');
  const fallback = '/static/avatar.svg';

  router.get(
    '/media/avatars/:handle',
    wrap(async (req, res) => {
      const member = await ctx.services.members.findByHandle(String(req.params.handle));
      const fed = ctx.federation;
      if (!fed || !member?.domain || !member.avatar_url) return res.redirect(302, fallback);
      const key = createHash('sha256').update(member.avatar_url).digest('hex').slice(0, 32);
      const file = path.join(dir, key);
      let bytes: Buffer | null = null;
      const cached = await stat(file).catch(() => null);
      if (cached && Date.now() - cached.mtimeMs < FRESH_MS) bytes = await readFile(file);
      if (!bytes) {
        try {
          const response = await fed.fetcher.fetch(member.avatar_url, { headers: { accept: 'image/*' } });
          if (response.status === 200 && response.body.length <= MAX_BYTES && imageExtension(response.body)) {
            bytes = response.body;
            await mkdir(dir, { recursive: true });
            await writeFile(file, bytes);
          }
        } catch (err) {
          logger.debug(`avatar of ${member.handle} unavailable: ${err instanceof Error ? err.message : err}`);
        }
      }
      const ext = bytes ? imageExtension(bytes) : undefined;
      if (!bytes || !ext) return res.redirect(302, fallback);
      res.set({ 'Content-Type': TYPES[ext]!, 'Cache-Control': 'public, max-age=86400', 'Content-Security-Policy': "default-src 'none'" }).send(bytes);
    }),
  );
  return router;
}
