import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import type { PostRow } from '../../src/community/post.table.js';
import { insertPost } from '../../src/community/post.service.js';
import { once } from '../../src/core/once.js';
import { wallet } from '../../src/rewards/ledger.service.js';
import { hiddenFields } from '../helpers/forms.js';
import { type Agent, type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember, settleDomain } from '../helpers/hearth.js';

type Sent = { status: number; headers: Record<string, string> };

/** The form on `page` posting to `action`, filled in with `typed`, as a browser would send it. */
async function filled(agent: Agent, page: string, action: string, typed: Record<string, string>): Promise<Record<string, string>> {
  const html = (await agent.get(page).expect(200)).text;
  return { ...hiddenFields(html, action), ...typed };
}

/** The same form sent twice, one after the other (a double click without JavaScript), or at once (`race`). */
async function twice(agent: Agent, page: string, action: string, typed: Record<string, string>, race = false): Promise<Sent[]> {
  const body = await filled(agent, page, action, typed);
  expect(body._once, 'the form carries a one-time key').to.match(/^[A-Za-z0-9_-]{16,64}$/);
  const send = () => agent.post(action).type('form').send(body);
  return race ? Promise.all([send(), send()]) : [await send(), await send()];
}

// Issue 13, fault 5: a new thread (plain, poll, idea, question), a reply or a story sent twice
// makes one post or story, tells people once and pays once; both sends show the result.
describe('writing something twice with one click', () => {
  let h: TestHearth;
  let ana: MemberRow;
  let bob: MemberRow;
  let thread: PostRow;
  beforeEach(async () => {
    h = await makeHearth({ economy: { earn: { post: 4, reply: 3 } } });
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
    thread = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'Opening hours', body: 'When do you open?' });
    await settleDomain(h);
  });
  afterEach(() => h.destroy());

  const postsBy = (m: MemberRow) => h.database.db.selectFrom('posts').selectAll().where('author_id', '=', m.id).orderBy('id').execute();
  const awards = async (m: MemberRow, rule: string) => {
    await settleDomain(h);
    return h.database.db.selectFrom('ledger_entries').select(['kind', 'amount']).where('member_id', '=', m.id).where('rule', '=', rule).execute();
  };
  const replyNotices = async (m: MemberRow) => {
    await settleDomain(h);
    return (await h.database.db.selectFrom('notifications').selectAll().where('member_id', '=', m.id).execute()).filter((n) => /repl/i.test(n.kind));
  };

  it('a reply sent twice is one reply, one notice to the author, one award, and both sends show it', async () => {
    const agent = await loggedInAgent(h, 'bob');
    const sent = await twice(agent, `/p/${thread.id}`, `/p/${thread.id}/reply`, { body: 'At eight.' });
    const replies = await postsBy(bob);
    expect(replies).to.have.length(1);
    expect(sent.map((r) => [r.status, r.headers.location])).to.deep.equal([
      [303, `/p/${thread.id}#p-${replies[0]!.id}`],
      [303, `/p/${thread.id}#p-${replies[0]!.id}`],
    ]);
    expect((await h.database.db.selectFrom('posts').select('reply_count').where('id', '=', thread.id).executeTakeFirstOrThrow()).reply_count).to.equal(1);
    expect(await replyNotices(ana)).to.have.length(1);
    expect(await awards(bob, 'reply')).to.deep.equal([{ kind: 'award', amount: 3 }]);
  });

  it('two replies written in two forms (two keys) are two replies', async () => {
    const agent = await loggedInAgent(h, 'bob');
    for (const body of ['At eight.', 'On Sundays at ten.']) {
      await agent.post(`/p/${thread.id}/reply`).type('form').send(await filled(agent, `/p/${thread.id}`, `/p/${thread.id}/reply`, { body })).expect(303);
    }
    expect((await postsBy(bob)).map((p) => p.body_md)).to.deep.equal(['At eight.', 'On Sundays at ten.']);
    expect(await awards(bob, 'reply')).to.have.length(2);
  });

  it('a reply sent twice at the same moment (racing requests) is one reply', async () => {
    const agent = await loggedInAgent(h, 'bob');
    const sent = await twice(agent, `/p/${thread.id}`, `/p/${thread.id}/reply`, { body: 'At eight.' }, true);
    expect(sent.map((r) => r.status)).to.deep.equal([303, 303]);
    expect(await postsBy(bob)).to.have.length(1);
    expect(await replyNotices(ana)).to.have.length(1);
  });

  it('a new thread sent twice, one after the other or racing, is one thread, paid once', async () => {
    const agent = await loggedInAgent(h, 'bob');
    const sent = await twice(agent, '/s/general', '/s/general', { title: 'Oat milk?', body: 'Do you have it?' });
    const threads = await postsBy(bob);
    expect(threads).to.have.length(1);
    expect(sent.map((r) => [r.status, r.headers.location])).to.deep.equal([[303, `/p/${threads[0]!.id}`], [303, `/p/${threads[0]!.id}`]]);
    await twice(agent, '/s/general', '/s/general', { title: 'Decaf?', body: 'And decaf?' }, true);
    expect((await postsBy(bob)).map((p) => p.title)).to.deep.equal(['Oat milk?', 'Decaf?']);
    expect(await awards(bob, 'post')).to.deep.equal([{ kind: 'award', amount: 4 }, { kind: 'award', amount: 4 }]);
  });

  it('a poll thread and a question sent twice are one poll and one question', async () => {
    const agent = await loggedInAgent(h, 'bob');
    await twice(agent, '/s/general', '/s/general', { title: 'Which milk?', body: 'Vote!', pollOptions: 'Oat\nWhole', pollCloses: '24' });
    await twice(agent, '/s/general', '/s/general', { title: 'Gluten-free?', body: 'Any cakes?', question: '1' });
    const threads = await postsBy(bob);
    expect(threads.map((p) => p.title)).to.deep.equal(['Which milk?', 'Gluten-free?']);
    expect(await h.database.db.selectFrom('polls').select('post_id').execute()).to.deep.equal([{ post_id: threads[0]!.id }]);
    expect(await h.database.db.selectFrom('poll_options').select('name').where('post_id', '=', threads[0]!.id).execute()).to.have.length(2);
    expect(await h.database.db.selectFrom('questions').select('post_id').execute()).to.deep.equal([{ post_id: threads[1]!.id }]);
  });

  it('an idea sent twice on a board is one idea', async () => {
    const owner = await makeMember(h, { role: 'owner', handle: 'boss' });
    await h.services.spaces.create(owner, { slug: 'ideas', name: 'Ideas', description: 'Next?', visibility: 'public', kind: 'ideas' });
    const agent = await loggedInAgent(h, 'bob');
    const sent = await twice(agent, '/s/ideas', '/s/ideas', { title: 'Oat milk', body: 'Please.' });
    const ideas = await postsBy(bob);
    expect(ideas).to.have.length(1);
    expect(sent.map((r) => r.headers.location)).to.deep.equal([`/p/${ideas[0]!.id}`, `/p/${ideas[0]!.id}`]);
    expect(await h.database.db.selectFrom('ideas').select('post_id').execute()).to.deep.equal([{ post_id: ideas[0]!.id }]);
  });

  it('when a racing twin gets past the lookup, the unique key refuses its insert and the first post is answered', async () => {
    const general = await generalSpace(h);
    const key = 'k'.repeat(22);
    const write = () => h.database.db.transaction().execute(async (trx) => ({
      row: await insertPost(trx, { spaceId: general.id, authorId: bob.id, parent: null, title: 'Oat?', body: 'Oat?', html: '<p>Oat?</p>', at: new Date().toISOString(), key }),
      fresh: true,
    }));
    const first = await once(write, async () => undefined);
    const lookups: string[] = [];
    const second = await once(write, async () => {
      lookups.push('after the refusal');
      return h.database.db.selectFrom('posts').selectAll().where('submission_key', '=', key).executeTakeFirst();
    });
    expect(second).to.deep.equal({ row: first.row, fresh: false });
    expect(lookups).to.deep.equal(['after the refusal']);
    // Another author may use the same key: keys are unique per author.
    await h.database.db.transaction().execute((trx) => insertPost(trx, { spaceId: general.id, authorId: ana.id, parent: null, title: null, body: 'Yes', html: '<p>Yes</p>', at: new Date().toISOString(), key }));
    expect(await h.database.db.selectFrom('posts').select('author_id').where('submission_key', '=', key).orderBy('id').execute()).to.deep.equal([{ author_id: bob.id }, { author_id: ana.id }]);
  });

  it('a story sent twice is one story in the queue; another form sends another', async () => {
    const agent = await loggedInAgent(h, 'bob');
    const sent = await twice(agent, '/submit', '/submit', { title: 'My first latte', body: 'It was a heart.' });
    expect(sent.map((r) => [r.status, r.headers.location])).to.deep.equal([[303, '/submit?sent=1'], [303, '/submit?sent=1']]);
    await twice(agent, '/submit', '/submit', { title: 'My second latte', body: 'A tulip.' }, true);
    const stories = await h.database.db.selectFrom('stories').select('title').where('author_id', '=', bob.id).orderBy('id').execute();
    expect(stories.map((s) => s.title)).to.deep.equal(['My first latte', 'My second latte']);
  });
});

