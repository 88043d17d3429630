import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import multer from 'multer';
import { DomainError } from '../core/errors.js';
import { logger } from '../core/logger.js';
import { prefersActivityJson } from '../federation/negotiation.js';
import { RateLimited } from './rate-limit.js';
import type { Render } from './render.js';

/** API paths, and clients that prefer JSON (plain or ActivityStreams) to a page, get the error as JSON. */
const wantsJson = (req: Request): boolean => req.path.startsWith('/api/') || prefersActivityJson(req.headers.accept);

/** A body over the parsers' limit was never read, so the form cannot be drawn again here; the browser still has it. */
const tooLarge = (maxBodyKb: number) => ({
  status: 413,
  code: 'too_large',
  message: `That was too much to send at once: the limit is ${maxBodyKb.toLocaleString('en')} KB. Nothing was saved, and your text is still in the form: go back in your browser, shorten it and send it again.`,
});

/** Maps a thrown error to a status and a message safe to show; unknown errors become a logged 500. */
function classify(err: unknown, maxBodyKb: number, avatarMaxKb: number): { status: number; code: string; message: string } {
  if (err instanceof DomainError) return { status: err.status, code: err.code, message: err.message };
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FIELD_VALUE') return tooLarge(maxBodyKb);
    if (err.code === 'LIMIT_FILE_SIZE') return { status: 413, code: 'too_large', message: `That image is too large: the limit is ${avatarMaxKb} KB.` };
    return { status: 400, code: 'bad_upload', message: 'That upload was not understood: send one image in the avatar field.' };
  }
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.too.large') return tooLarge(maxBodyKb);
  if (e?.type === 'entity.parse.failed' || e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return { status: 400, code: 'bad_request', message: 'The request could not be read.' };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return { status: e.status, code: 'bad_request', message: 'The request could not be handled.' };
  return { status: 500, code: 'internal', message: 'Something went wrong on our side. It has been logged; please try again.' };
}

export function errorHandler(render: Render, limits: { maxBodyKb: number; avatarMaxKb: number }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, code, message } = classify(err, limits.maxBodyKb, limits.avatarMaxKb);
    if (status >= 500) logger.error(`${req.method} ${req.path} failed`, err);
    if (err instanceof RateLimited) res.set('Retry-After', String(err.retryAfterSeconds));
    if (res.headersSent) return;
    if (wantsJson(req)) {
      res.status(status).json({ error: code, message });
      return;
    }
    try {
      render(req, res, 'error.njk', { status, message, title: titles[status] ?? 'Error' }, status);
    } catch (renderErr) {
      logger.error('error page failed to render', renderErr);
      res.status(status).type('text').send(message);
    }
  };
}

const titles: Record<number, string> = {
  400: 'Bad request', 401: 'Please log in', 403: 'Not allowed', 404: 'Not found', 409: 'Conflict',
  413: 'Too large', 422: 'Check your input', 429: 'Slow down', 500: 'Server error',
};

export const notFoundHandler: RequestHandler = (_req, _res, next) => next(new DomainError('not_found', 404, 'There is nothing at this address.'));
