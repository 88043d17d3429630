import { expect } from 'chai';
import request from 'supertest';
import { parseAccept, prefersActivityJson } from '../../src/federation/negotiation.js';
import { type TestHearth, generalSpace, makeHearth, makeMember } from '../helpers/hearth.js';

const AS2 = 'https://www.w3.org/ns/activitystreams';
const FIREFOX = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const CHROME = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';

describe('content negotiation between a page and its ActivityStreams document', () => {
  describe('prefersActivityJson', () => {
    const table: [string | undefined, boolean][] = [
      // What ActivityPub §3.2 says a client MUST send, in every spelling seen in the wild.
      [`application/ld+json; profile="${AS2}"`, true],
      [`application/ld+json;profile="${AS2}"`, true],
      [`application/ld+json; profile=${AS2}`, true],
      [`Application/LD+JSON; Profile="${AS2}"`, true],
      [`application/ld+json; profile="${AS2} https://w3id.org/security/v1"`, true],
      [`application/ld+json; profile="https://w3id.org/security/v1 ${AS2}"; q=0.9`, true],
      ['application/ld+json', true],
      ['application/ld+json; profile="https://example.com/other"', false],
      ['application/activity+json', true],
      ['application/activity+json; charset=utf-8', true],
      // Mastodon's, Misskey's and our own fetchers' headers.
      [`application/activity+json, application/ld+json; profile="${AS2}"`, true],
      ['application/activity+json, application/ld+json, application/json', true],
      [`application/activity+json, application/ld+json; profile="${AS2}", text/html;q=0.1`, true],
      // Plain JSON: answered with the document unless HTML is preferred.
      ['application/json', true],
      ['application/json, text/plain, */*', true],
      ['application/json, text/html', true],
      ['text/html, application/json', false],
      ['text/html;q=0.5, application/json', true],
      ['application/json;q=0.5, text/html', false],
      // Equal weights: the named type beats a wildcard; between named types, the first wins.
      ['application/activity+json, */*', true],
      ['application/activity+json, text/*', true],
      ['text/html, application/activity+json', false],
      ['application/activity+json, text/html', true],
      ['application/xhtml+xml, application/activity+json, text/html', false],
      // Weights.
      ['application/activity+json;q=0.9, text/html;q=0.8', true],
      ['application/activity+json;q=0.8, text/html;q=0.9', false],
      ['application/activity+json;q=0, */*', false],
      ['application/activity+json, text/html;q=0', true],
      ['application/activity+json;q=0.5, */*;q=0.4', true],
      ['application/activity+json;q=0.5, */*', false],
      ['application/activity+json;q=0.5, text/html;q=0, application/xhtml+xml;q=0, */*', true],
      ['application/activity+json;q=0.5, text/html;q=0, */*', false],
      ['application/activity+json;q=2', false],
      ['application/activity+json;q=abc, text/html', false],
      // Browsers, link checkers, curl.
      [FIREFOX, false],
      [CHROME, false],
      ['*/*', false],
      ['text/*', false],
      ['application/*', false],
      ['', false],
      [undefined, false],
      ['garbage', false],
    ];
    for (const [accept, expected] of table) {
      it(`${JSON.stringify(accept)} → ${expected ? 'document' : 'page'}`, () => {
        expect(prefersActivityJson(accept)).to.equal(expected);
      });
    }

    it('parses media ranges with quoted parameters, weights and positions', () => {
      expect(parseAccept(`text/html;q=0.5, application/ld+json; profile="a, b;c"; q=1, nonsense, x/y;q=7`)).to.deep.equal([
        { type: 'text', subtype: 'html', params: {}, q: 0.5, index: 0 },
        { type: 'application', subtype: 'ld+json', params: { profile: 'a, b;c' }, q: 1, index: 1 },
      ]);
    });
  });

  describe('every route that is both a page and a document', () => {
    let h: TestHearth;
    let routes: { path: string; page: 'html' | 'redirect' | 'not found' }[];

    before(async () => {
      h = await makeHearth({ community: { handle: 'community' } });
      const s = h.services;
      const owner = await makeMember(h, { handle: 'olga', role: 'owner' });
      const ana = await makeMember(h, { handle: 'ana' });
      const general = await generalSpace(h);
      const bikes = await s.spaces.create(owner, { slug: 'bikes', name: 'Bikes', description: '', visibility: 'public', kind: 'discussion' });
      const thread = await s.posts.createThread(ana, bikes, { title: 'Hello', body: 'First post.' });
      const reply = await s.posts.reply(owner, thread.id, { body: 'Welcome!' });
      const poll = await s.polls.createThread(ana, general, { title: 'Hours?', body: 'Choose.' }, { options: ['Early', 'Late'], multiple: false, closesInHours: 24, results: 'after_vote' });
      const day = new Date(Date.now() + 5 * 86400_000).toISOString().slice(0, 10);
      const event = await s.events.create(owner, { spaceId: general.id, title: 'Repair café', description: 'Bring a bike.', startsLocal: `${day}T18:00`, endsLocal: `${day}T20:00`, timezone: 'UTC', address: 'Hof 3', onlineUrl: '', capacity: null });
      const product = await s.reviews.createProduct(owner, { name: 'Wheel truing', description: '' });
      const { review } = await s.reviews.save(ana, product.id, { rating: 4, body: 'True as an arrow.' });
      const story = await s.stories.submit({ member: ana }, { title: 'Across the Alps', body: 'Two weeks.' });
      await s.stories.approve(owner, story.id, '');
      await s.stories.publish(owner, story.id);
      const fed = h.federation!;
      await fed.publisher.idle();
      await fed.eventPublisher.idle();
      await fed.contentPublisher.idle();
      const create = await h.database.db.selectFrom('ap_streams').select('id').where('type', '=', 'Create').orderBy('seq').executeTakeFirstOrThrow();
      routes = [
        { path: '/@community', page: 'redirect' },
        { path: '/@bikes', page: 'redirect' },
        { path: '/@ana', page: 'html' },
        ...['followers', 'following', 'outbox'].flatMap((c) => [
          { path: `/@ana/${c}`, page: 'not found' as const },
          { path: `/@community/${c}`, page: 'not found' as const },
        ]),
        { path: '/@bikes/moderators', page: 'not found' },
        { path: new URL(create.id).pathname, page: 'not found' },
        { path: `/p/${thread.id}`, page: 'html' },
        { path: `/p/${reply.id}`, page: 'redirect' },
        { path: `/p/${poll.id}`, page: 'html' },
        { path: `/events/${event.id}`, page: 'html' },
        { path: `/reviews/${review.id}`, page: 'redirect' },
        { path: `/stories/${story.id}`, page: 'html' },
      ];
    });
    after(() => h.destroy());

    const asks = [
      `application/ld+json; profile="${AS2}"`,
      `application/ld+json; profile=${AS2}`,
      'application/activity+json',
      'application/json',
      `text/html;q=0.5, application/ld+json; profile="${AS2} https://w3id.org/security/v1"`,
    ];

    it('answers each with its document for every way of asking for ActivityStreams', async () => {
      for (const { path } of routes) {
        for (const accept of asks) {
          const res = await request(h.app).get(path).set('Accept', accept);
          const where = `${path} with ${accept}`;
          expect(res.status, where).to.equal(200);
          expect(res.headers['content-type'], where).to.match(/^application\/activity\+json/);
          expect(res.headers.vary, where).to.match(/accept/i);
          const doc = JSON.parse(res.text);
          expect(doc, where).to.include.keys('@context', 'id', 'type');
          expect(new URL(doc.id).pathname, where).to.equal(path);
        }
      }
    });

    it('answers each with its page, a redirect to it, or a page saying it is not found, to browsers', async () => {
      for (const { path, page } of routes) {
        for (const accept of [FIREFOX, CHROME, '*/*', undefined]) {
          const req = request(h.app).get(path);
          const res = await (accept === undefined ? req : req.set('Accept', accept));
          const where = `${path} with ${accept}`;
          expect(res.headers['content-type'] ?? '', where).not.to.match(/json/);
          if (page === 'redirect') expect(res.status, where).to.be.within(301, 303);
          else expect(res.status, where).to.equal(page === 'html' ? 200 : 404);
          if (page !== 'redirect') expect(res.headers['content-type'], where).to.match(/^text\/html/);
        }
      }
    });

    it('tells a JSON client that a page is not found in JSON', async () => {
      const res = await request(h.app).get('/no/such/page').set('Accept', `application/ld+json; profile="${AS2}"`);
      expect(res.status).to.equal(404);
      expect(res.headers['content-type']).to.match(/^application\/json/);
    });

    it('answers apex’s own refusals (an unknown activity, a bad page) as JSON, never echoing the request as HTML', async () => {
      for (const path of ['/a/%3Cscript%3Ealert(1)%3C%2Fscript%3E', '/@community/outbox?page=garbage']) {
        const res = await request(h.app).get(path).set('Accept', `application/ld+json; profile="${AS2}"`);
        expect(res.status, path).to.be.within(400, 404);
        expect(res.headers['content-type'], path).to.match(/^application\/activity\+json/);
        expect(res.text, path).not.to.include('<script>');
        expect(JSON.parse(res.text).error, path).to.be.a('string');
      }
    });
  });
});
