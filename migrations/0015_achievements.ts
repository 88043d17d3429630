import type { Kysely } from 'kysely';

// Frozen: migrations import nothing from src/.
// What members did that counts (one row per source: post:12, reaction:12:7...), whether
// or not it paid (caps, a rule at 0): badges count these, and expert reputation sums them
// per space. Removed content marks its rows revoked. Plus the badges given, and experts
// appointed by admins.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('achievements')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('space_id', 'integer', (c) => c.references('spaces.id'))
    .addColumn('revoked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('achievements_member_rule').on('achievements').columns(['member_id', 'rule']).execute();
  await db.schema.createIndex('achievements_space').on('achievements').columns(['space_id', 'member_id']).execute();

  await db.schema
    .createTable('member_badges')
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('badge', 'text', (c) => c.notNull())
    .addColumn('awarded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('member_badges_pk', ['member_id', 'badge'])
    .execute();

  await db.schema
    .createTable('space_experts')
    .addColumn('space_id', 'integer', (c) => c.notNull().references('spaces.id'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('appointed_by', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('space_experts_pk', ['space_id', 'member_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('space_experts').execute();
  await db.schema.dropTable('member_badges').execute();
  await db.schema.dropTable('achievements').execute();
}
