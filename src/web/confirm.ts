import type { Request, Response } from 'express';
import { ONCE_FIELD, field, submissionKey } from './handler.js';
import type { Render } from './render.js';

/**
 * A sentence whose amounts of currency stay numbers until the page formats them with the
 * one `currency` filter, and whose interpolated values (titles, names: user text) stay
 * apart so the page isolates them (`<bdi>`, issue 13 fault 4): our words as strings,
 * `{ amount }` and `{ value }` pieces, in order.
 */
export type Said = (string | { amount: number } | { value: string })[];

/** An amount of the community's currency inside a `say` sentence. */
export const amount = (n: number): { amount: number } => ({ amount: n });

/** say`Redeem “${title}” for ${amount(10)}?` → a `Said` sentence (text escaped when shown). */
export function say(strings: TemplateStringsArray, ...values: (string | number | { amount: number })[]): Said {
  const out: Said = [];
  strings.forEach((s, i) => {
    if (s) out.push(s);
    if (i < values.length) {
      const v = values[i]!;
      out.push(typeof v === 'object' ? v : { value: String(v) });
    }
  });
  return out;
}

/** What the confirmation step says: the question, what follows from it, and the two ways out. */
export interface Confirmation {
  /** "Redeem “Free flat white” for 10 cups of coffee?" */
  question: Said;
  /** What will happen, in a sentence or two: "You will have 32 cups of coffee left." */
  consequence: Said;
  /** The confirm button's words: "Redeem", "Give", "Revoke". */
  confirmLabel: string;
  /** Where "Go back" leads (a same-site path); it acts on nothing. */
  cancelHref: string;
}

/** The hidden field that says a person saw the confirmation step and confirmed. */
export const CONFIRM_FIELD = 'confirm';

/**
 * The confirmation step of every action that spends, uses up or cannot be undone. A POST
 * without `confirm=1` acts on nothing: it renders views/partials/confirm.njk, which says
 * what will happen and posts the same fields back to the same URL with `confirm=1` (and the
 * same one-time key, so a double click on Confirm still acts once), or "Go back" (a link; not "Cancel", which would read as "cancel the event" beside an event's cancel step).
 * Plain HTML forms, so it works without JavaScript. Answers true when it rendered the step
 * (the caller stops there), false when the submission was confirmed.
 */
export function confirmFirst(render: Render, req: Request, res: Response, c: Confirmation): boolean {
  if (field(req.body, CONFIRM_FIELD) === '1') return false;
  const body = (req.body ?? {}) as Record<string, unknown>;
  const fields: [string, string][] = [];
  for (const [name, value] of Object.entries(body)) {
    if (name === '_csrf' || name === CONFIRM_FIELD || name === ONCE_FIELD || typeof value !== 'string') continue;
    fields.push([name, value]);
  }
  render(req, res, 'partials/confirm.njk', { confirmation: c, action: req.originalUrl, fields, values: { [ONCE_FIELD]: submissionKey(body) ?? '' } });
  return true;
}
