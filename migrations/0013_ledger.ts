import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// The community currency as a double-entry ledger: every movement debits one account and
// credits another ('member:<id>', 'community:issuing', 'community:redemptions'). Entries
// are never changed or deleted (triggers refuse it); a correction is a new entry.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('debit', 'text', (c) => c.notNull())
    .addColumn('credit', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('rule', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    // What caused it (post:12, reaction:12:7...), unique so an event pays once.
    .addColumn('source', 'text')
    .addColumn('member_id', 'integer', (c) => c.references('members.id'))
    .addColumn('actor_id', 'integer', (c) => c.references('members.id'))
    .addColumn('reverses', 'integer', (c) => c.references('ledger_entries.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addCheckConstraint('ledger_amount', sql`amount > 0`)
    .addCheckConstraint('ledger_accounts', sql`debit <> credit`)
    .addCheckConstraint('ledger_kind', sql`kind in ('award','reversal','grant','deduction','gift','redemption','refund')`)
    .execute();
  await sql`create unique index ledger_source on ledger_entries(source) where source is not null`.execute(db);
  await sql`create unique index ledger_reverses on ledger_entries(reverses) where reverses is not null`.execute(db);
  await db.schema.createIndex('ledger_member').on('ledger_entries').columns(['member_id', 'id']).execute();
  await db.schema.createIndex('ledger_caps').on('ledger_entries').columns(['member_id', 'day', 'rule']).execute();
  await sql`create trigger ledger_entries_no_update before update on ledger_entries begin select raise(abort, 'ledger entries are never changed'); end`.execute(db);
  await sql`create trigger ledger_entries_no_delete before delete on ledger_entries begin select raise(abort, 'ledger entries are never deleted'); end`.execute(db);

  // Balances, kept in the same transaction as the entries; a check recomputes them from
  // the entries. Member wallets can never go below zero.
  await db.schema
    .createTable('ledger_balances')
    .addColumn('account', 'text', (c) => c.primaryKey())
    .addColumn('balance', 'integer', (c) => c.notNull().defaultTo(0))
    .addCheckConstraint('ledger_wallet_not_negative', sql`account not like 'member:%' or balance >= 0`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ledger_balances').execute();
  await db.schema.dropTable('ledger_entries').execute();
}
