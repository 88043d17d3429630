import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// Events in a space, and who is coming. Times are UTC instants plus the IANA zone they
// were planned in. An RSVP is one row per person (local or from another server); when the
// event is full, "going" waits in line (waitlisted_at orders the line).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('space_id', 'integer', (c) => c.notNull().references('spaces.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description_md', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description_html', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('timezone', 'text', (c) => c.notNull())
    .addColumn('address', 'text')
    // Shown only to people who are going.
    .addColumn('online_url', 'text')
    .addColumn('capacity', 'integer')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('scheduled'))
    .addColumn('cancel_reason', 'text')
    .addColumn('created_by', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addCheckConstraint('events_times', sql`ends_at > starts_at`)
    .addCheckConstraint('events_capacity', sql`capacity is null or capacity > 0`)
    .addCheckConstraint('events_status', sql`status in ('scheduled','cancelled')`)
    .execute();
  await db.schema.createIndex('events_starts').on('events').columns(['starts_at']).execute();
  await db.schema.createIndex('events_space').on('events').columns(['space_id', 'starts_at']).execute();

  await db.schema
    .createTable('event_rsvps')
    .addColumn('event_id', 'integer', (c) => c.notNull().references('events.id'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('waitlisted_at', 'text')
    .addColumn('checked_in_at', 'text')
    .addColumn('checked_in_by', 'integer', (c) => c.references('members.id'))
    // The Join activity of someone from another server, answered by Accept or Reject.
    .addColumn('join_ap_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('event_rsvps_pk', ['event_id', 'member_id'])
    .addCheckConstraint('event_rsvps_status', sql`status in ('going','maybe','not_going','waiting')`)
    .execute();
  await db.schema.createIndex('event_rsvps_line').on('event_rsvps').columns(['event_id', 'status', 'waitlisted_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('event_rsvps').execute();
  await db.schema.dropTable('events').execute();
}
