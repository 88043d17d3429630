import type { EventBus, PendingEvent } from '../core/event-bus.js';
import { DomainError, forbidden, notFound } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import { preparedQuery } from '../db/prepared.js';
import type { Db } from '../db/schema.js';
import type { MemberRow } from './member.table.js';
import { cleanLine, cleanText } from './member.rules.js';
import { assertOpen, isOpen } from './interaction.js';
import { TITLE_MAX, insertPost, isLive, markDeleted, threadOf } from './post.service.js';
import { type AccountTraces, communityTraces } from './remote-account.js';
import { type Support, supportOf } from './support.js';
import type { PostRow } from './post.table.js';
import { type ReactionKind, isReactionKind } from './reaction.service.js';
import { remoteHtmlToText, sanitizeRemoteHtml } from './remote-html.js';

/** Who a remote author is, as their server describes them. */
export interface RemoteProfile {
  actorIri: string;
  username: string;
  domain: string;
  displayName: string;
  summary: string;
  avatarUrl: string | null;
  profileUrl: string | null;
}

/** A post from another server: raw HTML (sanitized here), and where it goes. */
export interface RemotePostInput {
  apId: string;
  apUrl: string | null;
  authorId: number;
  title: string | null;
  html: string;
  publishedAt: string | null;
  /**
   * A reply to one of our posts, or a new thread in a space. `parent` is the parent's row
   * when the caller has just read it in the same transaction (the inbox's unit of work),
   * so it is not read again; its rules are checked all the same.
   */
  target: { parentId: number; parent?: PostRow } | { spaceId: number };
}

const MAX_REMOTE_CHARS = 100_000;

/** What an Update or Delete from another server did: 'done'; 'unknown' (no such live post); 'not_author' (someone else's). */
export type RemoteChange = 'done' | 'unknown' | 'not_author';

/**
 * People, posts and reactions that arrive from other fediverse servers. The federation
 * adapter has already checked who sent them; this module applies the community's rules
 * (sanitizing, live threads, spaces that take remote posts, one reaction per person).
 */
