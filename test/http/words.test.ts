import { expect } from 'chai';
import request from 'supertest';
import { label } from '../../src/community/labels.js';
import { replyCountText } from '../../src/community/reply-words.js';
import { type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember, settleDomain } from '../helpers/hearth.js';

// Issue 13, fault 8: pages speak the community's words. A thread's replies are named by
// its kind in one place, and no status, role or kind is shown as its code.
const visible = (html: string) =>
  html.replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/g, ' ').replace(/\s+/g, ' ');
// dotted.lowercase or snake_case words, as the phone-width browser walk looks for them.
const RAW_CODE = /(?<![\w@/.:-])[a-z]+(?:[._][a-z]+)+(?![\w@/.-])/g;

describe('words people understand', () => {
  let h: TestHearth;
  afterEach(() => h.destroy());

  it('names replies by the thread’s kind, the same on the card and in the thread', async () => {
    h = await makeHearth();
    const owner = await makeMember(h, { role: 'owner', handle: 'own' });
    const ana = await makeMember(h, { handle: 'ana' });
    const general = await generalSpace(h);
    const question = await h.services.questions.ask(ana, general, { title: 'Which grinder?', body: 'For espresso.' });
    await h.services.posts.reply(owner, question.id, { body: 'A burr grinder.' });
    const thread = await h.services.posts.createThread(ana, general, { title: 'Opening hours', body: 'We open at 7' });
    await h.services.posts.reply(owner, thread.id, { body: 'Thanks' });
    const board = await h.services.spaces.create(owner, { slug: 'ideas', name: 'Ideas', description: 'Next?', visibility: 'public', kind: 'ideas' });
    const idea = await h.services.ideas.propose(ana, board, { title: 'Oat milk', body: 'Please.' });
    await h.services.posts.reply(owner, idea.id, { body: 'Good one' });
    await settleDomain(h);

    const home = visible((await request(h.app).get('/').expect(200)).text);
    expect(home).to.contain('1 answer').and.contain('1 reply');
    const q = visible((await request(h.app).get(`/p/${question.id}`).expect(200)).text);
    expect(q).to.contain('1 answer').and.not.contain('1 reply');
    const t = visible((await request(h.app).get(`/p/${thread.id}`).expect(200)).text);
    expect(t).to.contain('1 reply').and.not.contain('1 answer');
    const i = visible((await request(h.app).get(`/p/${idea.id}`).expect(200)).text);
    expect(i).to.contain('1 comment').and.not.contain('1 reply');
    expect(visible((await request(h.app).get('/s/ideas').expect(200)).text)).to.contain('1 comment');
    expect([replyCountText(2, 'question'), replyCountText(1, 'post'), replyCountText(0, 'idea')]).to.deep.equal(['2 answers', '1 reply', '0 comments']);
  });

  it('shows roles, statuses and sources in words, never as codes', async () => {
    h = await makeHearth({ membership: { mode: 'approval' } });
    await makeMember(h, { role: 'owner', handle: 'own' });
    await makeMember(h, { role: 'moderator', handle: 'mo' });
    const troll = await makeMember(h, { handle: 'troll' });
    const owner = await loggedInAgent(h, 'own');
    await h.services.members.signUp({ handle: 'wendy', password: 'wendy password', displayName: 'Wendy' });
    await h.services.moderation.suspend({ id: (await h.services.members.getByHandle('mo')).id, role: 'moderator' }, troll.id, 'spam');
    await h.services.reports.file({ reporterId: troll.id, targetMemberId: null, postId: null, comment: 'rude', source: 'member' });
    const pages = ['/admin/members', '/admin/reports', '/admin/log', '/admin/spaces', '/@mo', '/'];
    for (const path of pages) {
      const text = visible((await owner.get(path).expect(200)).text);
      expect(text.match(RAW_CODE) ?? [], path).to.deep.equal([]);
    }
    const members = visible((await owner.get('/admin/members')).text);
    expect(members).to.contain('Moderator').and.contain('Suspended').and.contain('Waiting for approval');
    expect(visible((await owner.get('/admin/reports')).text)).to.contain('from a member here');
    expect(visible((await owner.get('/@mo')).text)).to.contain('Moderator');
    expect(label('memberStatus', 'pending')).to.equal('Waiting for approval');
    expect(label('rsvp', 'not_going')).to.equal('not going');
    expect(label('eventStatus', 'under_review')).to.equal('under review');
  });
});
