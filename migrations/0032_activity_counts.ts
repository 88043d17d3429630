import { type Kysely, sql } from 'kysely';

// Frozen: migrations import nothing from src/.
// NodeInfo's usage (how many members, how many active this month and half-year, how many
// local posts) counted every member's posts, reactions and sign-ins on each refresh: 30 s
// of a blocked server at a million posts. Both are kept instead, by the database itself,
// so no path that writes a post, a reaction or a session can forget them:
// - members.last_active_day: the UTC day (YYYY-MM-DD) a local member last posted, reacted
//   or signed in; "active this month" is a range of members_last_active.
// - community_counts 'local_posts': local posts neither deleted nor removed (posts are
//   never restored nor deleted as rows).
// The triggers are SQLite's; on PostgreSQL each becomes a trigger function (plpgsql) with
// the same statements, or the same updates in the writing services.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table members add column last_active_day text`.execute(db);
  await sql`create index members_last_active on members(status, last_active_day) where domain is null`.execute(db);
  await db.schema
    .createTable('community_counts')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  const touch = (member: string, at: string) => sql.raw(`
      update members set last_active_day = substr(${at}, 1, 10)
      where id = ${member} and domain is null and (last_active_day is null or last_active_day < substr(${at}, 1, 10));`);
  await sql`create trigger posts_activity after insert on posts begin
      ${touch('new.author_id', 'new.created_at')}
      update community_counts set n = n + 1
      where key = 'local_posts' and new.deleted_at is null and new.removed_at is null
        and exists (select 1 from members where id = new.author_id and domain is null);
    end`.execute(db);
  await sql`create trigger posts_gone after update of deleted_at, removed_at on posts
      when old.deleted_at is null and old.removed_at is null and (new.deleted_at is not null or new.removed_at is not null)
    begin
      update community_counts set n = n - 1
      where key = 'local_posts' and exists (select 1 from members where id = new.author_id and domain is null);
    end`.execute(db);
  await sql`create trigger reactions_activity after insert on reactions begin ${touch('new.member_id', 'new.created_at')} end`.execute(db);
  await sql`create trigger sessions_activity after insert on sessions begin ${touch('new.member_id', 'new.created_at')} end`.execute(db);

  // What an existing community has done so far.
  await sql`
    insert into community_counts (key, n)
    select 'local_posts', count(*) from posts p join members m on m.id = p.author_id
    where m.domain is null and p.deleted_at is null and p.removed_at is null`.execute(db);
  await sql`
    update members set last_active_day = (
      select substr(max(at), 1, 10) from (
        select max(created_at) as at from posts where author_id = members.id
        union all select max(created_at) from reactions where member_id = members.id
        union all select max(created_at) from sessions where member_id = members.id))
    where domain is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['sessions_activity', 'reactions_activity', 'posts_gone', 'posts_activity']) await sql.raw(`drop trigger ${t}`).execute(db);
  await db.schema.dropTable('community_counts').execute();
  await sql`drop index members_last_active`.execute(db);
  await sql`alter table members drop column last_active_day`.execute(db);
}
