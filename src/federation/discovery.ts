import { markdownToPlainText } from '../community/markdown.js';
import { type Request, type Response, Router } from 'express';
import type { Config } from '../config.js';
import type { Db } from '../db/schema.js';
import type { ActorDirectory } from './actors.js';

const VERSION = '0.1.0';

/**
 * How other servers find us: WebFinger (acct:name@host for every actor, with CORS, as
 * browsers' remote-follow pages need), host-meta, and NodeInfo 2.0/2.1 with real usage.
 */
export function discoveryRoutes(actors: ActorDirectory, db: Db, config: Config): Router {
  const router = Router();
  const host = new URL(config.server.url).host;
  const base = actors.baseUrl;

  router.get('/.well-known/webfinger', async (req: Request, res: Response, next) => {
    try {
      res.set('Access-Control-Allow-Origin', '*');
      const resource = String(req.query.resource ?? '');
      let name: string | null = null;
      const acct = /^acct:@?([^@]+)@(.+)$/i.exec(resource);
      if (acct) {
        if (acct[2]!.toLowerCase() !== host.toLowerCase()) return res.status(404).json({ error: 'That account is not on this server.' });
        name = acct[1]!;
      } else if (resource.toLowerCase().startsWith(`${base}/@`.toLowerCase())) {
        name = resource.slice(base.length + 2);
      } else {
        return res.status(400).json({ error: 'resource must be acct:name@domain or an actor URL of this server' });
      }
      const local = /^[a-z0-9_-]{1,40}$/i.test(name) ? await actors.find(name) : null;
      if (!local) return res.status(404).json({ error: 'No such account here.' });
      const iri = actors.iri(local.name);
      const page = local.kind === 'member' ? iri : local.community ? `${base}/` : `${base}/s/${local.space.slug}`;
      res.type('application/jrd+json').json({
        subject: `acct:${local.name}@${host}`,
        aliases: [iri],
        links: [
          { rel: 'self', type: 'application/activity+json', href: iri },
          { rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: page },
        ],
      });
    } catch (err) {
      next(err);
    }
  });

  router.get('/.well-known/host-meta', (_req, res) => {
    res.set('Access-Control-Allow-Origin', '*').type('application/xrd+xml').send(
      `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n` +
        `  <Link rel="lrdd" template="${base}/.well-known/webfinger?resource={uri}"/>\n</XRD>\n`,
    );
  });

  router.get('/.well-known/nodeinfo', (_req, res) => {
    res.set('Access-Control-Allow-Origin', '*').json({
      links: [
        { rel: 'http://nodeinfo.diaspora.software/ns/schema/2.1', href: `${base}/nodeinfo/2.1` },
        { rel: 'http://nodeinfo.diaspora.software/ns/schema/2.0', href: `${base}/nodeinfo/2.0` },
      ],
    });
  });

  let cached: { at: number; usage: Usage } | undefined;
  router.get('/nodeinfo/:version(2.0|2.1)', async (req, res, next) => {
    try {
      if (!cached || Date.now() - cached.at > 60_000) cached = { at: Date.now(), usage: await usage(db) };
      const version = req.params.version as '2.0' | '2.1';
      const software: Record<string, string> = { name: 'hearth', version: VERSION };
      res
        .set('Access-Control-Allow-Origin', '*')
        .type(`application/json; profile="http://nodeinfo.diaspora.software/ns/schema/${version}#"`)
        .send(
          JSON.stringify({
            version,
            software,
            protocols: ['activitypub'],
            services: { inbound: [], outbound: [] },
            openRegistrations: config.membership.mode === 'open',
            usage: cached.usage,
            metadata: { nodeName: config.community.name, nodeDescription: markdownToPlainText(config.community.description) },
          }),
        );
    } catch (err) {
      next(err);
    }
  });
  return router;
}

interface Usage {
  users: { total: number; activeMonth: number; activeHalfyear: number };
  localPosts: number;
}

/**
 * Members are active in a period when they posted, reacted or signed in during it (by UTC
 * day). Every figure is kept by the database (migration 0032), so this reads an index range
 * and a counter, whatever the size of the community.
 */
async function usage(db: Db): Promise<Usage> {
  const since = (days: number) => new Date(Date.now() - days * 86400_000).toISOString().slice(0, 10);
  const local = db.selectFrom('members').select((eb) => eb.fn.countAll<number>().as('n')).where('domain', 'is', null).where('status', '=', 'active');
  const active = async (days: number) => Number((await local.where('last_active_day', '>=', since(days)).executeTakeFirstOrThrow()).n);
  const total = await local.executeTakeFirstOrThrow();
  const posts = await db.selectFrom('community_counts').select('n').where('key', '=', 'local_posts').executeTakeFirst();
  return { users: { total: Number(total.n), activeMonth: await active(30), activeHalfyear: await active(180) }, localPosts: posts?.n ?? 0 };
}

export { VERSION as HEARTH_VERSION };
