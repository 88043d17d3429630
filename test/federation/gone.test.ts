import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import type { PostRow } from '../../src/community/post.table.js';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth } from './helpers/hearth-server.js';
import { type RemoteActor, RemoteServer } from './helpers/remote.js';

/**
 * Issue 13, fault 3 from other servers: a removed thread takes nothing, whatever arrives
 * for it or for a reply in it (a Like, an Announce, a reply, a poll vote, a report), and an
 * idea takes votes, never emoji reactions (fault 17). Each is "ignored" and changes nothing.
 */
describe('other servers cannot act on what is gone', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let zoe: RemoteActor;
  let ana: MemberRow;
  let mod: MemberRow;
  let n = 0;

  const outcome = async (activity: Record<string, unknown>): Promise<string> => {
    const res = await remote.send(zoe, `${h.url}/inbox`, { ...activity, id: `${zoe.id}#activities/${++n}` });
    expect(res.status, res.body).to.equal(202);
    return (JSON.parse(res.body) as { outcome: string }).outcome;
  };
  const vars = (object: string) => ({ actor: zoe.id, name: zoe.name, origin: remote.origin, hearthHost: h.host, object, author: `${h.url}/@ana`, inReplyTo: object, mentioned: `${h.url}/@ana`, reported: `${h.url}/@ana` });
  const count = async (table: 'reactions' | 'post_shares', postId: number) => (await h.hearth.database.db.selectFrom(table).select('member_id').where('post_id', '=', postId).execute()).length;

  before(async () => {
    h = await serveHearth({ community: { handle: 'gonecafe' } });
    remote = await RemoteServer.start();
    zoe = remote.actor('zoe');
    ana = await makeMember(h.hearth, { handle: 'ana' });
    mod = await makeMember(h.hearth, { handle: 'mod', role: 'moderator' });
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  const general = () => h.hearth.services.spaces.getVisible(null, 'general');
  const removed = async (post: PostRow) => h.hearth.services.moderation.removePost(mod, post.id, 'Off-topic');

  it('a removed thread’s poll takes no vote, and a reply in it takes no Like, Announce, reply or report', async () => {
    const thread = await h.hearth.services.polls.createThread(ana, await general(), { title: 'Opening hours?', body: 'Help us choose.' }, {
      options: ['Mornings', 'Evenings'], multiple: false, closesInHours: 24, results: 'after_vote',
    });
    const reply = await h.hearth.services.posts.reply(ana, thread.id, { body: 'Mornings, please.' });
    const replyIri = `${h.url}/p/${reply.id}`;
    // While the thread stands, the same activities take effect (so "ignored" below is the removal's doing).
    expect(await outcome(fixture('mastodon/like', vars(replyIri)))).to.equal('applied');
    await h.hearth.database.db.deleteFrom('reactions').execute();
    await removed(thread);

    const vote = { '@context': 'https://www.w3.org/ns/activitystreams', type: 'Create', actor: zoe.id, to: [`${h.url}/@ana`],
      object: { id: `${zoe.id}#votes/1`, type: 'Note', name: 'Evenings', attributedTo: zoe.id, inReplyTo: `${h.url}/p/${thread.id}`, to: [`${h.url}/@ana`] } };
    expect(await outcome(vote)).to.equal('ignored');
    expect((await h.hearth.services.polls.view(thread.id, null))!.votersCount).to.equal(0);

    expect(await outcome(fixture('mastodon/like', vars(replyIri)))).to.equal('ignored');
    expect(await outcome(fixture('fep-c0e0/emoji-react', vars(replyIri)))).to.equal('ignored');
    expect(await count('reactions', reply.id)).to.equal(0);
    expect(await outcome(fixture('mastodon/announce', vars(replyIri)))).to.equal('ignored');
    expect(await count('post_shares', reply.id)).to.equal(0);

    const answer = fixture('mastodon/create-reply', vars(replyIri));
    expect(await outcome(answer)).to.equal('ignored');
    expect(await h.hearth.services.remote.findPost(answer.object.id)).to.equal(undefined);

    expect(await outcome(fixture('mastodon/flag', vars(`${h.url}/p/${thread.id}`)))).to.equal('applied'); // it names ana too
    const reports = await h.hearth.database.db.selectFrom('reports').select(['post_id', 'target_member_id']).execute();
    expect(reports.map((r) => r.post_id)).to.deep.equal([null]); // the removed post is not filed again
  });

  it('an idea takes a remote Like as an up vote, never an emoji reaction', async () => {
    const owner = await makeMember(h.hearth, { handle: 'olga', role: 'owner' });
    const board = await h.hearth.services.spaces.create(owner, { slug: 'ideas', name: 'Ideas', description: 'Next?', visibility: 'public', kind: 'ideas' });
    const idea = await h.hearth.services.ideas.propose(ana, board, { title: 'Oat milk', body: 'Because oat.' });
    const iri = `${h.url}/p/${idea.id}`;
    expect(await outcome(fixture('fep-c0e0/emoji-react', vars(iri)))).to.equal('ignored');
    expect(await count('reactions', idea.id)).to.equal(0);
    expect((await h.hearth.services.ideas.view(idea.id, null))!.up).to.equal(0);
    expect(await outcome(fixture('mastodon/like', vars(iri)))).to.equal('applied');
    expect((await h.hearth.services.ideas.view(idea.id, null))!.up).to.equal(1);
    expect(await count('reactions', idea.id)).to.equal(0);
    // Nor through the reaction service itself, from another server or from here.
    const zoeHere = (await h.hearth.services.remote.findAuthor(zoe.id))!;
    expect(await h.hearth.services.remote.setReaction(zoeHere.id, idea.id, 'love', true)).to.equal(false);
    expect(await h.hearth.services.reactions.toggle(ana, idea.id, 'love').catch((e) => e.code)).to.equal('votes_only');
  });
});
