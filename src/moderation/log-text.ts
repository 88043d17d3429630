import { formatHandle } from '../community/handle.js';
import { formatNumber, isolateText } from '../core/format.js';

/**
 * The words for what staff did. The moderation log keeps each action as a code
 * (`post.remove`, `economy.grant`, …) with its parameters (member, post, reason, details);
 * this catalogue is the ONE place that turns a code and its parameters into a sentence in
 * the community's words: for the log page (third person, "@mo removed @ana's post …") and
 * for the member it was done to (second person, "A moderator removed your post …").
 * Pure functions: no database, no templates.
 */

/** One log entry with the names it points at (as `ModerationService.readLog` returns it). */
export interface LogEntryFacts {
  action: string;
  reason: string;
  /** Action-specific data: the amount for economy.*, "from → to" for role.change, "space N" for experts, the amount taken back for post.remove, the product for review.remove. */
  details: string;
  actor_handle: string | null;
  actor_domain: string | null;
  target_handle: string | null;
  target_domain: string | null;
  target_post_id: number | null;
  /** The post's title, or the title of the thread it is in, or a short excerpt of its text. */
  post_title: string | null;
  /** The space an expert was appointed in. */
  space_name?: string | null;
}

/** How the community's currency is named: `name` for one, `plural` for any other amount. */
export interface CurrencyWords {
  name: string;
  plural: string;
}

/** A notice for the member an action was done to: the sentence and where it leads (or null). */
export interface ModerationNotice {
  text: string;
  link: string | null;
}

/** "5 cups of coffee", "1 cup of coffee". */
export function amountText(n: number, currency: CurrencyWords): string {
  return `${formatNumber(n)} ${Math.abs(n) === 1 ? currency.name : currency.plural}`;
}

const ROLE_WORDS: Record<string, string> = { owner: 'the owner', admin: 'an admin', moderator: 'a moderator', member: 'a member' };

/** "an admin", "a moderator": a role in words (roles are codes in the data). */
export function roleWords(role: string): string {
  return ROLE_WORDS[role] ?? 'a member';
}

// User text inside our sentences is isolated (isolateText), so its direction cannot reorder them.
const quote = (s: string | null): string => `“${isolateText(s)}”`;
// ": off-topic." — the reason ends the sentence (with its own stop if it has one).
const because = (reason: string): string => (reason ? `: ${isolateText(reason)}${/[.!?…]$/u.test(reason) ? '' : '.'}` : '.');
const amountOf = (e: LogEntryFacts): number => {
  const n = Number.parseInt(e.details, 10);
  return Number.isFinite(n) ? n : 0;
};
const roles = (e: LogEntryFacts): [string, string] => {
  const [from = '', to = ''] = e.details.split('→').map((s) => s.trim());
  return [from, to];
};
const spaceOf = (e: LogEntryFacts): string => (e.space_name ? quote(e.space_name) : 'a space');
const who = (handle: string | null, domain: string | null, fallback: string): string => (handle ? formatHandle({ handle, domain }) : fallback);

/** Third person, for the log: receives the actor's and the target's names. */
type LogLine = (e: LogEntryFacts, actor: string, target: string, c: CurrencyWords) => string;
/** Second person, for the target; null when the member is not told. */
type Notice = (e: LogEntryFacts, c: CurrencyWords) => ModerationNotice | null;

interface Entry {
  log: LogLine;
  notice: Notice;
}

const postLink = (e: LogEntryFacts): string | null => (e.target_post_id ? `/p/${e.target_post_id}` : null);

