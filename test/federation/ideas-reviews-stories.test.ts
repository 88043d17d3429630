import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import type { SpaceRow } from '../../src/community/space.table.js';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { type Delivery, type RemoteActor, RemoteServer } from './helpers/remote.js';

const AS = { headers: { accept: 'application/activity+json' } };

describe('ideas, reviews and stories on the fediverse', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let owner: MemberRow;
  let ana: MemberRow;
  let board: SpaceRow;
  let zoe: RemoteActor;

  const inner = (d: Delivery) => (d.body.type === 'Announce' && typeof d.body.object === 'object' ? d.body.object : d.body);
  const announced = (type: string) => remote.received.filter((d) => d.body.type === 'Announce' && inner(d).type === type);
  const follow = async (who: RemoteActor, target: string, n: number) => {
    await remote.send(who, `${h.url}/inbox`, { ...fixture('mastodon/follow', { actor: who.id, target }), id: `${who.id}#follows/${n}` });
  };

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    owner = await makeMember(h.hearth, { handle: 'olga', role: 'owner' });
    ana = await makeMember(h.hearth, { handle: 'ana' });
    board = await h.hearth.services.spaces.create(owner, { slug: 'wishes', name: 'Wishes', description: '', visibility: 'public', kind: 'ideas' });
    zoe = remote.actor('zoe');
    await follow(zoe, `${h.url}/@bikeshop`, 1);
    await follow(zoe, `${h.url}/@wishes`, 2);
    await settle(h);
  });
  beforeEach(() => {
    remote.received.length = 0;
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('a member’s idea votes leave as Like and Dislike, shared by the board’s Group; a change undoes the earlier vote', async () => {
    const idea = await h.hearth.services.ideas.propose(ana, board, { title: 'Tubeless service', body: 'Please.' });
    await settle(h);
    remote.received.length = 0;
    await h.hearth.services.ideas.vote(owner, idea.id, 1);
    await settle(h);
    const like = await remote.waitFor((d) => d.body.type === 'Announce' && inner(d).type === 'Like');
    expect(like.body.actor).to.equal(`${h.url}/@wishes`);
    expect(inner(like)).to.include({ actor: `${h.url}/@olga`, object: `${h.url}/p/${idea.id}` });
    expect(JSON.stringify(inner(like).to ?? [])).not.to.contain('#Public');
    remote.received.length = 0;
    await h.hearth.services.ideas.vote(owner, idea.id, -1);
    await settle(h);
    await remote.waitFor((d) => d.body.type === 'Announce' && inner(d).type === 'Dislike');
    const undo = announced('Undo')[0]!;
    expect(inner(undo).object).to.include({ type: 'Like', id: inner(like).id });
    // An idea takes votes, not reactions (issue 13, fault 17): a reaction is refused, so no second "vote" leaves either.
    remote.received.length = 0;
    expect(await h.hearth.services.reactions.toggle(ana, idea.id, 'like').catch((e) => e.code)).to.equal('votes_only');
    await settle(h);
    expect(remote.received.filter((d) => inner(d).type === 'Like')).to.deep.equal([]);
  });

  it('counts a Lemmy-shaped Dislike as a down vote and a Like as an up vote, once per person; Undo takes it back', async () => {
    const idea = await h.hearth.services.ideas.propose(ana, board, { title: 'Open on Sundays', body: 'For tourists.' });
    const vars = { actor: zoe.id, object: `${h.url}/p/${idea.id}`, origin: remote.origin, group: `${h.url}/@wishes` };
    expect((await remote.send(zoe, `${h.url}/inbox`, fixture('lemmy/dislike', vars))).status).to.equal(202);
    expect(await h.hearth.services.ideas.view(idea.id, null)).to.deep.include({ up: 0, down: 1 });
    // The same activity again changes nothing.
    await remote.send(zoe, `${h.url}/inbox`, fixture('lemmy/dislike', vars));
    expect(await h.hearth.services.ideas.view(idea.id, null)).to.deep.include({ up: 0, down: 1 });
    await remote.send(zoe, `${h.url}/inbox`, fixture('lemmy/undo-vote', vars));
    expect(await h.hearth.services.ideas.view(idea.id, null)).to.deep.include({ up: 0, down: 0 });
    await remote.send(zoe, `${h.url}/inbox`, fixture('lemmy/vote', vars));
    expect(await h.hearth.services.ideas.view(idea.id, null)).to.deep.include({ up: 1, down: 0 });
    // A like of an idea is a vote, not a reaction.
    expect(await h.hearth.database.db.selectFrom('reactions').selectAll().where('post_id', '=', idea.id).execute()).to.deep.equal([]);
  });

  it('a published story is an Article from the community’s Group, crediting its author', async () => {
    const editor = await makeMember(h.hearth, { handle: 'editor', role: 'moderator' });
    const story = await h.hearth.services.stories.submit({ member: ana }, { title: 'Across the Alps', body: 'Two weeks, one **bike**.' });
    await h.hearth.services.stories.approve(editor, story.id, '');
    await settle(h);
    expect(remote.received.filter((d) => JSON.stringify(d.body).includes('Across the Alps'))).to.deep.equal([]); // nothing before publishing
    await h.hearth.services.stories.publish(editor, story.id);
    await settle(h);
    const create = await remote.waitFor((d) => d.body.type === 'Create' && d.body.object?.type === 'Article');
    expect(create.body.actor).to.equal(`${h.url}/@bikeshop`);
    const article = create.body.object;
    expect(article).to.include({ id: `${h.url}/stories/${story.id}`, name: 'Across the Alps', attributedTo: `${h.url}/@bikeshop` });
    expect(article.content).to.contain(`By <a href="${h.url}/@ana"`).and.contain('<strong>bike</strong>');
    expect(article.tag).to.deep.include({ type: 'Mention', href: `${h.url}/@ana`, name: `@ana@${h.host}` });
    const fetched: any = await (await fetch(`${h.url}/stories/${story.id}`, AS)).json();
    expect(fetched).to.include({ type: 'Article', name: 'Across the Alps' });
  });

  it('a review leaves as its author’s Note with the rating in its text, shared by the community; edits Update it', async () => {
    const product = await h.hearth.services.reviews.createProduct(owner, { name: 'Wheel truing', description: '' });
    const { review } = await h.hearth.services.reviews.save(ana, product.id, { rating: 4, body: 'True as an arrow.' });
    await settle(h);
    const create = await remote.waitFor((d) => d.body.type === 'Announce' && inner(d).type === 'Create' && inner(d).object?.id === `${h.url}/reviews/${review.id}`);
    expect(create.body.actor).to.equal(`${h.url}/@bikeshop`);
    const note = inner(create).object;
    expect(note).to.include({ type: 'Note', attributedTo: `${h.url}/@ana` });
    expect(note.content).to.contain('★★★★☆ 4/5 for').and.contain('Wheel truing').and.contain('True as an arrow.');
    await h.hearth.services.reviews.save(ana, product.id, { rating: 5, body: 'Still true a month later.' });
    await settle(h);
    const update = await remote.waitFor((d) => d.body.type === 'Announce' && inner(d).type === 'Update');
    expect(inner(update).object.content).to.contain('★★★★★ 5/5');
    const fetched: any = await (await fetch(`${h.url}/reviews/${review.id}`, AS)).json();
    expect(fetched.content).to.contain('5/5');
    await h.hearth.services.reviews.delete(ana, review.id);
    await settle(h);
    await remote.waitFor((d) => d.body.type === 'Announce' && inner(d).type === 'Delete');
    expect((await fetch(`${h.url}/reviews/${review.id}`, AS)).status).to.equal(404);
  });

  describe('with the modules off', () => {
    let off: ServedHearth;
    before(async () => {
      off = await serveHearth({ community: { handle: 'quiet' }, modules: { ideas: false, reviews: false, submissions: false, qa: false } });
    });
    after(() => off.close());

    it('takes no votes, sends no reviews or stories, and answers no such documents', async () => {
      const o = await makeMember(off.hearth, { handle: 'olga', role: 'owner' });
      const m = await makeMember(off.hearth, { handle: 'mia' });
      // An idea board made while the module was on reads as a plain space now.
      const space = await off.hearth.services.spaces.create(o, { slug: 'wishes', name: 'Wishes', description: '', visibility: 'public', kind: 'ideas' });
      const idea = await off.hearth.services.ideas.propose(m, space, { title: 'Old idea', body: 'From before.' });
      await remote.send(zoe, `${off.url}/inbox`, fixture('lemmy/dislike', { actor: zoe.id, object: `${off.url}/p/${idea.id}`, origin: remote.origin, group: `${off.url}/@wishes` }));
      await remote.send(zoe, `${off.url}/inbox`, { ...fixture('lemmy/vote', { actor: zoe.id, object: `${off.url}/p/${idea.id}`, origin: remote.origin, group: `${off.url}/@wishes` }), id: `${remote.origin}/activities/like/off-1` });
      expect(await off.hearth.services.ideas.view(idea.id, null)).to.deep.include({ up: 0, down: 0 });
      expect(await off.hearth.database.db.selectFrom('reactions').select('kind').where('post_id', '=', idea.id).execute()).to.deep.equal([{ kind: 'like' }]);
      const product = await off.hearth.services.reviews.createProduct(o, { name: 'Hidden', description: '' });
      const { review } = await off.hearth.services.reviews.save(m, product.id, { rating: 3, body: 'ok' });
      expect((await fetch(`${off.url}/reviews/${review.id}`, AS)).status).to.equal(404);
      const editor = await makeMember(off.hearth, { handle: 'editor', role: 'moderator' });
      const story = await off.hearth.services.stories.submit({ member: m }, { title: 'Quiet story', body: 'Shh.' });
      await off.hearth.services.stories.approve(editor, story.id, '');
      await off.hearth.services.stories.publish(editor, story.id);
      await settle(off);
      expect((await fetch(`${off.url}/stories/${story.id}`, AS)).status).to.equal(404);
      const objects = await off.hearth.database.db.selectFrom('ap_objects').select('id').execute();
      expect(objects.filter((o) => /\/(reviews|stories)\//.test(o.id))).to.deep.equal([]);
    });
  });
});
