import type { EventBus } from '../core/event-bus.js';
import { DomainError, FieldErrors, notFound } from '../core/errors.js';
import { once } from '../core/once.js';
import { nowIso } from '../core/time.js';
import type { Db, DbOrTx } from '../db/schema.js';
import { cleanLine, cleanText } from './member.rules.js';
import { type Actor, type Viewer, atLeast } from './roles.js';
import type { SpaceKind, SpaceRow, SpaceVisibility } from './space.table.js';

/** Longest space name and description, in characters. */
export const SPACE_NAME_MAX = 80;
export const SPACE_DESCRIPTION_MAX = 2000;
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$|^[a-z0-9]$/;

/** Members-only spaces exist only for members: to anyone else they are "not found". */
export const canSeeSpace = (viewer: Viewer, space: Pick<SpaceRow, 'visibility'>): boolean =>
  space.visibility === 'public' || viewer !== null;

export class SpaceService {
  private all: SpaceRow[] | undefined;

  constructor(
    private readonly db: Db,
    private readonly bus: EventBus,
    /** The general space's address on the fediverse, so no other space may take it. */
    private readonly communityHandle = 'community',
  ) {}

  /**
   * A new space; 422 on the slug when the address is taken. With the form's one-time `key`,
   * the same form sent again answers the space the first send made, not "already exists".
   */
  async create(actor: Actor, input: { slug: string; name: string; description: string; visibility: string; kind?: string }, key: string | null = null): Promise<SpaceRow> {
    if (!atLeast(actor.role, 'admin')) throw new DomainError('forbidden', 403, 'Only admins can create spaces.');
    const errors = new FieldErrors();
    const slug = input.slug.trim().toLowerCase();
    const name = cleanLine(input.name);
    const description = cleanText(input.description);
    if (!SLUG_PATTERN.test(slug)) errors.add('slug', 'Address must be 1 to 40 characters: a-z, 0-9 and -, not starting or ending with -.');
    if (!name) errors.add('name', 'Give the space a name.');
    else if (name.length > SPACE_NAME_MAX) errors.add('name', `Name must be at most ${SPACE_NAME_MAX} characters.`);
    if (description.length > SPACE_DESCRIPTION_MAX) errors.add('description', `Description must be at most ${SPACE_DESCRIPTION_MAX} characters.`);
    if (input.visibility !== 'public' && input.visibility !== 'members') errors.add('visibility', 'Visibility must be public or members.');
    const kind = input.kind ?? 'discussion';
    if (kind !== 'discussion' && kind !== 'ideas') errors.add('kind', 'A space is a discussion space or an idea board.');
    errors.throwIfAny();
    const prior = (db: DbOrTx) => (key ? db.selectFrom('spaces').selectAll().where('created_by', '=', actor.id).where('submission_key', '=', key).executeTakeFirst() : Promise.resolve(undefined));
    const { row: space, fresh } = await once(() => this.db.transaction().execute(async (trx) => {
      const done = await prior(trx);
      if (done) return { row: done, fresh: false };
      // Spaces and members share one address space on the fediverse (@name@domain).
      const taken =
        slug === this.communityHandle ||
        (await trx.selectFrom('spaces').select('id').where('slug', '=', slug).executeTakeFirst()) !== undefined ||
        (await trx.selectFrom('members').select('id').where('handle', '=', slug).executeTakeFirst()) !== undefined;
      if (taken) {
        const e = new FieldErrors();
        e.add('slug', 'A space with that address already exists.');
        e.throwIfAny();
      }
      const row = await trx
        .insertInto('spaces')
        .values({ slug, name, description, visibility: input.visibility as SpaceVisibility, kind: kind as SpaceKind, created_by: actor.id, created_at: nowIso(), submission_key: key })
        .returningAll()
        .executeTakeFirstOrThrow();
      return { row, fresh: true };
    }), () => prior(this.db));
    if (!fresh) return space;
    this.all = undefined;
    this.bus.emit('space.created', { spaceId: space.id, by: actor.id });
    return space;
  }

  /** A space the viewer may see, or 404 (also for members-only spaces seen by visitors). */
  async getVisible(viewer: Viewer, slug: string): Promise<SpaceRow> {
    const space = await this.db.selectFrom('spaces').selectAll().where('slug', '=', slug).executeTakeFirst();
    if (!space || !canSeeSpace(viewer, space)) throw notFound('That space');
    return space;
  }

  /** Whether remote followers may post into a public space, and whether its follows wait for approval. */
  async setFederation(actor: Actor, spaceId: number, input: { remotePosts: boolean; approveFollowers: boolean }): Promise<SpaceRow> {
    if (!atLeast(actor.role, 'admin')) throw new DomainError('forbidden', 403, 'Only admins can change spaces.');
    const space = await this.db
      .updateTable('spaces')
      .set({ remote_posts: input.remotePosts ? 1 : 0, approve_followers: input.approveFollowers ? 1 : 0 })
      .where('id', '=', spaceId)
      .returningAll()
      .executeTakeFirst();
    if (!space) throw notFound('That space');
    this.all = undefined;
    return space;
  }

  async getById(id: number): Promise<SpaceRow> {
    const space = (await this.listAll()).find((s) => s.id === id);
    if (!space) throw notFound('That space');
    return space;
  }

  /** Every space, members-only ones included: for adapters that decide what may leave the server. */
  async listAll(): Promise<SpaceRow[]> {
    this.all ??= await this.db.selectFrom('spaces').selectAll().orderBy('id').execute();
    return this.all;
  }

  /** Spaces change only when an admin creates one, yet every home page lists them: keep them in memory. */
  async listVisible(viewer: Viewer): Promise<SpaceRow[]> {
    const all = await this.listAll();
    return viewer === null ? all.filter((s) => s.visibility === 'public') : all;
  }
}
