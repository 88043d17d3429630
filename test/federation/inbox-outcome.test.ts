import { expect } from 'chai';
import type { PostRow } from '../../src/community/post.table.js';
import { makeMember } from '../helpers/hearth.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth } from './helpers/hearth-server.js';
import { type RemoteActor, RemoteServer } from './helpers/remote.js';

/**
 * The inbox answers what became of an activity: "applied" when it took effect, "ignored"
 * when nothing changed because it was not the sender's to do or not about anything here.
 */
describe('the inbox says whether it applied an activity or ignored it', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let thread: PostRow;
  let maria: RemoteActor;
  let mallory: RemoteActor;
  let vars: (actor: RemoteActor, extra?: Record<string, string>) => Record<string, string>;

  const outcome = async (who: RemoteActor, activity: unknown): Promise<string> => {
    const res = await remote.send(who, `${h.url}/inbox`, activity);
    expect(res.status, res.body).to.equal(202);
    return (JSON.parse(res.body) as { outcome: string }).outcome;
  };
  const mariaReply = () => h.hearth.services.remote.findPost(`${maria.id}/statuses/1001`);
  const likesOnThread = async () => (await h.hearth.database.db.selectFrom('reactions').select('member_id').where('post_id', '=', thread.id).execute()).length;

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    const ana = await makeMember(h.hearth, { handle: 'ana' });
    thread = await h.hearth.services.posts.createThread(ana, await h.hearth.services.spaces.getVisible(null, 'general'), { title: 'Sunday ride', body: 'Who is in?' });
    maria = remote.actor('maria');
    mallory = remote.actor('mallory');
    vars = (actor, extra = {}) => ({ actor: actor.id, name: actor.name, origin: remote.origin, hearthHost: h.host, inReplyTo: `${h.url}/p/${thread.id}`, mentioned: `${h.url}/@ana`, ...extra });
    expect(await outcome(maria, fixture('mastodon/create-reply', vars(maria)))).to.equal('applied');
    expect(await outcome(maria, fixture('mastodon/like', vars(maria, { object: `${h.url}/p/${thread.id}` })))).to.equal('applied');
    // Mallory is known here too (she liked the thread), so nothing is refused for being a stranger.
    expect(await outcome(mallory, fixture('mastodon/like', vars(mallory, { object: `${h.url}/p/${thread.id}` })))).to.equal('applied');
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('a Delete of someone else’s post is ignored and deletes nothing', async () => {
    const del = { ...fixture('mastodon/delete-note', vars(maria)), id: `${mallory.id}#delete/1`, actor: mallory.id };
    expect(await outcome(mallory, del)).to.equal('ignored');
    expect((await mariaReply())?.deleted_at).to.equal(null);
    // So is a Delete of something that is not here at all.
    expect(await outcome(mallory, { ...del, id: `${mallory.id}#delete/2`, object: `${mallory.id}/statuses/404` })).to.equal('ignored');
  });

  it('an Update of someone else’s post or profile is ignored and changes nothing', async () => {
    const forged: Record<string, any> = { ...fixture('mastodon/update-note', vars(maria)), id: `${mallory.id}#updates/1`, actor: mallory.id };
    expect(await outcome(mallory, forged)).to.equal('ignored');
    // Claiming the post as her own does not make it hers.
    const claimed = { ...forged, id: `${mallory.id}#updates/2`, object: { ...forged.object, attributedTo: mallory.id } };
    expect(await outcome(mallory, claimed)).to.equal('ignored');
    expect((await mariaReply())?.body_html).not.to.include('Saturday');
    const profile = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${mallory.id}#updates/3`, type: 'Update', actor: mallory.id, object: { ...maria.doc, name: 'Maria (hacked)' } };
    expect(await outcome(mallory, profile)).to.equal('ignored');
    expect((await h.hearth.services.remote.findAuthor(maria.id))?.display_name).to.equal('Maria');
  });

  it('an Undo of someone else’s Like is ignored and the like stays, whether it names the Like or embeds it', async () => {
    const undo = { ...fixture('mastodon/undo-like', vars(maria, { object: `${h.url}/p/${thread.id}` })), id: `${mallory.id}#undo/1`, actor: mallory.id };
    expect(await outcome(mallory, undo)).to.equal('ignored');
    expect(await outcome(mallory, { ...undo, id: `${mallory.id}#undo/2`, object: `${maria.id}#likes/77` })).to.equal('ignored');
    expect(await likesOnThread()).to.equal(2);
  });

  it('a Like of a post that is not here, and an Accept of nothing we asked for, are ignored', async () => {
    expect(await outcome(mallory, { ...fixture('mastodon/like', vars(mallory, { object: `${h.url}/p/999999` })), id: `${mallory.id}#likes/404` })).to.equal('ignored');
    expect(await outcome(mallory, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${mallory.id}#accepts/1`, type: 'Accept', actor: mallory.id, object: `${h.url}/@bikeshop#follows/nothing` })).to.equal('ignored');
    expect(await likesOnThread()).to.equal(2);
  });

  it('an ignored activity is not kept, so its redelivery is looked at again; an applied one is a duplicate', async () => {
    const stray = { ...fixture('mastodon/like', vars(mallory, { object: `${h.url}/p/999998` })), id: `${mallory.id}#likes/stray` };
    expect(await outcome(mallory, stray)).to.equal('ignored');
    expect(await outcome(mallory, stray)).to.equal('ignored');
    expect(await h.hearth.federation!.apex.store.getActivity(stray.id)).to.equal(null);
    expect(await outcome(maria, fixture('mastodon/like', vars(maria, { object: `${h.url}/p/${thread.id}` })))).to.equal('duplicate');
  });

  it('refuses a body that is not an activity with 400, never 500, and takes no property name for a handler', async () => {
    for (const id of ['not a url', '/likes/1', 'javascript:alert(1)']) {
      const res = await remote.send(maria, `${h.url}/inbox`, { '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Like', actor: maria.id, object: `${h.url}/p/${thread.id}` });
      expect(res.status, `${id}: ${res.body}`).to.equal(400);
    }
    for (const type of ['constructor', 'toString', '__proto__']) {
      const activity = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${maria.id}#odd-${type}`, type, actor: maria.id, object: `${h.url}/p/${thread.id}` };
      expect(await outcome(maria, activity), type).to.equal('ignored');
      // Not kept: sent again, it is looked at again rather than called a duplicate.
      expect(await outcome(maria, activity), type).to.equal('ignored');
    }
  });

  it('the owner’s own Update, Undo and Delete are applied', async () => {
    expect(await outcome(maria, fixture('mastodon/update-note', vars(maria)))).to.equal('applied');
    expect((await mariaReply())?.body_html).to.include('Saturday too');
    expect(await outcome(maria, fixture('mastodon/undo-like', vars(maria, { object: `${h.url}/p/${thread.id}` })))).to.equal('applied');
    expect(await likesOnThread()).to.equal(1);
    expect(await outcome(maria, fixture('mastodon/delete-note', vars(maria)))).to.equal('applied');
    expect((await mariaReply())?.deleted_at).to.be.a('string');
  });
});
