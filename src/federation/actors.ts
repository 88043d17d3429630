import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { Apex, ApDoc } from 'activitypub-express';
import { afterCommit, openUnit } from '../core/after-commit.js';
import type { MemberRow } from '../community/member.table.js';
import type { SpaceRow } from '../community/space.table.js';
import type { Config } from '../config.js';
import type { Db } from '../db/schema.js';
import type { Services } from '../services.js';
import { renderMarkdown } from '../community/markdown.js';

const generateKeyPairAsync = promisify(generateKeyPair);

export type LocalActor =
  | { kind: 'member'; name: string; member: MemberRow }
  | { kind: 'space'; name: string; space: SpaceRow; community: boolean };

/**
 * Our actors: each local member is a Person at /@handle, each public space a Group, and
 * the community itself is the Group of the `general` space (at /@<community.handle>).
 * Actor documents are built from the members and spaces tables and kept in apex's
 * store with their key pair, created the first time federation needs them.
 */
export class ActorDirectory {
  /** Builds in flight, per actor id, with the source rows each was started from. */
  private readonly pending = new Map<string, { source: string; work: Promise<ApDoc> }>();
  /** Built actor documents by id, with the source fields they were built from. */
  private readonly built = new Map<string, { source: string; actor: ApDoc }>();

  constructor(
    private readonly apex: Apex,
    private readonly db: Db,
    private readonly services: Services,
    private readonly config: Config,
  ) {}

  get baseUrl(): string {
    return this.apex.baseUrl;
  }

  iri(name: string): string {
    return this.apex.utils.usernameToIRI(name);
  }

  spaceName(space: Pick<SpaceRow, 'slug'>): string {
    return space.slug === 'general' ? this.config.community.handle : space.slug;
  }

  get communityName(): string {
    return this.config.community.handle;
  }

  /** The public space whose actor has this name, if any (no member lookup). */
  async findSpace(rawName: string): Promise<SpaceRow | null> {
    const name = rawName.toLowerCase();
    const spaces = await this.services.spaces.listAll();
    const space = name === this.config.community.handle ? spaces.find((s) => s.slug === 'general') : spaces.find((s) => s.slug === name && s.slug !== 'general');
    return space?.visibility === 'public' ? space : null;
  }

  /** The local actor behind a name, or null (unknown, members-only space, or not active). */
  async find(rawName: string): Promise<LocalActor | null> {
    const name = rawName.toLowerCase();
    const space = await this.findSpace(name);
    if (space) return { kind: 'space', name, space, community: space.slug === 'general' };
    const member = await this.services.members.findByHandle(name);
    if (!member || member.domain !== null || member.status !== 'active') return null;
    return { kind: 'member', name, member };
  }

  /** The local actor an IRI of ours names (https://host/@name), or null. */
  async findByIri(iri: string): Promise<LocalActor | null> {
    const prefix = `${this.baseUrl}/@`.toLowerCase();
    if (!iri.toLowerCase().startsWith(prefix)) return null;
    const name = iri.slice(prefix.length);
    return /^[a-z0-9_-]+$/i.test(name) ? this.find(name) : null;
  }

  async forMember(member: MemberRow): Promise<ApDoc> {
    return this.ensure({ kind: 'member', name: member.handle, member });
  }

  async forSpace(space: SpaceRow): Promise<ApDoc> {
    return this.ensure({ kind: 'space', name: this.spaceName(space), space, community: space.slug === 'general' });
  }

  async community(): Promise<ApDoc> {
    const general = (await this.services.spaces.listAll()).find((s) => s.slug === 'general');
    if (!general) throw new Error('the general space is missing');
    return this.forSpace(general);
  }

  /**
   * The stored actor with its private key (in `_meta`), created or brought up to date.
   * Concurrent calls from the same source rows share one build; a call with newer rows
   * (a profile or "approve followers" change made while a build was in flight) waits for
   * that build and then builds again, so it never gets the older document.
   */
  async ensure(local: LocalActor): Promise<ApDoc> {
    const id = this.iri(local.name);
    const source = this.sourceOf(local);
    // Inside a unit of work (an inbound activity) a build started elsewhere waits for the
    // database the unit holds: waiting for it would never end. Build here; a race is
    // settled by the store (the first saved actor, with its key, wins).
    if (openUnit()) return this.ensureNow(local, id, source);
    const running = this.pending.get(id);
    if (running?.source === source) return running.work;
    const work = (running ? running.work.catch(() => undefined) : Promise.resolve())
      .then(() => this.ensureNow(local, id, source))
      .finally(() => {
        if (this.pending.get(id)?.work === work) this.pending.delete(id);
      });
    this.pending.set(id, { source, work });
    return work;
  }

  /** What an actor document is built from: compared to tell whether it must be rebuilt. */
  private sourceOf(local: LocalActor): string {
    return JSON.stringify([local.kind === 'member' ? local.member : local.space, this.config.community]);
  }

