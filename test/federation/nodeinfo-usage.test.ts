import { expect } from 'chai';
import { Migrator, sql } from 'kysely';
import request from 'supertest';
import { migrations } from '../../migrations/index.js';
import { openDatabase } from '../../src/db/database.js';
import { type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember } from '../helpers/hearth.js';

const today = () => new Date().toISOString().slice(0, 10);

/** NodeInfo's usage figures, kept by the database (migration 0032) instead of counted on each refresh. */
describe('NodeInfo usage kept as the community changes', () => {
  let h: TestHearth;
  beforeEach(async () => {
    h = await makeHearth();
  });
  afterEach(() => h.destroy());

  const lastActive = async (id: number) => (await h.database.db.selectFrom('members').select('last_active_day').where('id', '=', id).executeTakeFirstOrThrow()).last_active_day;
  const localPosts = async () => (await h.database.db.selectFrom('community_counts').select('n').where('key', '=', 'local_posts').executeTakeFirstOrThrow()).n;

  it('counts local posts as they are written, deleted and removed; never a remote one', async () => {
    const owner = await makeMember(h, { role: 'owner' });
    const ana = await makeMember(h, { handle: 'ana' });
    const general = await generalSpace(h);
    const one = await h.services.posts.createThread(ana, general, { body: 'One' });
    const two = await h.services.posts.createThread(ana, general, { body: 'Two' });
    await h.services.posts.reply(owner, one.id, { body: 'A reply' });
    expect(await localPosts()).to.equal(3);
    await h.services.posts.delete(ana, two.id);
    await h.services.moderation.removePost(owner, one.id, 'Off topic');
    expect(await localPosts()).to.equal(1);
    // A post by someone on another server is not a local post.
    const now = new Date().toISOString();
    const remote = await h.database.db.insertInto('members').values({ handle: 'zoe', domain: 'elsewhere.example', display_name: 'Zoe', bio: '', avatar_file: null, role: 'member', status: 'active', status_reason: null, password_hash: '', created_at: now, updated_at: now } as never).returning('id').executeTakeFirstOrThrow();
    await h.database.db.insertInto('posts').values({ space_id: general.id, author_id: remote.id, parent_id: null, root_id: null, branch_id: null, depth: 0, title: null, body_md: 'x', body_html: '<p>x</p>', reply_count: 0, created_at: now, updated_at: now } as never).execute();
    expect(await localPosts()).to.equal(1);
    expect(await lastActive(remote.id)).to.equal(null);
    const info = (await request(h.app).get('/nodeinfo/2.1').expect(200)).body;
    expect(info.usage.localPosts).to.equal(1);
  });

  it('marks a member active on the day they post, react or sign in, and counts them for the month', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    const bob = await makeMember(h, { handle: 'bob' });
    const cy = await makeMember(h, { handle: 'cy' });
    await makeMember(h, { handle: 'dee' });
    const post = await h.services.posts.createThread(ana, await generalSpace(h), { body: 'Morning' });
    await h.services.reactions.toggle(bob, post.id, 'like');
    await loggedInAgent(h, 'cy');
    for (const m of [ana, bob, cy]) expect(await lastActive(m.id)).to.equal(today());
    // Someone who was last here in the spring counts for the half-year, not the month.
    const spring = new Date(Date.now() - 100 * 86400_000).toISOString().slice(0, 10);
    await h.database.db.updateTable('members').set({ last_active_day: spring }).where('handle', '=', 'dee').execute();
    const info = (await request(h.app).get('/nodeinfo/2.1').expect(200)).body;
    expect(info.usage.users).to.deep.equal({ total: 4, activeMonth: 3, activeHalfyear: 4 });
  });

  it('reads an index and a counter, never every post', async () => {
    const plan = async (q: { compile(): { sql: string; parameters: readonly unknown[] } }) => {
      const c = q.compile();
      return (await sql.raw<{ detail: string }>(`explain query plan ${c.sql.replace(/\?/g, () => "'2026-01-01'")}`).execute(h.database.db)).rows.map((r) => r.detail).join(' | ');
    };
    const active = h.database.db.selectFrom('members').select((eb) => eb.fn.countAll<number>().as('n')).where('domain', 'is', null).where('status', '=', 'active').where('last_active_day', '>=', '2026-01-01');
    expect(await plan(active)).to.match(/members_last_active/);
  });
});

describe('migration 0032: activity for an existing community', () => {
  it('counts the local posts and each member’s last active day from what is there', async () => {
    const { db, close } = openDatabase(':memory:');
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('0029_standing_totals')).error).to.equal(undefined);
      const member = (handle: string, domain: string | null = null) =>
        db.insertInto('members').values({ handle, domain, display_name: handle, bio: '', avatar_file: null, role: 'member', status: 'active', status_reason: null, password_hash: 'x', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z' } as never).returning('id').executeTakeFirstOrThrow();
      const ana = (await member('ana')).id;
      const bob = (await member('bob')).id;
      const zoe = (await member('zoe', 'elsewhere.example')).id;
      await member('cy');
      const space = (await db.insertInto('spaces').values({ slug: 'roasting', name: 'Roasting', description: '', visibility: 'public', created_by: ana, created_at: '2025-01-01T00:00:00Z' }).returning('id').executeTakeFirstOrThrow()).id;
      const post = (author: number, at: string, gone: Record<string, string> = {}) =>
        db.insertInto('posts').values({ space_id: space, author_id: author, parent_id: null, root_id: null, branch_id: null, depth: 0, title: null, body_md: 'x', body_html: 'x', reply_count: 0, created_at: at, updated_at: at, ...gone } as never).returning('id').executeTakeFirstOrThrow();
      const first = (await post(ana, '2026-03-01T10:00:00Z')).id;
      await post(ana, '2026-05-02T10:00:00Z', { deleted_at: '2026-05-03T00:00:00Z' });
      await post(zoe, '2026-05-02T10:00:00Z');
      await db.insertInto('reactions').values({ post_id: first, member_id: bob, kind: 'like', created_at: '2026-06-07T08:00:00Z' }).execute();
      await db.insertInto('sessions').values({ id: 's1', member_id: bob, created_at: '2026-04-01T00:00:00Z', expires_at: '2026-05-01T00:00:00Z', user_agent: null } as never).execute();

      expect((await migrator.migrateTo('0032_activity_counts')).error).to.equal(undefined);
      expect(await db.selectFrom('community_counts').selectAll().execute()).to.deep.equal([{ key: 'local_posts', n: 1 }]);
      const days = await db.selectFrom('members').select(['handle', 'last_active_day']).orderBy('handle').execute();
      expect(days).to.deep.equal([
        { handle: 'ana', last_active_day: '2026-05-02' },
        { handle: 'bob', last_active_day: '2026-06-07' },
        { handle: 'cy', last_active_day: null },
        { handle: 'zoe', last_active_day: null },
      ]);
      expect((await migrator.migrateTo('0029_standing_totals')).error).to.equal(undefined);
    } finally {
      await close();
    }
  });
});
