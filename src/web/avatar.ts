import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../core/errors.js';

/** Image types we accept, recognised by their first bytes (never by the name or the browser's claim). */
const SIGNATURES: { ext: string; test: (b: Buffer) => boolean }[] = [
  { ext: 'png', test: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { ext: 'jpg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { ext: 'gif', test: (b) => ['GIF87a', 'GIF89a'].includes(b.subarray(0, 6).toString('latin1')) },
  { ext: 'webp', test: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];

export const imageExtension = (bytes: Buffer): string | undefined => SIGNATURES.find((s) => s.test(bytes))?.ext;

/**
 * The image's file extension, or a field error: SVG and anything else that is not a plain
 * image is refused, and so is one over `maxKb` (limits.avatar_max_kb), beside its field, so
 * the rest of the form comes back as typed (multer's own ceiling is far above it).
 */
export function checkImage(bytes: Buffer, field = 'avatar', maxKb = Infinity): string {
  if (bytes.length > maxKb * 1024) throw new ValidationError({ [field]: `That image is too large: the limit is ${maxKb.toLocaleString('en')} KB.` });
  const ext = imageExtension(bytes);
  if (!ext) throw new ValidationError({ [field]: `The ${field} must be a PNG, JPEG, GIF or WebP image.` });
  return ext;
}

/** Uploaded images and the folder under uploads/ each lives in. */
export type ImageKind = 'avatars' | 'headers' | 'rewards';

/** Stores an uploaded image under a random name. */
export async function storeImage(uploadsDir: string, kind: ImageKind, bytes: Buffer, field = 'avatar'): Promise<string> {
  const ext = checkImage(bytes, field);
  const name = `${randomBytes(12).toString('base64url')}.${ext}`;
  await writeFile(path.join(uploadsDir, kind, name), bytes, { flag: 'wx' });
  return name;
}

export async function deleteImage(uploadsDir: string, kind: ImageKind, name: string | null): Promise<void> {
  if (!name || name.includes('/') || name.includes('\\')) return;
  await unlink(path.join(uploadsDir, kind, name)).catch(() => undefined);
}