  private async ensureNow(local: LocalActor, id: string, source: string): Promise<ApDoc> {
    // Building a profile runs JSON-LD compaction; most calls (every post, every delivery)
    // find it unchanged, which a comparison of the source rows and settings tells cheaply.
    const known = this.built.get(id);
    if (known?.source === source) return known.actor;
    const actor = await this.build(local, id);
    // Kept once written: a unit of work that rolls back takes the actor (and its key) with it.
    afterCommit(() => {
      if (this.built.size > 5000) this.built.clear();
      this.built.set(id, { source, actor });
    });
    return actor;
  }

  private async build(local: LocalActor, id: string): Promise<ApDoc> {
    const stored = await this.apex.store.getObject(id, true);
    const profile = await this.apex.fromJSONLD(await this.profile(local, id, stored?.publicKey?.[0]?.publicKeyPem?.[0]));
    if (stored?._meta?.privateKey) {
      // Profiles change (name, bio, avatar); the key never does.
      if (JSON.stringify(strip(stored)) !== JSON.stringify(profile)) {
        await this.apex.store.updateObject({ ...profile, _meta: stored._meta }, id, true);
      }
      return { ...profile, _meta: stored._meta };
    }
    const pair = await generateKeyPairAsync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const created = await this.apex.fromJSONLD(await this.profile(local, id, pair.publicKey));
    const actor = { ...created, _meta: { privateKey: pair.privateKey } };
    if (!(await this.apex.store.saveObject(actor))) {
      // Someone else created it first: theirs is the one with the key.
      return this.apex.store.getObject(id, true);
    }
    return actor;
  }

  /** Whether a profile change must be announced: compares what followers see. */
  async refresh(local: LocalActor): Promise<{ actor: ApDoc; changed: boolean }> {
    const id = this.iri(local.name);
    const before = await this.apex.store.getObject(id, false);
    const actor = await this.ensure(local);
    return { actor, changed: before !== null && JSON.stringify(before) !== JSON.stringify(strip(actor)) };
  }

  private async profile(local: LocalActor, id: string, publicKeyPem: string | undefined): Promise<Record<string, unknown>> {
    const base = this.baseUrl;
    const streams = this.apex.utils.nameToActorStreams(local.name);
    const common = {
      '@context': this.apex.context,
      id,
      preferredUsername: local.name,
      inbox: streams.inbox,
      outbox: streams.outbox,
      followers: streams.followers,
      following: streams.following,
      liked: streams.liked,
      endpoints: { id: `${id}#endpoints`, sharedInbox: `${base}/inbox` },
      discoverable: true,
      indexable: true,
      publicKey: publicKeyPem ? { id: `${id}#main-key`, owner: id, publicKeyPem } : undefined,
    };
    if (local.kind === 'member') {
      const m = local.member;
      return {
        ...common,
        type: 'Person',
        name: m.display_name,
        summary: m.bio ? renderMarkdown(m.bio) : '',
        url: id,
        icon: { type: 'Image', mediaType: m.avatar_file ? mediaTypeOf(m.avatar_file) : 'image/svg+xml', url: m.avatar_file ? `${base}/uploads/avatars/${m.avatar_file}` : `${base}/static/avatar.svg` },
        image: m.header_file ? { type: 'Image', mediaType: mediaTypeOf(m.header_file), url: `${base}/uploads/headers/${m.header_file}` } : undefined,
        published: m.created_at,
        manuallyApprovesFollowers: m.approve_followers === 1,
      };
    }
    const s = local.space;
    const community = local.community;
    return {
      ...common,
      type: 'Group',
      name: community ? this.config.community.name : s.name,
      summary: renderMarkdown(community ? this.config.community.description : s.description || s.name),
      url: community ? `${base}/` : `${base}/s/${s.slug}`,
      icon: { type: 'Image', mediaType: 'image/svg+xml', url: `${base}/static/favicon.svg` },
      published: s.created_at,
      manuallyApprovesFollowers: s.approve_followers === 1,
      // Lemmy's way of naming a group's moderators; Mastodon reads attributedTo.
      attributedTo: `${id}/moderators`,
      moderators: `${id}/moderators`,
      postingRestrictedToMods: s.remote_posts !== 1,
    };
  }

  /** The people who moderate a group: the community's owner, admins and moderators. */
  async moderatorIris(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('members')
      .select('handle')
      .where('domain', 'is', null)
      .where('status', '=', 'active')
      .where('role', 'in', ['owner', 'admin', 'moderator'])
      .orderBy('id')
      .execute();
    return rows.map((r) => this.iri(r.handle));
  }
}

function strip(doc: ApDoc): ApDoc {
  const { _meta, ...rest } = doc;
  return rest as ApDoc;
}

function mediaTypeOf(file: string): string {
  const ext = file.split('.').pop()?.toLowerCase();
  return ext === 'png' ? 'image/png' : ext === 'gif' ? 'image/gif' : ext === 'webp' ? 'image/webp' : 'image/jpeg';
}