const CATALOGUE: Record<string, Entry> = {
  'post.remove': {
    log: (e, a, t, c) => `${a} removed ${t}’s post ${quote(e.post_title)}${because(e.reason)}${amountOf(e) > 0 ? ` ${amountText(amountOf(e), c)} it had earned ${amountOf(e) === 1 ? 'was' : 'were'} taken back.` : ''}`,
    notice: (e, c) => ({
      text: `A moderator removed your post ${quote(e.post_title)}${because(e.reason)}${amountOf(e) > 0 ? ` The ${amountText(amountOf(e), c)} it earned ${amountOf(e) === 1 ? 'was' : 'were'} taken back.` : ''}`,
      link: postLink(e),
    }),
  },
  'review.remove': {
    log: (e, a, t) => `${a} removed ${t}’s review of ${quote(e.details)}${because(e.reason)}`,
    notice: (e) => ({ text: `A moderator removed your review of ${quote(e.details)}${because(e.reason)}`, link: null }),
  },
  'member.suspend': {
    log: (e, a, t) => `${a} suspended ${t}${because(e.reason)}`,
    notice: (e) => ({ text: `A moderator suspended your account${because(e.reason)}`, link: null }),
  },
  'member.unsuspend': {
    log: (_e, a, t) => `${a} lifted ${t}’s suspension.`,
    notice: () => ({ text: 'A moderator lifted your suspension: welcome back.', link: null }),
  },
  'member.approve': {
    log: (_e, a, t) => `${a} let ${t} in.`,
    notice: () => ({ text: 'An admin approved your membership: welcome!', link: '/' }),
  },
  'member.reject': {
    log: (e, a, t) => `${a} declined ${t}’s request to join${because(e.reason)}`,
    notice: (e) => ({ text: `An admin declined your request to join${because(e.reason)}`, link: null }),
  },
  'role.change': {
    log: (_e, a, t) => `${a} made ${t} ${roleWords(roles(_e)[1])} (was ${roleWords(roles(_e)[0])}).`,
    notice: (e) => ({ text: `An admin made you ${roleWords(roles(e)[1])} (you were ${roleWords(roles(e)[0])}).`, link: null }),
  },
  'economy.grant': {
    log: (e, a, t, c) => `${a} gave ${t} ${amountText(amountOf(e), c)}${because(e.reason)}`,
    notice: (e, c) => ({ text: `An admin gave you ${amountText(amountOf(e), c)}${because(e.reason)}`, link: '/wallet' }),
  },
  'economy.deduct': {
    log: (e, a, t, c) => `${a} took ${amountText(amountOf(e), c)} from ${t}${because(e.reason)}`,
    notice: (e, c) => ({ text: `An admin took ${amountText(amountOf(e), c)} from your wallet${because(e.reason)}`, link: '/wallet' }),
  },
  'economy.expert_appointed': {
    log: (e, a, t) => `${a} made ${t} an expert in ${spaceOf(e)}.`,
    notice: (e) => ({ text: `An admin made you an expert in ${spaceOf(e)}.`, link: null }),
  },
  'economy.expert_removed': {
    log: (e, a, t) => `${a} ended ${t}’s role as expert in ${spaceOf(e)}.`,
    notice: (e) => ({ text: `An admin ended your role as expert in ${spaceOf(e)}.`, link: null }),
  },
};

/** The action codes the catalogue knows; every code written to the log must be one of them. */
export const LOG_ACTIONS: readonly string[] = Object.keys(CATALOGUE);

/**
 * A log entry as a sentence for staff, e.g. "@mo removed @ana’s post “Opening hours”:
 * off-topic". An unknown code (a newer server's row read by an older one) still reads as
 * words, never as the code.
 */
export function logSentence(e: LogEntryFacts, currency: CurrencyWords): string {
  const actor = who(e.actor_handle, e.actor_domain, 'A former staff member');
  const target = who(e.target_handle, e.target_domain, 'a former member');
  const entry = CATALOGUE[e.action];
  if (entry) return entry.log(e, actor, target, currency);
  return `${actor} took a moderation action on ${target}${because(e.reason)}`;
}

/** What the member an action was done to is told (null: nobody to tell, or an unknown code). */
export function noticeFor(e: LogEntryFacts, currency: CurrencyWords): ModerationNotice | null {
  return CATALOGUE[e.action]?.notice(e, currency) ?? null;
}
