import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { PostRow } from '../../src/community/post.table.js';
import { type SqlStats, resetSqlStats, sqlStats } from '../../src/db/sql-stats.js';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth } from './helpers/hearth-server.js';
import { type RemoteActor, RemoteServer } from './helpers/remote.js';

/**
 * An inbound activity is one unit of work: stored and applied in one transaction, one
 * commit, and nothing of it written when any step fails. Counted with the bench's own
 * switch (HEARTH_SQL_STATS, src/db/sql-stats.ts), in this process.
 */
describe('each inbound activity is one transaction', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let threads: PostRow[];
  let senders: RemoteActor[];
  let dir: string;
  let n = 0;

  const vars = (actor: RemoteActor, thread: PostRow) => ({ actor: actor.id, name: actor.name, origin: remote.origin, hearthHost: h.host, inReplyTo: `${h.url}/p/${thread.id}`, mentioned: `${h.url}/@ana`, object: `${h.url}/p/${thread.id}` });
  const like = (actor: RemoteActor, thread: PostRow) => ({ ...fixture('mastodon/like', vars(actor, thread)), id: `${actor.id}#likes/${++n}` });
  const reply = (actor: RemoteActor, thread: PostRow) => {
    const doc: Record<string, any> = fixture('mastodon/create-reply', vars(actor, thread));
    const id = `${actor.id}/statuses/${++n}`;
    return { ...doc, id: `${id}/activity`, object: { ...doc.object, id, url: id } };
  };
  const idle = async () => {
    await h.hearth.services.earning.idle();
    await h.hearth.services.notificationSubscribers.idle();
    await h.hearth.federation!.publisher.idle();
  };
  /**
   * The inbox's own work for one activity: what it stores and applies, up to its answer.
   * Its domain events are held back meanwhile (awards and notifications are written after
   * the commit, many to a transaction, by their own batchers).
   */
  const own = async (who: RemoteActor, activity: unknown): Promise<SqlStats> => {
    await idle();
    const bus = h.hearth.services.bus;
    const emit = bus.emit;
    bus.emit = () => undefined;
    try {
      resetSqlStats();
      const answer = await remote.send(who, `${h.url}/inbox`, activity);
      expect(answer.status, answer.body).to.equal(202);
      expect(JSON.parse(answer.body)).to.deep.equal({ outcome: 'applied' });
      return sqlStats();
    } finally {
      bus.emit = emit;
    }
  };
  const count = async (table: 'members' | 'ap_streams' | 'posts' | 'reactions') =>
    Number((await h.hearth.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hearth-sql-stats-'));
    process.env.HEARTH_SQL_STATS = path.join(dir, 'stats.json');
    try {
      h = await serveHearth({ community: { handle: 'bikeshop' } });
    } finally {
      delete process.env.HEARTH_SQL_STATS;
    }
    remote = await RemoteServer.start();
    const ana = await makeMember(h.hearth, { handle: 'ana' });
    const general = await h.hearth.services.spaces.getVisible(null, 'general');
    threads = [];
    for (let i = 0; i < 5; i++) threads.push(await h.hearth.services.posts.createThread(ana, general, { title: `Ride ${i}`, body: 'Who is in?' }));
    senders = Array.from({ length: 8 }, (_, i) => remote.actor(`rider${i}`));
    // Known senders, as on a server that has federated for a while: each liked twice already.
    for (const s of senders) expect((await remote.send(s, `${h.url}/inbox`, like(s, threads[3]!))).status).to.equal(202);
    for (const s of senders) expect((await remote.send(s, `${h.url}/inbox`, { ...like(s, threads[3]!), type: 'EmojiReact', content: '❤️' })).status).to.equal(202);
  });
  after(async () => {
    await h.close();
    await remote.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a Like is one commit and at most 9 statements, the sender read once', async () => {
    for (const [i, s] of senders.slice(0, 3).entries()) {
      const stats = await own(s, like(s, threads[i]!));
      expect(stats.commits, JSON.stringify(stats, null, 1)).to.equal(1);
      expect(stats.autocommits).to.equal(0);
      expect(stats.statements, JSON.stringify(stats, null, 1)).to.be.at.most(9);
      expect(stats.bySql['select * from "members" where "actor_iri" = ?']).to.equal(1);
    }
  });

  it('a reply is one commit and at most 12 statements: stored, threaded and counted together', async () => {
    for (const [i, s] of senders.slice(0, 3).entries()) {
      const stats = await own(s, reply(s, threads[i]!));
      expect(stats.commits, JSON.stringify(stats, null, 1)).to.equal(1);
      expect(stats.autocommits).to.equal(0);
      expect(stats.statements, JSON.stringify(stats, null, 1)).to.be.at.most(12);
    }
  });

  it('activities arriving together share commits: each applied, none lost', async () => {
    await idle();
    const before = await count('reactions');
    resetSqlStats();
    const answers = await Promise.all(senders.map((s) => remote.send(s, `${h.url}/inbox`, like(s, threads[4]!))));
    for (const a of answers) expect(a.status, a.body).to.equal(202);
    await idle();
    expect(await count('reactions')).to.equal(before + senders.length);
    expect(sqlStats().autocommits).to.equal(0);
  });

  it('in a burst, an activity that fails is rolled back alone: the others are applied, and only theirs pay and notify', async () => {
    const sqlite = h.hearth.database.sqlite;
    const [good, bad] = [threads[0]!, threads[1]!];
    const fresh = Array.from({ length: 6 }, (_, i) => remote.actor(`burst${i}`));
    await idle();
    const notices = async () => Number((await h.hearth.database.db.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = { members: await count('members'), reactions: await count('reactions'), notices: await notices() };
    sqlite.exec(`create temp trigger fail_one before insert on reactions when new.post_id = ${bad.id} begin select raise(abort, 'the disk is full'); end`);
    let answers: { status: number }[];
    try {
      // Half the new senders like the good thread, half the bad one, all at once.
      answers = await Promise.all(fresh.map((s, i) => remote.send(s, `${h.url}/inbox`, like(s, i % 2 ? bad : good))));
      await idle();
    } finally {
      sqlite.exec('drop trigger fail_one');
    }
    expect(answers.map((a) => a.status)).to.deep.equal(fresh.map((_, i) => (i % 2 ? 500 : 202)));
    // Three likers of the good thread became authors here, reacted, and ana heard of each; the others left nothing.
    expect(await count('members')).to.equal(before.members + 3);
    expect(await count('reactions')).to.equal(before.reactions + 3);
    expect(await notices()).to.equal(before.notices + 3);
    for (const [i, s] of fresh.entries()) expect(!!(await h.hearth.services.remote.findAuthor(s.id))).to.equal(i % 2 === 0);
  });

  it('a Like that fails midway leaves nothing written, not even its new author, and its retry applies it', async () => {
    const stranger = remote.actor('stranger');
    const sqlite = h.hearth.database.sqlite;
    sqlite.exec(`create temp trigger fail_reaction before insert on reactions begin select raise(abort, 'the disk is full'); end`);
    const before = { members: await count('members'), streams: await count('ap_streams'), reactions: await count('reactions') };
    const activity = like(stranger, threads[0]!);
    try {
      expect((await remote.send(stranger, `${h.url}/inbox`, activity)).status).to.equal(500);
    } finally {
      sqlite.exec('drop trigger fail_reaction');
    }
    expect({ members: await count('members'), streams: await count('ap_streams'), reactions: await count('reactions') }).to.deep.equal(before);
    expect(await h.hearth.services.remote.findAuthor(stranger.id)).to.equal(undefined);
    expect(JSON.parse((await remote.send(stranger, `${h.url}/inbox`, activity)).body)).to.deep.equal({ outcome: 'applied' });
    expect(await count('reactions')).to.equal(before.reactions + 1);
  });

  it('a reply that fails midway leaves no post, no author, no stored activity, and no announce', async () => {
    const newcomer = remote.actor('newcomer');
    const sqlite = h.hearth.database.sqlite;
    sqlite.exec(`create temp trigger fail_count before update of reply_count on posts begin select raise(abort, 'the disk is full'); end`);
    await idle();
    const before = { members: await count('members'), streams: await count('ap_streams'), posts: await count('posts') };
    const activity = reply(newcomer, threads[1]!);
    try {
      expect((await remote.send(newcomer, `${h.url}/inbox`, activity)).status).to.equal(500);
      await idle();
    } finally {
      sqlite.exec('drop trigger fail_count');
    }
    // The post row was inserted before the count failed: it went with the rest.
    expect({ members: await count('members'), streams: await count('ap_streams'), posts: await count('posts') }).to.deep.equal(before);
    expect(JSON.parse((await remote.send(newcomer, `${h.url}/inbox`, activity)).body)).to.deep.equal({ outcome: 'applied' });
    await idle();
    expect(await count('posts')).to.equal(before.posts + 1);
  });
});
