import type { RequestHandler, Response } from 'express';
import { SignatureError, inspectSignature } from './http-signatures.js';

/**
 * What an inbox POST must pass before we spend anything on it. Anyone can POST to an
 * inbox, so the order is: what the headers alone decide (content type, a signature that
 * could be verified: present, readable, covering what it must, fresh; a declared length
 * within bounds), then the body, read with a bound, then a bounded parse. Only after all
 * of that may a key be looked up (and perhaps fetched) to verify the signature.
 *
 * A refusal before the body is read closes the connection, so the unread body is never
 * drained either.
 */

const JSON_TYPES = ['application/activity+json', 'application/ld+json', 'application/json'];

/** JSON-LD activities are shallow (Mastodon, Lemmy, Misskey and Mobilizon stay under 6). */
export const MAX_ACTIVITY_DEPTH = 32;

export interface InboxAdmissionOptions {
  /** The largest body accepted, in bytes (`federation.max_activity_kb`). */
  maxBytes: number;
  /** The scheme senders reach us with (from `server.url`), for RFC 9421's @target-uri. */
  scheme: 'http' | 'https';
}

function refuse(res: Response, status: number, error: string): void {
  res.set('Connection', 'close').status(status).json({ error });
}

export interface InboxAdmission {
  /**
   * The two middlewares that run before an inbox handler: the header checks, then the
   * bounded body read (413 over the bound, also for a body sent without a length, as
   * soon as it passes the bound; 415 for a compressed one). The handler then finds the
   * raw body as a Buffer in `req.body`.
   */
  handlers: RequestHandler[];
  scheme: InboxAdmissionOptions['scheme'];
}

/** The admission of inbox POSTs (see the module comment). */
export function inboxAdmission(options: InboxAdmissionOptions): InboxAdmission {
  const tooLarge = `An activity may not exceed ${Math.floor(options.maxBytes / 1024)} KB.`;
  const beforeBody: RequestHandler = async (req, res, next) => {
    if (!req.is(JSON_TYPES)) return refuse(res, 415, 'Send application/activity+json.');
    try {
      await inspectSignature({ method: req.method, path: req.originalUrl, headers: req.headers, scheme: options.scheme }, { hasBody: true });
    } catch (err) {
      if (err instanceof SignatureError) return refuse(res, 401, `Signature not accepted: ${err.message}`);
      return next(err);
    }
    if (Number(req.headers['content-length'] ?? 0) > options.maxBytes) return refuse(res, 413, tooLarge);
    next();
  };
  // Not express.raw: over its limit, body-parser reads the rest of the body before it
  // answers, so a sender streaming without a length could keep us reading indefinitely.
  const readBody: RequestHandler = (req, res, next) => {
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding !== 'identity') return refuse(res, 415, 'Send the activity without a content encoding.');
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size <= options.maxBytes) return void chunks.push(chunk);
      settled = true;
      req.pause();
      refuse(res, 413, tooLarge);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      req.body = Buffer.concat(chunks, size);
      next();
    });
  };
  return { handlers: [beforeBody, readBody], scheme: options.scheme };
}

/** Whether JSON text nests arrays and objects deeper than `max`: one pass over the bytes, strings skipped. */
export function nestsDeeperThan(raw: Buffer, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * The activity in an inbox body, or a reason to answer 400: JSON, an object, nested at
 * most MAX_ACTIVITY_DEPTH deep (checked on the bytes before JSON.parse, so a body of
 * brackets costs one scan).
 */
export function parseActivity(raw: Buffer): { activity: Record<string, unknown> } | { error: string } {
  if (nestsDeeperThan(raw, MAX_ACTIVITY_DEPTH)) return { error: `The body nests deeper than ${MAX_ACTIVITY_DEPTH} levels.` };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return { error: 'The body is not JSON.' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { error: 'The body is not an activity.' };
  return { activity: json as Record<string, unknown> };
}

const idOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined);

/** The actor of a self-`Delete` (an account announcing its own deletion), else null. */
export function selfDeleteOf(activity: Record<string, unknown>): string | null {
  if (activity.type !== 'Delete') return null;
  const actor = idOf(activity.actor);
  return actor !== undefined && actor === idOf(activity.object) ? actor : null;
}
