import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// A member's standing, kept instead of recomputed: the ledger grouped on every view grew
// with the community (a member page took 19 s at a million posts). Each table is updated
// in the same transaction as the ledger entry or achievement it sums, and `hearth economy
// audit` recomputes them all from the ledger and achievements and names any difference.
//
// - standing_totals: what a member earned (awards less their reversals) per period:
//   'all', 'week:<Monday>' and 'month:<YYYY-MM>' on the community's clock. The rank index
//   lets "how many earned more" and the leaderboard read the top of one period in order.
// - achievement_counts: achievements that still count, per member and rule (badges).
// - space_reputation: expert reputation per space (1 per reaction received, 10 per
//   accepted answer there).
// - standing_state: which time zone the period rows were built for; the server rebuilds
//   them from the ledger (a month of entries) when it differs from the community's.
// - ledger_day: the entries since a period began, for that rebuild; ledger_balances_top:
//   the wallets holding the most, for the economy page.
// Plain tables and indexes: PostgreSQL takes them as they are (DESC index columns too).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('standing_totals')
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('earned', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('standing_totals_pk', ['member_id', 'period'])
    .execute();
  await sql`create index standing_rank on standing_totals(period, earned desc, member_id)`.execute(db);

  await db.schema
    .createTable('achievement_counts')
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('achievement_counts_pk', ['member_id', 'rule'])
    .execute();

  await db.schema
    .createTable('space_reputation')
    .addColumn('space_id', 'integer', (c) => c.notNull().references('spaces.id'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('reputation', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('space_reputation_pk', ['space_id', 'member_id'])
    .execute();
  await db.schema.createIndex('space_reputation_member').on('space_reputation').columns(['member_id']).execute();

  await db.schema
    .createTable('standing_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ledger_day').on('ledger_entries').columns(['day']).execute();
  // The economy page's top holders, read from the top instead of sorting every wallet.
  await sql`create index ledger_balances_top on ledger_balances(balance desc)`.execute(db);

  // What an existing community has earned so far. Period rows are left to the server,
  // which knows the community's time zone (no standing_state row: not built yet).
  await sql`
    insert into standing_totals (member_id, period, earned)
    select member_id, 'all', sum(case kind when 'award' then amount else -amount end)
    from ledger_entries where kind in ('award', 'reversal') and member_id is not null
    group by member_id`.execute(db);
  await sql`
    insert into achievement_counts (member_id, rule, n)
    select member_id, rule, count(*) from achievements where revoked = 0 group by member_id, rule`.execute(db);
  await sql`
    insert into space_reputation (space_id, member_id, reputation)
    select space_id, member_id, sum(case rule when 'reaction_received' then 1 else 10 end)
    from achievements
    where revoked = 0 and space_id is not null and rule in ('reaction_received', 'accepted_answer')
    group by space_id, member_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('ledger_balances_top').execute();
  await db.schema.dropIndex('ledger_day').execute();
  await db.schema.dropTable('standing_state').execute();
  await db.schema.dropTable('space_reputation').execute();
  await db.schema.dropTable('achievement_counts').execute();
  await db.schema.dropTable('standing_totals').execute();
}