export class RemoteService {
  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    /** The other modules' parts in forgetting a deleted account (events, ideas, polls). */
    private readonly traces: readonly AccountTraces[] = [],
    /** Whether idea boards are on (then ideas take votes, not reactions). */
    private readonly ideasOn: () => boolean = () => false,
  ) {
    this.authorByIri = preparedQuery(db, (p: { iri: string }) => db.selectFrom('members').selectAll().where('actor_iri', '=', p.iri));
    this.postByApId = preparedQuery(db, (p: { apId: string }) => db.selectFrom('posts').selectAll().where('ap_id', '=', p.apId));
    this.postWithSpace = preparedQuery(db, (p: { id: number }) =>
      db
        .selectFrom('posts')
        .innerJoin('spaces', 'spaces.id', 'posts.space_id')
        .select(['posts.id', 'posts.root_id', 'posts.author_id', 'posts.space_id', 'posts.deleted_at', 'posts.removed_at', 'spaces.visibility'])
        .where('posts.id', '=', p.id),
    );
  }

  /** `known`: the author's row as the caller just read it (null: not there), so it is not read twice. */
  async upsertAuthor(p: RemoteProfile, known?: MemberRow | null): Promise<MemberRow> {
    const now = nowIso();
    const displayName = cleanLine(p.displayName).slice(0, 100) || p.username;
    const bio = this.bioFrom(p.summary);
    const fields = { display_name: displayName, bio, avatar_url: httpUrl(p.avatarUrl), profile_url: httpUrl(p.profileUrl) ?? p.actorIri, updated_at: now };
    // Every delivery names its author and most of the time nothing about them changed:
    // read first, and only write (in a transaction) when something did.
    if (known === undefined) known = await this.findAuthor(p.actorIri);
    if (known && sameProfile(known, fields)) return known;
    return this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('members').selectAll().where('actor_iri', '=', p.actorIri).executeTakeFirst();
      if (existing) {
        return trx.updateTable('members').set(fields).where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow();
      }
      // user@domain, which no local handle can be; a second actor with the same name
      // (an account deleted and created again) gets the id appended.
      let handle = `${p.username}@${p.domain}`.toLowerCase();
      if (await trx.selectFrom('members').select('id').where('handle', '=', handle).executeTakeFirst()) {
        handle = `${handle}#${Date.now().toString(36)}`;
      }
      return trx
        .insertInto('members')
        .values({
          handle, ...fields, avatar_file: null, role: 'member', status: 'active', status_reason: null,
          password_hash: '!remote', created_at: now, domain: p.domain.toLowerCase(), actor_iri: p.actorIri,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
  }

  /** Sanitizing a bio is the costliest step of reading an author; the same bio comes with every delivery. */
  private readonly bios = new Map<string, string>();
  private bioFrom(summary: string): string {
    let bio = this.bios.get(summary);
    if (bio === undefined) {
      bio = cleanText(remoteHtmlToText(sanitizeRemoteHtml(summary))).slice(0, 2000);
      if (this.bios.size >= 2000) this.bios.clear();
      this.bios.set(summary, bio);
    }
    return bio;
  }

  // Both run for nearly every inbound activity: compiled once.
  private readonly authorByIri: (p: { iri: string }) => Promise<MemberRow[]>;
  private readonly postByApId: (p: { apId: string }) => Promise<PostRow[]>;
  private readonly postWithSpace: (p: { id: number }) => Promise<(Pick<PostRow, 'id' | 'root_id' | 'author_id' | 'space_id' | 'deleted_at' | 'removed_at'> & { visibility: string })[]>;

  async findAuthor(actorIri: string): Promise<MemberRow | undefined> {
    return (await this.authorByIri({ iri: actorIri }))[0];
  }

  async findPost(apId: string): Promise<PostRow | undefined> {
    return (await this.postByApId({ apId }))[0];
  }

  /** Stores a remote post once: a second delivery of the same id returns the first copy. */
  async addPost(input: RemotePostInput): Promise<{ post: PostRow; created: boolean }> {
    const html = sanitizeRemoteHtml(input.html.slice(0, MAX_REMOTE_CHARS * 4));
    const body = remoteHtmlToText(html).slice(0, MAX_REMOTE_CHARS);
    if (!body) throw new DomainError('empty', 422, 'The post has no visible text.');
    const title = input.title ? cleanLine(input.title).slice(0, TITLE_MAX) || null : null;
    const at = validDate(input.publishedAt) ?? nowIso();
    const result = await this.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('posts').selectAll().where('ap_id', '=', input.apId).executeTakeFirst();
      if (existing) return { post: existing, created: false };
      let parent: PostRow | null = null;
      let spaceId: number;
      if ('parentId' in input.target) {
        parent = input.target.parent ?? (await trx.selectFrom('posts').selectAll().where('id', '=', input.target.parentId).executeTakeFirst()) ?? null;
        if (!parent) throw notFound('That post');
        assertOpen({ post: parent, thread: await threadOf(trx, parent) });
        spaceId = parent.space_id;
      } else {
        spaceId = input.target.spaceId;
      }
      const space = await trx.selectFrom('spaces').selectAll().where('id', '=', spaceId).executeTakeFirstOrThrow();
      // Members-only spaces never take part in federation, even if someone guesses an id.
      if (space.visibility !== 'public') throw forbidden('That space is for members only.');
      if (!parent && !space.remote_posts) throw forbidden('That space does not take posts from other servers.');
      const post = await insertPost(trx, {
        spaceId, authorId: input.authorId, parent, title: parent ? null : title, body, html, at, apId: input.apId, apUrl: httpUrl(input.apUrl),
      });
      return { post, created: true };
    });
    if (result.created) {
      const p = result.post;
      this.bus.emit('post.created', { postId: p.id, spaceId: p.space_id, authorId: p.author_id, parentId: p.parent_id, rootId: p.root_id ?? p.id, remote: true });
    }
    return result;
  }

  /** An Update from the author. Nothing changes for an unknown or deleted post, nor for anyone else's. */
  async editPost(apId: string, authorId: number, input: { title: string | null; html: string }): Promise<RemoteChange> {
    const post = await this.findPost(apId);
    if (!post || !isLive(post)) return 'unknown';
    if (post.author_id !== authorId) return 'not_author';
    const html = sanitizeRemoteHtml(input.html);
    const body = remoteHtmlToText(html).slice(0, MAX_REMOTE_CHARS);
    if (!body) return 'unknown';
    const now = nowIso();
    const title = post.parent_id === null && input.title ? cleanLine(input.title).slice(0, TITLE_MAX) || null : post.title;
    await this.db.updateTable('posts').set({ title, body_md: body, body_html: html, updated_at: now, edited_at: now }).where('id', '=', post.id).execute();
    this.bus.emit('post.updated', { postId: post.id, authorId, remote: true });
    return 'done';
  }

  /** A Delete from the author: the post goes the way a local deletion does. Anyone else's changes nothing. */
  async deletePost(apId: string, authorId: number): Promise<RemoteChange> {
    const post = await this.findPost(apId);
    if (!post || !isLive(post)) return 'unknown';
    if (post.author_id !== authorId) return 'not_author';
    await this.db.transaction().execute((trx) => markDeleted(trx, post));
    this.bus.emit('post.deleted', { postId: post.id, authorId, remote: true });
    return 'done';
  }

  /**
   * The account was deleted on its own server (its self-`Delete`). In one transaction its
   * posts become placeholders, its reactions, boosts, idea and poll votes and RSVPs are
   * withdrawn (counts follow, the waiting list moves up), and the member is marked
   * 'deleted' with its profile text and avatar cleared; then the events each withdrawal
   * emits on its own, and `member.deleted`, which takes back what its engagement earned
   * others. False when the account is unknown here or already deleted.
   */
  async deleteAccount(actorIri: string): Promise<boolean> {
    const member = await this.findAuthor(actorIri);
    if (!member || member.domain === null || member.status === 'deleted') return false;
    const events = await this.db.transaction().execute(async (trx) => {
      const out: PendingEvent[] = [];
      for (const part of [communityTraces, ...this.traces]) out.push(...(await part.withdrawAll(trx, member.id)));
      await trx
        .updateTable('members')
        .set({ status: 'deleted', status_reason: 'Deleted on its own server.', bio: '', avatar_url: null, updated_at: nowIso() })
        .where('id', '=', member.id)
        .execute();
      out.push({ name: 'member.deleted', payload: { memberId: member.id, remote: true } });
      return out;
    });
    this.bus.emitAll(events);
    return true;
  }

  /** A boost (Announce) from another server, counted once per person; false when nothing changed. */
  setShare(memberId: number, postId: number, on: boolean): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const post = await trx.selectFrom('posts').select(['id', 'root_id', 'deleted_at', 'removed_at']).where('id', '=', postId).executeTakeFirst();
      if (!post || !isOpen({ post, thread: await threadOf(trx, post) })) return false;
      const changed = on
        ? Number((await trx.insertInto('post_shares').values({ post_id: postId, member_id: memberId, created_at: nowIso() }).onConflict((oc) => oc.doNothing()).executeTakeFirst()).numInsertedOrUpdatedRows ?? 0n) > 0
        : Number((await trx.deleteFrom('post_shares').where('post_id', '=', postId).where('member_id', '=', memberId).executeTakeFirst()).numDeletedRows) > 0;
      if (changed) await trx.updateTable('posts').set((eb) => ({ share_count: eb('share_count', '+', on ? 1 : -1) })).where('id', '=', postId).execute();
      return changed;
    });
  }

  /**
   * A Like, EmojiReact or their Undo. Idempotent: the reactions table keeps one of each
   * kind per person, so a second delivery changes nothing and emits nothing. `seen`: the
   * post as the caller has just read it in the same transaction (its row, its space's
   * visibility, how it takes support), so it is not read again; the rules still apply.
   */
  async setReaction(memberId: number, postId: number, kind: ReactionKind, on: boolean, seen?: SeenPost): Promise<boolean> {
    if (!isReactionKind(kind)) return false;
    const post = seen && seen.row.id === postId ? { ...seen.row, visibility: seen.visibility } : (await this.postWithSpace({ id: postId }))[0];
    if (!post || post.visibility !== 'public' || !isOpen({ post, thread: await threadOf(this.db, post) })) return false;
    if (on && (seen?.row.id === postId ? seen.support : await supportOf(this.db, postId, this.ideasOn())) !== 'reactions') return false;
    let changed: boolean;
    if (on) {
      const r = await this.db
        .insertInto('reactions')
        .values({ post_id: postId, member_id: memberId, kind, created_at: nowIso() })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      changed = Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    } else {
      const r = await this.db.deleteFrom('reactions').where('post_id', '=', postId).where('member_id', '=', memberId).where('kind', '=', kind).executeTakeFirst();
      changed = Number(r.numDeletedRows) > 0;
    }
    if (changed) this.bus.emit(on ? 'reaction.added' : 'reaction.removed', { postId, memberId, authorId: post.author_id, kind, spaceId: post.space_id, remote: true });
    return changed;
  }
}

/** A post as a caller read it within the current transaction (see `setReaction`). */
export interface SeenPost {
  row: PostRow;
  visibility: string;
  support: Support;
}

const sameProfile = (m: MemberRow, f: Pick<MemberRow, 'display_name' | 'bio' | 'avatar_url' | 'profile_url'>): boolean =>
  m.display_name === f.display_name && m.bio === f.bio && m.avatar_url === f.avatar_url && m.profile_url === f.profile_url;

function httpUrl(raw: string | null | undefined): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

function validDate(raw: string | null): string | null {
  if (!raw) return null;
  const t = Date.parse(raw);
  // A date in the future would pin the post to the top of every list.
  return Number.isNaN(t) ? null : new Date(Math.min(t, Date.now())).toISOString();
}
