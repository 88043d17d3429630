import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import { postToNote } from '../../src/federation/convert.js';
import { type TestHearth, generalSpace, makeHearth, makeMember } from '../helpers/hearth.js';

const soon = (days: number, time = '19:30') => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;
const BOB = '<a href="/@bob" class="mention">@bob</a>';
const ZOE = '<span class="h-card"><a href="https://social.example/@zoe" class="u-url mention" rel="nofollow noopener ugc">@<span>zoe</span></a></span>';

describe('mentions link to the people they name', () => {
  let h: TestHearth;
  let ana: MemberRow;
  let owner: MemberRow;
  before(async () => {
    h = await makeHearth();
    owner = await makeMember(h, { handle: 'olga', role: 'owner' });
    ana = await makeMember(h, { handle: 'ana' });
    await makeMember(h, { handle: 'bob' });
    // Known here because she wrote, was followed or was looked up.
    await h.services.remote.upsertAuthor({
      actorIri: 'https://social.example/users/zoe', username: 'zoe', domain: 'social.example', displayName: 'Zoe',
      summary: '', avatarUrl: null, profileUrl: 'https://social.example/@zoe',
    });
  });
  after(() => h.destroy());

  it('in a thread and its replies, on the thread page and in the home and space previews', async () => {
    const general = await generalSpace(h);
    const thread = await h.services.posts.createThread(ana, general, { title: 'Beans', body: 'Hey @bob, new beans!' });
    await h.services.posts.reply(ana, thread.id, { body: 'And @Bob. again' });
    const page = (await request(h.app).get(`/p/${thread.id}`).expect(200)).text;
    expect(page).to.contain(`Hey ${BOB}, new beans!`);
    expect(page).to.contain('And <a href="/@bob" class="mention">@Bob</a>. again');
    expect((await request(h.app).get('/').expect(200)).text).to.contain(`Hey ${BOB}, new beans!`);
    expect((await request(h.app).get('/s/general').expect(200)).text).to.contain(`Hey ${BOB}, new beans!`);
  });

  it('to a known remote account, as Mastodon marks it up; unknown handles, code and links stay as written', async () => {
    const thread = await h.services.posts.createThread(ana, await generalSpace(h), {
      body: 'Ask @zoe@social.example or @nobody or @max@unknown.example, not `@bob`, see [@bob](https://cafe.example)',
    });
    const page = (await request(h.app).get(`/p/${thread.id}`).expect(200)).text;
    expect(page).to.contain(`Ask ${ZOE} or @nobody or @max@unknown.example, not <code>@bob</code>, see <a href="https://cafe.example" rel="nofollow noopener ugc">@bob</a>`);
  });

  it('when the post is edited to mention someone', async () => {
    const thread = await h.services.posts.createThread(ana, await generalSpace(h), { body: 'Hello' });
    await h.services.posts.edit(ana, thread.id, { body: 'Hello @bob' });
    expect((await request(h.app).get(`/p/${thread.id}`).expect(200)).text).to.contain(`Hello ${BOB}`);
  });

  it('in event descriptions, reviews and stories: the same renderer everywhere', async () => {
    const organiser = await makeMember(h, { role: 'moderator' });
    const event = await h.services.events.create(organiser, {
      spaceId: (await generalSpace(h)).id, title: 'Cupping', description: 'Hosted by @bob and @zoe@social.example', startsLocal: soon(5), endsLocal: soon(5, '21:00'),
      timezone: 'Europe/Berlin', address: 'The shop', onlineUrl: '', capacity: null,
    });
    expect((await request(h.app).get(`/events/${event.id}`).expect(200)).text).to.contain(`Hosted by ${BOB} and ${ZOE}`);

    const product = await h.services.reviews.createProduct(owner, { name: 'Flat white', description: '' });
    await h.services.reviews.save(ana, product.id, { rating: 5, body: 'As good as @bob said' });
    expect((await request(h.app).get(`/products/${product.id}`).expect(200)).text).to.contain(`As good as ${BOB} said`);

    const story = await h.services.stories.submit({ member: ana }, { title: 'Our roaster', body: 'Thanks to @bob for the tour.' });
    await h.services.stories.approve(owner, story.id, '');
    await h.services.stories.publish(owner, story.id);
    expect((await request(h.app).get(`/stories/${story.id}`).expect(200)).text).to.contain(`Thanks to ${BOB} for the tour.`);
  });

  it('go to other servers as whole addresses, beside their Mention tags', async () => {
    const thread = await h.services.posts.createThread(ana, await generalSpace(h), { body: 'Hi @bob' });
    const note = postToNote(thread, {
      baseUrl: 'https://cafe.example', authorIri: 'https://cafe.example/@ana', authorFollowers: 'https://cafe.example/@ana/followers',
      groupIri: 'https://cafe.example/@community', inReplyTo: null, mentions: [{ href: 'https://cafe.example/@bob', name: '@bob@cafe.example' }], hashtags: [],
    });
    expect(note.content).to.equal('<p>Hi <a href="https://cafe.example/@bob" class="mention">@bob</a></p>');
    expect(note.tag).to.deep.include({ type: 'Mention', href: 'https://cafe.example/@bob', name: '@bob@cafe.example' });
  });
});
