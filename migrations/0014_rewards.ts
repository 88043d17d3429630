import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// The rewards catalog and what members redeemed from it. A redemption is paid by a ledger
// entry (kind 'redemption') written in the same transaction, and yields a voucher: a short
// code staff can type, and a signed token for the QR code. A voucher is used once.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rewards')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('image_file', 'text')
    .addColumn('price', 'integer', (c) => c.notNull())
    // null: unlimited.
    .addColumn('stock', 'integer')
    .addColumn('per_member_limit', 'integer')
    .addColumn('starts_at', 'text')
    .addColumn('ends_at', 'text')
    .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('rewards_price', sql`price > 0`)
    .addCheckConstraint('rewards_stock', sql`stock is null or stock >= 0`)
    .addCheckConstraint('rewards_limit', sql`per_member_limit is null or per_member_limit > 0`)
    .execute();

  await db.schema
    .createTable('redemptions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('reward_id', 'integer', (c) => c.notNull().references('rewards.id'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('price', 'integer', (c) => c.notNull())
    .addColumn('ledger_entry_id', 'integer', (c) => c.notNull().references('ledger_entries.id'))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('used_by', 'integer', (c) => c.references('members.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('redemptions_member').on('redemptions').columns(['member_id', 'reward_id']).execute();
  await db.schema.createIndex('redemptions_reward').on('redemptions').column('reward_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('redemptions').execute();
  await db.schema.dropTable('rewards').execute();
}
