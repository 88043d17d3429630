import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// People and posts from other fediverse servers live in the same tables as local ones
// (as Mastodon's accounts do), so every page that shows an author or a thread shows
// remote ones without a second code path. `domain` is null for local members.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('members').addColumn('domain', 'text').execute();
  await db.schema.alterTable('members').addColumn('actor_iri', 'text').execute();
  await db.schema.alterTable('members').addColumn('profile_url', 'text').execute();
  await db.schema.alterTable('members').addColumn('avatar_url', 'text').execute();
  // The banner across the top of a profile here and on Mastodon (the actor's `image`).
  await db.schema.alterTable('members').addColumn('header_file', 'text').execute();
  // A member (local) chooses whether remote follows need their approval.
  await db.schema.alterTable('members').addColumn('approve_followers', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`create unique index members_actor_iri on members(actor_iri) where actor_iri is not null`.execute(db);
  await sql`create index members_domain on members(domain) where domain is not null`.execute(db);

  await db.schema.alterTable('posts').addColumn('ap_id', 'text').execute();
  await db.schema.alterTable('posts').addColumn('ap_url', 'text').execute();
  await sql`create unique index posts_ap_id on posts(ap_id) where ap_id is not null`.execute(db);
  // Boosts (Announce) from other servers: one per person per post, counted on the post.
  await db.schema.alterTable('posts').addColumn('share_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('post_shares')
    .addColumn('post_id', 'integer', (c) => c.notNull().references('posts.id').onDelete('cascade'))
    .addColumn('member_id', 'integer', (c) => c.notNull().references('members.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('post_shares_pk', ['post_id', 'member_id'])
    .execute();

  await db.schema.alterTable('spaces').addColumn('remote_posts', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('spaces').addColumn('approve_followers', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  // Remote people and their posts go with the columns that mark them.
  await sql`delete from reactions where member_id in (select id from members where domain is not null)`.execute(db);
  await sql`delete from posts where ap_id is not null`.execute(db);
  await sql`delete from members where domain is not null`.execute(db);
  await db.schema.dropTable('post_shares').execute();
  await db.schema.dropIndex('posts_ap_id').execute();
  await db.schema.dropIndex('members_actor_iri').execute();
  await db.schema.dropIndex('members_domain').execute();
  for (const column of ['ap_id', 'ap_url', 'share_count']) await db.schema.alterTable('posts').dropColumn(column).execute();
  for (const column of ['domain', 'actor_iri', 'profile_url', 'avatar_url', 'header_file', 'approve_followers']) {
    await db.schema.alterTable('members').dropColumn(column).execute();
  }
  for (const column of ['remote_posts', 'approve_followers']) await db.schema.alterTable('spaces').dropColumn(column).execute();
}