// Issue 13, fault 5 at the door: a check-in (or its undo) sent twice shows the event, pays once.
describe('checking someone in twice', () => {
  let h: TestHearth;
  afterEach(() => h.destroy());

  it('shows the page both times, pays once, and an undo sent twice takes back once', async () => {
    h = await makeHearth();
    const organiser = await makeMember(h, { role: 'moderator', handle: 'organiser' });
    const ana = await makeMember(h, { handle: 'ana' });
    const at = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 16);
    const event = await h.services.events.create(organiser, {
      spaceId: (await generalSpace(h)).id, title: 'Latte art night', description: '', startsLocal: at(10 * 60_000), endsLocal: at(130 * 60_000),
      timezone: 'UTC', address: '', onlineUrl: '', capacity: null,
    });
    await h.services.events.rsvp(ana, event.id, 'going');
    const staff = await loggedInAgent(h, 'organiser');
    const page = `/events/${event.id}`;
    // A check-in names the state it asks for (this person, present), so it needs no one-time key.
    const body = await filled(staff, page, `${page}/check-in`, { memberId: String(ana.id) });
    const checkIn = [await staff.post(`${page}/check-in`).type('form').send(body), await staff.post(`${page}/check-in`).type('form').send(body)];
    expect(checkIn.map((r) => [r.status, r.headers.location])).to.deep.equal([[303, `${page}#attendees`], [303, `${page}#attendees`]]);
    await settleDomain(h);
    expect(await h.services.ledger.balance(wallet(ana.id))).to.equal(10);
    const undoBody = await filled(staff, page, `${page}/check-in/undo`, { memberId: String(ana.id) });
    const undo = [await staff.post(`${page}/check-in/undo`).type('form').send(undoBody), await staff.post(`${page}/check-in/undo`).type('form').send(undoBody)];
    expect(undo.map((r) => r.status)).to.deep.equal([303, 303]);
    await settleDomain(h);
    expect(await h.services.ledger.balance(wallet(ana.id))).to.equal(0);
    const entries = await h.database.db.selectFrom('ledger_entries').select('kind').where('member_id', '=', ana.id).orderBy('id').execute();
    expect(entries.map((e) => e.kind)).to.deep.equal(['award', 'reversal']);
  });
});

