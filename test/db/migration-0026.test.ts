import { expect } from 'chai';
import { Migrator, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { openDatabase } from '../../src/db/database.js';

describe('migration 0026: a member’s own time zone', () => {
  it('adds an empty (community zone) timezone to existing members, and takes it away again', async () => {
    const { db, close } = openDatabase(':memory:');
    try {
      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('0025_deleted_accounts_and_rsvp_messages')).error).to.equal(undefined);
      const now = new Date().toISOString();
      await db
        .insertInto('members')
        .values({ handle: 'ana', display_name: 'Ana', bio: '', avatar_file: null, role: 'owner', status: 'active', status_reason: null, password_hash: 'x', created_at: now, updated_at: now })
        .execute();
      expect((await migrator.migrateTo('0026_member_time_zone')).error).to.equal(undefined);
      expect(await db.selectFrom('members').select(['handle', 'timezone']).execute()).to.deep.equal([{ handle: 'ana', timezone: null }]);
      expect((await migrator.migrateTo('0025_deleted_accounts_and_rsvp_messages')).error).to.equal(undefined);
      const columns = (await sql<{ name: string }>`pragma table_info(members)`.execute(db)).rows.map((r) => r.name);
      expect(columns).not.to.include('timezone');
    } finally {
      await close();
    }
  });
});
