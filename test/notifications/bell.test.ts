import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import { type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember, settleDomain } from '../helpers/hearth.js';
import { withoutIsolates } from '../helpers/isolates.js';

// Issue 13, fault 13: opening /notifications reads what it shows (the bell on that very
// page counts what is left), and every notification names its subject and links to it.
describe('the bell', () => {
  let h: TestHearth;
  let ana: MemberRow;
  let bob: MemberRow;
  const bellCount = (html: string): string | null => /class="bell[^"]*"[^>]*>[\s\S]*?<span class="count">(\d+)/.exec(html)?.[1] ?? null;

  beforeEach(async () => {
    h = await makeHearth({ economy: { badges: [] } });
    ana = await makeMember(h, { handle: 'ana' });
    bob = await makeMember(h, { handle: 'bob' });
  });
  afterEach(() => h.destroy());

  it('marks what the list shows as read when it is opened, and the bell on that page agrees', async () => {
    const general = await generalSpace(h);
    const post = await h.services.posts.createThread(ana, general, { title: 'Opening hours', body: 'We open at 7' });
    for (let i = 0; i < 4; i += 1) await h.services.posts.reply(bob, post.id, { body: `Reply ${i}` });
    await settleDomain(h);
    const agent = await loggedInAgent(h, 'ana');
    expect(bellCount((await agent.get('/').expect(200)).text)).to.equal('4');
    const list = (await agent.get('/notifications').expect(200)).text;
    expect(bellCount(list)).to.equal(null);
    // Shown as new this once, then read.
    expect(list.match(/class="badge">new</g)).to.have.length(4);
    expect(await h.services.notifications.unread(ana.id)).to.equal(0);
    expect((await agent.get('/notifications').expect(200)).text).not.to.contain('class="badge">new<');
  });

  it('leaves unread what the page did not show (older pages)', async () => {
    const post = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'Busy', body: 'x' });
    for (let i = 0; i < 33; i += 1) await h.services.posts.reply(bob, post.id, { body: `Reply ${i}` });
    await settleDomain(h);
    const agent = await loggedInAgent(h, 'ana');
    const list = (await agent.get('/notifications').expect(200)).text;
    expect(bellCount(list)).to.equal('3');
  });

  it('names the subject of every notification and links to it', async () => {
    const general = await generalSpace(h);
    const post = await h.services.posts.createThread(ana, general, { title: 'Opening hours', body: 'We open at 7' });
    const reply = await h.services.posts.reply(bob, post.id, { body: 'And on Sundays? cc @ana' });
    const deep = await h.services.posts.reply(ana, reply.id, { body: 'Closed on Sundays, @bob' });
    await h.services.reactions.toggle(ana, reply.id, 'like');
    const untitled = await h.services.posts.createThread(bob, general, { body: 'Fresh croissants today' });
    await h.services.posts.reply(ana, untitled.id, { body: 'Save me one' });
    await settleDomain(h);
    const notes = async (m: MemberRow) => (await h.services.notifications.list(m.id)).items.map((n) => [withoutIsolates(n.text), n.link]);
    expect(await notes(ana)).to.deep.equal([['@bob replied to your post “Opening hours”: “And on Sundays? cc @ana”', `/p/${post.id}#p-${reply.id}`]]);
    expect(await notes(bob)).to.deep.include.members([
      ['@ana replied to your post “Fresh croissants today”: “Save me one”', `/p/${untitled.id}#p-${untitled.id + 1}`],
      ['@ana reacted to your post “Opening hours”.', `/p/${post.id}#p-${reply.id}`],
      ['@ana replied to your reply in “Opening hours”: “Closed on Sundays, @bob”', `/p/${post.id}#p-${deep.id}`],
    ]);
    const page = withoutIsolates((await (await loggedInAgent(h, 'bob')).get('/notifications').expect(200)).text);
    expect(page).to.contain(`<a href="/p/${post.id}#p-${reply.id}"><bdi>@ana reacted to your post “Opening hours”.</bdi></a>`);
  });
});
