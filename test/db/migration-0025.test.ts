import { expect } from 'chai';
import { Migrator, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

describe('migration 0025: deleted accounts and RSVP messages', () => {
  it('widens the member statuses without losing rows, indexes or the foreign keys that point at members', async () => {
    const { db, sqlite, close } = openDatabase(':memory:');
    try {
      // A database from before 0025, with a member who has a post and a session.
      const before = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      expect((await before.migrateTo('0023_stories')).error).to.equal(undefined);
      const now = new Date().toISOString();
      const ana = await db
        .insertInto('members')
        .values({ handle: 'ana', display_name: 'Ana', bio: 'hi', avatar_file: null, role: 'owner', status: 'active', status_reason: null, password_hash: 'x', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await db.insertInto('sessions').values({ id: 'old', member_id: ana.id, created_at: now, expires_at: now, user_agent: null }).execute();
      await migrateToLatest(db);
      expect(await db.selectFrom('members').select(['handle', 'bio', 'role']).where('id', '=', ana.id).executeTakeFirst()).to.deep.equal({ handle: 'ana', bio: 'hi', role: 'owner' });
      expect(await db.selectFrom('sessions').select('id').where('member_id', '=', ana.id).execute()).to.have.length(1);
      const member = await db
        .insertInto('members')
        .values({ handle: 'gone@remote.example', display_name: 'Gone', bio: '', avatar_file: null, role: 'member', status: 'deleted', status_reason: null, password_hash: '!remote', created_at: now, updated_at: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      // Still refused: a status nobody defined.
      const bad = sqlite.prepare(`update members set status = 'vanished' where id = ?`);
      expect(() => bad.run(member.id)).to.throw(/CHECK constraint/);
      const indexes = sqlite.prepare(`select name from sqlite_master where type = 'index' and tbl_name = 'members'`).all().map((r) => (r as { name: string }).name);
      expect(indexes).to.include.members(['members_status', 'members_actor_iri', 'members_domain']);
      expect(sqlite.pragma('foreign_keys', { simple: true })).to.equal(1);
      // Other tables still point at the rebuilt table.
      expect(() => sqlite.prepare(`insert into sessions (id, member_id, created_at, expires_at) values ('s', 999999, ?, ?)`).run(now, now)).to.throw(/FOREIGN KEY/);
      await db.insertInto('sessions').values({ id: 's', member_id: member.id, created_at: now, expires_at: now, user_agent: null }).execute();
      const columns = (await sql<{ name: string }>`pragma table_info(event_rsvps)`.execute(db)).rows.map((r) => r.name);
      expect(columns).to.include('message');
      // And back: a deleted account reads as suspended, which the old constraint allows.
      expect((await before.migrateTo('0023_stories')).error).to.equal(undefined);
      expect((await db.selectFrom('members').select('status').where('id', '=', member.id).executeTakeFirstOrThrow()).status).to.equal('suspended');
      expect(sqlite.pragma('foreign_keys', { simple: true })).to.equal(1);
    } finally {
      await close();
    }
  });
});
