/**
 * How people are named for readers: on pages, in notifications, in the digest e-mail.
 *
 * Local and remote people share the `members` table (ADR 0003). A local member's handle
 * is their name (`ana`); a remote person's is stored as `user@domain`, lower-cased, with
 * `#<suffix>` appended when a second actor arrives with the same name (see
 * `RemoteService.upsertAuthor`), and their server is in `domain`. So the handle column is
 * an identifier, never something to print with a domain added: everything that shows a
 * person goes through `formatHandle`.
 */

/** Whom a handle belongs to; `domain` null or absent for a local member. */
export interface HandleOwner {
  handle: string;
  domain?: string | null;
}

/**
 * An account's address as the fediverse writes it: `@name@domain` (a WebFinger `acct:`
 * without the scheme, as Mastodon shows it). For our own actors, domain is our host.
 */
export function accountAddress(name: string, domain: string): string {
  return `@${name}@${domain}`;
}

/**
 * A person's handle for readers: `@ana` for a local member, `@zoe@mastodon.example` for
 * a remote one (their name once, their server once, whatever shape the stored handle
 * has). The result is plain text: escape it where it goes into HTML.
 */
export function formatHandle(m: HandleOwner): string {
  if (!m.domain) return `@${m.handle}`;
  const at = m.handle.indexOf('@');
  const name = at < 0 ? m.handle : m.handle.slice(0, at);
  return accountAddress(name, m.domain);
}
