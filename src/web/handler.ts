import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError, ValidationError, forbidden, notFound } from '../core/errors.js';
import type { MemberRow } from '../community/member.table.js';
import { type Role, atLeast } from '../community/roles.js';
import { RateLimited } from './rate-limit.js';
import type { Render } from './render.js';

/** Express 4 does not catch rejected promises: route every async handler through here. */
export const wrap =
  (fn: (req: Request, res: Response, next: NextFunction) => Promise<unknown>): RequestHandler =>
  (req, res, next) => {
    fn(req, res, next).catch(next);
  };

/** The signed-in member, or a redirect to the log-in page that comes back here afterwards. */
export function requireMember(req: Request, res: Response): MemberRow | undefined {
  if (req.member) return req.member;
  if (req.method === 'GET') res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
  else throw new DomainError('login_required', 401, 'Log in first.');
  return undefined;
}

export function requireRole(req: Request, role: Role): MemberRow {
  const member = req.member;
  if (!member) throw new DomainError('login_required', 401, 'Log in first.');
  if (!atLeast(member.role, role)) throw forbidden();
  return member;
}

/** Reads a form field as a string: arrays and objects (from crafted forms) count as empty. */
export const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : '';
};

/** The form field that carries a submission's one-time key (`form.once()` in partials/form.njk). */
export const ONCE_FIELD = '_once';

/**
 * The one-time key a form was rendered with (128 random bits, base64url), or null when the
 * submission carries none or a malformed one. Services store it with what the submission
 * wrote, so the same form sent twice acts once (see `submissionSource` in the ledger).
 */
export const submissionKey = (body: unknown): string | null => {
  const v = field(body, ONCE_FIELD);
  return /^[A-Za-z0-9_-]{16,64}$/.test(v) ? v : null;
};

/** A numeric id from the path (`:id`), or 404 naming what was not found. */
export const idParam = (req: Request, what = 'That page'): number => {
  const raw = req.params.id ?? '';
  if (!/^\d{1,15}$/.test(raw)) throw notFound(what);
  return Number(raw);
};

/** Keyset cursor from the query string, or undefined when absent or not a positive integer. */
export const cursor = (value: unknown): number | undefined => {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
};

/**
 * Re-renders a form with what the user typed and each error beside its field. A domain
 * error that belongs to no field (a taken handle, a rate limit) is shown above the form.
 */
export function renderFormError(render: Render, req: Request, res: Response, template: string, err: unknown, data: Record<string, unknown> = {}): boolean {
  if (!(err instanceof DomainError) || err.code === 'csrf') return false;
  const errors = err instanceof ValidationError ? err.fields : { _form: err.message };
  if (err instanceof RateLimited) res.set('Retry-After', String(err.retryAfterSeconds));
  const values = { ...(req.body as Record<string, unknown>) };
  for (const secret of ['password', 'current', 'confirm', '_csrf']) delete values[secret];
  render(req, res, template, { ...data, values, errors }, err.status);
  return true;
}

/** One thing a person can do next; `command` is shown as code to run on the server. */
export interface NextStep {
  text: string;
  href?: string;
  command?: string;
}

/**
 * Answers a link that worked once and no longer does (used, expired, withdrawn): 410 Gone,
 * with a page (views/link-gone.njk) that says which at once, when the link is opened, and
 * what to do next, instead of a bare "Not found" or a form that can only fail on submit.
 * Every link that can expire answers through here.
 */
export function renderLinkGone(render: Render, req: Request, res: Response, page: { title: string; reason: string; steps: NextStep[] }): void {
  render(req, res, 'link-gone.njk', page, 410);
}

/** Only same-site paths may be a redirect target after log-in. */
export const safeNext = (next: unknown): string =>
  typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