// Issue 13, fault 5 for the staff's "new" forms: an event or a product sent twice is one.
describe('staff creating something twice with one click', () => {
  let h: TestHearth;
  beforeEach(async () => {
    h = await makeHearth();
  });
  afterEach(() => h.destroy());

  it('an event sent twice is one event, announced once; another form makes another', async () => {
    const organiser = await makeMember(h, { role: 'moderator', handle: 'organiser' });
    const announced: number[] = [];
    h.services.bus.on('event.created', (e) => void announced.push(e.eventId));
    const staff = await loggedInAgent(h, 'organiser');
    const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const general = await generalSpace(h);
    const typed = (title: string) => ({ spaceId: String(general.id), title, description: 'Bring a cup.', startsLocal: `${day}T19:30`, endsLocal: `${day}T21:30`, timezone: 'UTC', address: 'Here', onlineUrl: '', capacity: '' });
    const sent = await twice(staff, '/events/new', '/events', typed('Latte art night'));
    const made = await h.database.db.selectFrom('events').select(['id', 'title']).where('created_by', '=', organiser.id).execute();
    expect(made.map((e) => e.title)).to.deep.equal(['Latte art night']);
    expect(sent.map((r) => [r.status, r.headers.location])).to.deep.equal([[303, `/events/${made[0]!.id}`], [303, `/events/${made[0]!.id}`]]);
    await twice(staff, '/events/new', '/events', typed('Cupping'), true);
    expect((await h.database.db.selectFrom('events').select('title').execute()).map((e) => e.title)).to.deep.equal(['Latte art night', 'Cupping']);
    expect(announced).to.have.length(2);
  });

  it('a space sent twice is made once and shown, not "already exists"', async () => {
    await makeMember(h, { role: 'admin', handle: 'boss' });
    const admin = await loggedInAgent(h, 'boss');
    const sent = await twice(admin, '/admin/spaces', '/admin/spaces', { slug: 'beans', name: 'Beans', description: 'Origins.', visibility: 'public', kind: 'discussion' });
    expect(sent.map((r) => [r.status, r.headers.location])).to.deep.equal([[303, '/s/beans'], [303, '/s/beans']]);
    expect(await h.database.db.selectFrom('spaces').select('slug').where('slug', '=', 'beans').execute()).to.have.length(1);
    // Another form with the same address is still told it is taken.
    const again = await admin.post('/admin/spaces').type('form').send(await filled(admin, '/admin/spaces', '/admin/spaces', { slug: 'beans', name: 'Beans 2', description: '', visibility: 'public' }));
    expect(again.status).to.equal(422);
    expect(again.text).to.contain('A space with that address already exists.');
  });

  it('a product sent twice is listed once', async () => {
    await makeMember(h, { role: 'admin', handle: 'boss' });
    const admin = await loggedInAgent(h, 'boss');
    const sent = await twice(admin, '/admin/products', '/admin/products', { name: 'Flat white', description: 'Double shot.' });
    const products = await h.database.db.selectFrom('products').select(['id', 'name']).execute();
    expect(products.map((p) => p.name)).to.deep.equal(['Flat white']);
    expect(sent.map((r) => r.headers.location)).to.deep.equal([`/products/${products[0]!.id}`, `/products/${products[0]!.id}`]);
  });
});
