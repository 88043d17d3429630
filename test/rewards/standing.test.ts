import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import { wallet } from '../../src/rewards/ledger.service.js';
import { periodKey } from '../../src/rewards/standing-totals.js';
import { type TestHearth, csrfFrom, generalSpace, loggedInAgent, makeHearth, makeMember } from '../helpers/hearth.js';
import { withoutIsolates } from '../helpers/isolates.js';

describe('levels, leaderboards, badges and expert reputation', () => {
  let h: TestHearth;
  let owner: MemberRow;
  beforeEach(async () => {
    h = await makeHearth({
      economy: {
        expert_threshold: 3,
        levels: [{ name: 'Bean', from: 0 }, { name: 'Roaster', from: 20 }, { name: 'Master roaster', from: 100 }],
        badges: [
          { id: 'first_post', name: 'First post', description: 'Started a first thread', rule: 'post', count: 1 },
          { id: 'liked', name: 'Liked', description: '2 reactions received', rule: 'reaction_received', count: 2 },
        ],
      },
    });
    owner = await makeMember(h, { role: 'owner', handle: 'boss' });
  });
  afterEach(() => h.destroy());

  /** An award for taking part, as EarningService writes one (the only kind standing counts, with its reversal). */
  let awards = 0;
  const award = (memberId: number, amount: number) =>
    h.database.db.transaction().execute((trx) =>
      h.services.ledger.record(trx, { debit: 'community:issuing', credit: wallet(memberId), amount, kind: 'award', rule: 'post', reason: 'Started a thread', source: `test-award:${++awards}`, memberId }),
    );

  const settle = async () => {
    await h.services.earning.idle();
    await h.services.notificationSubscribers.idle();
  };

  it('gives a badge once, when its count is reached, with a notification and a bell count', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    const general = await generalSpace(h);
    await h.services.posts.createThread(ana, general, { body: 'One' });
    await h.services.posts.createThread(ana, general, { body: 'Two' });
    await settle();
    expect((await h.services.achievements.held(ana.id)).map((b) => b.id)).to.deep.equal(['first_post']);
    const notes = await h.services.notifications.list(ana.id);
    expect(notes.items.map((n) => withoutIsolates(n.text))).to.deep.equal(['You earned the badge “First post”.']);

    const agent = await loggedInAgent(h, 'ana');
    const home = await agent.get('/').expect(200);
    expect(home.text).to.match(/class="count">1<span class="visually-hidden"> unread/);
    const list = await agent.get('/notifications').expect(200);
    expect(withoutIsolates(list.text)).to.contain('You earned the badge “First post”.');
    await agent.post('/notifications/read').type('form').send({ _csrf: csrfFrom(list.text) }).expect(303);
    expect(await h.services.notifications.unread(ana.id)).to.equal(0);
    const profile = await request(h.app).get('/@ana').expect(200);
    expect(profile.text).to.contain('First post').and.contain('Bean');
  });

  it('counts a remote person’s reactions and replies once each, and badges follow', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    const general = await generalSpace(h);
    const post = await h.services.posts.createThread(ana, general, { body: 'Our new roast' });
    const remote = await h.services.remote.upsertAuthor({
      actorIri: 'https://mastodon.example/users/zoe', username: 'zoe', domain: 'mastodon.example', displayName: 'Zoe', summary: '', avatarUrl: null, profileUrl: null,
    });
    await h.services.remote.setReaction(remote.id, post.id, 'like', true);
    await h.services.remote.setReaction(remote.id, post.id, 'love', true); // same person: once
    for (const n of [1, 2]) {
      await h.services.remote.addPost({ apId: `https://mastodon.example/notes/${n}`, apUrl: null, authorId: remote.id, title: null, html: `<p>Great ${n}</p>`, publishedAt: null, target: { parentId: post.id } });
    }
    await settle();
    // 5 for the post, 1 for the reactions, 1 for the replies (once per remote person).
    expect(await h.services.ledger.balance(wallet(ana.id))).to.equal(7);
    expect((await h.services.achievements.held(ana.id)).map((b) => b.id)).to.deep.equal(['first_post', 'liked']);
  });

  it('names levels from config by what was earned over all time, spending aside, and ranks members', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    const bob = await makeMember(h, { handle: 'bob' });
    await award(ana.id, 30);
    await award(bob.id, 10);
    await h.services.ledger.gift(ana, bob.id, 25, 'thanks'); // gifts move currency, not standing
    const anaStanding = await h.services.standing.of(ana.id);
    expect(anaStanding).to.deep.include({ earned: 30, level: 'Roaster', rank: 1, next: { name: 'Master roaster', from: 100, toGo: 70 } });
    expect(await h.services.standing.of(bob.id)).to.deep.include({ earned: 10, level: 'Bean', rank: 2 });
    const board = await h.services.standing.leaderboard('all');
    expect(board.map((r) => [r.rank, r.handle, r.earned, r.level])).to.deep.equal([[1, 'ana', 30, 'Roaster'], [2, 'bob', 10, 'Bean']]);
  });

  it('keeps leaderboards for this week, this month and all time', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    const bob = await makeMember(h, { handle: 'bob' });
    const now = new Date();
    const weekStart = periodKey('week', now, 'UTC').slice('week:'.length);
    const monthStart = `${periodKey('month', now, 'UTC').slice('month:'.length)}-01`;
    const dayBefore = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    // Entries as they would have been written on earlier days (balances are not what this test is about).
    const old = (memberId: number, amount: number, day: string, n: number) =>
      h.database.db.insertInto('ledger_entries').values({
        debit: 'community:issuing', credit: wallet(memberId), amount, kind: 'award', rule: 'post', reason: 'old', source: `old:${memberId}:${n}`,
        member_id: memberId, actor_id: null, reverses: null, day, created_at: `${day}T12:00:00.000Z`,
      }).execute();
    await old(ana.id, 50, '2020-01-01', 1);
    await old(bob.id, 8, dayBefore(monthStart) < weekStart ? dayBefore(monthStart) : dayBefore(weekStart), 2);
    // Entries written behind the ledger's back are not in the kept totals until they are rebuilt from it.
    await h.database.db.transaction().execute((trx) => h.services.standingTotals.rebuild(trx));
    await award(bob.id, 3);
    const handles = async (p: 'week' | 'month' | 'all') => (await h.services.standing.leaderboard(p)).map((r) => `${r.handle}:${r.earned}`);
    expect(await handles('all')).to.deep.equal(['ana:50', 'bob:11']);
    expect(await handles('week')).to.deep.equal(['bob:3']);
    expect(await handles('month')).to.deep.equal(['bob:3']);
    expect(periodKey('week', new Date('2026-11-22T10:00:00Z'), 'UTC')).to.equal('week:2026-11-16'); // a Sunday: the week began on Monday
    expect(periodKey('month', new Date('2026-11-22T10:00:00Z'), 'UTC')).to.equal('month:2026-11');
    const page = await request(h.app).get('/leaderboard?period=all').expect(200);
    expect(page.text).to.match(/ana[\s\S]*bob/);
    await request(h.app).get('/leaderboard?period=decade').expect(200); // unknown periods fall back to this week
  });

  it('marks experts beside their name in the space where they earned it, and lets admins appoint more', async () => {
    const ana = await makeMember(h, { handle: 'ana', displayName: 'Ana' });
    const bob = await makeMember(h, { handle: 'bob', displayName: 'Bob' });
    const general = await generalSpace(h);
    const brewing = await h.services.spaces.create(owner, { name: 'Brewing', slug: 'brewing', description: '', visibility: 'public' });
    const post = await h.services.posts.createThread(ana, brewing, { body: 'Pour-over ratios' });
    for (const fan of await Promise.all([1, 2, 3].map(() => makeMember(h)))) await h.services.reactions.toggle(fan, post.id, 'like');
    await h.services.posts.reply(bob, post.id, { body: 'Thanks!' });
    const elsewhere = await h.services.posts.createThread(ana, general, { body: 'Hello' });
    await settle();

    const thread = await request(h.app).get(`/p/${post.id}`).expect(200);
    expect(thread.text).to.contain('Expert in <bdi>Brewing</bdi>');
    expect((thread.text.match(/class="expert"/g) ?? []).length).to.equal(1); // Ana, not Bob
    const other = await request(h.app).get(`/p/${elsewhere.id}`).expect(200);
    expect(other.text).not.to.contain('class="expert"');
    expect((await h.services.standing.of(ana.id)).expertIn.map((x) => [x.slug, x.reputation])).to.deep.equal([['brewing', 3]]);

    const admin = await loggedInAgent(h, 'boss');
    const page = await admin.get('/admin/economy').expect(200);
    await admin.post('/admin/economy/experts').type('form').send({ _csrf: csrfFrom(page.text), expert: 'bob', space: 'general' }).expect(303);
    const appointed = await request(h.app).get(`/p/${elsewhere.id}`).expect(200);
    expect(appointed.text).not.to.contain('Expert in General'); // Bob has not posted there: nothing beside his name to mark
    await h.services.posts.reply(bob, elsewhere.id, { body: 'Welcome!' });
    expect((await request(h.app).get(`/p/${elsewhere.id}`)).text).to.contain('Expert in');
    const log = await h.services.moderation.readLog(owner);
    expect(log.map((l) => l.action)).to.include('economy.expert_appointed');
    await admin.post('/admin/economy/experts').type('form').send({ _csrf: csrfFrom(page.text), expert: 'nobody', space: 'general' }).expect(422);
  });

  it('takes a removed post’s reactions out of reputation and badge counts', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    const general = await generalSpace(h);
    const post = await h.services.posts.createThread(ana, general, { body: 'Spam?' });
    for (const fan of await Promise.all([1, 2, 3].map(() => makeMember(h)))) await h.services.reactions.toggle(fan, post.id, 'like');
    await settle();
    expect((await h.services.standing.of(ana.id)).expertIn).to.have.length(1);
    await h.services.moderation.removePost(owner, post.id, 'spam');
    await settle();
    expect((await h.services.standing.of(ana.id)).expertIn).to.deep.equal([]);
    // Badges already given stay given.
    expect((await h.services.achievements.held(ana.id)).map((b) => b.id)).to.deep.equal(['first_post', 'liked']);
  });

  it('pays for accepted answers, attended events, shipped ideas and published stories from their events, once each', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    const general = await generalSpace(h);
    const { bus } = h.services;
    for (let i = 0; i < 2; i++) {
      bus.emit('answer.accepted', { postId: 900, authorId: ana.id, spaceId: general.id, by: owner.id });
      bus.emit('event.attended', { eventId: 7, memberId: ana.id, spaceId: null });
      bus.emit('idea.shipped', { postId: 901, authorId: ana.id, spaceId: general.id });
      bus.emit('story.published', { storyId: 3, authorId: ana.id });
    }
    await settle();
    const reasons = (await h.services.ledger.history(ana.id)).items.map((e) => `${e.reason} +${e.amount}`).sort();
    expect(reasons).to.deep.equal(['Attended an event +10', 'Your answer was accepted +10', 'Your idea shipped +20', 'Your story was published +15']);
    // An accepted answer weighs 10 in reputation: past this community's threshold of 3.
    expect((await h.services.standing.of(ana.id)).expertIn.map((x) => [x.slug, x.reputation])).to.deep.equal([['general', 10]]);
  });
});
