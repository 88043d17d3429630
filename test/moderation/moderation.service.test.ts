import { expect } from 'chai';
import { type TestHearth, generalSpace, makeHearth, makeMember } from '../helpers/hearth.js';

describe('roles and moderation', () => {
  let h: TestHearth;
  beforeEach(async () => {
    h = await makeHearth();
  });
  afterEach(() => h.destroy());

  it('lets admins promote and demote below their rank, and only the owner make admins', async () => {
    const owner = await makeMember(h, { role: 'owner' });
    const admin = await makeMember(h, { role: 'admin' });
    const m = await makeMember(h);
    await h.services.moderation.setRole(admin, m.id, 'moderator');
    expect((await h.services.members.getById(m.id)).role).to.equal('moderator');
    expect((await h.services.moderation.setRole(admin, m.id, 'admin').catch((e) => e)).status).to.equal(403);
    expect((await h.services.moderation.setRole(admin, owner.id, 'member').catch((e) => e)).status).to.equal(403);
    await h.services.moderation.setRole(owner, m.id, 'admin');
    expect((await h.services.members.getById(m.id)).role).to.equal('admin');
    await h.services.moderation.setRole(owner, m.id, 'member');
    expect((await h.services.moderation.setRole(m, admin.id, 'member').catch((e) => e)).status).to.equal(403);
    expect((await h.services.moderation.setRole(owner, m.id, 'owner').catch((e) => e)).status).to.equal(422);
    const log = await h.services.moderation.readLog(owner);
    expect(log.map((e) => e.details)).to.deep.equal(['admin → member', 'moderator → admin', 'member → moderator']);
  });

  it('suspends a member: sessions end at once, log-in is refused, and it is logged', async () => {
    const mod = await makeMember(h, { role: 'moderator' });
    const m = await makeMember(h);
    const session = await h.services.sessions.create(m.id, 'test');
    expect(await h.services.sessions.findMember(session.id)).to.not.equal(undefined);
    expect((await h.services.moderation.suspend(mod, m.id, '   ').catch((e) => e)).status).to.equal(422);
    await h.services.moderation.suspend(mod, m.id, 'spamming the general space');
    expect(await h.services.sessions.findMember(session.id)).to.equal(undefined);
    expect((await h.services.members.authenticate(m.handle, 'correct horse battery').catch((e) => e)).code).to.equal('suspended');
    const other = await makeMember(h, { role: 'moderator' });
    expect((await h.services.moderation.suspend(mod, other.id, 'peer').catch((e) => e)).status).to.equal(403);
    await h.services.moderation.unsuspend(mod, m.id);
    expect((await h.services.members.getById(m.id)).status).to.equal('active');
  });

  it('removes any post with a reason shown in its place, and members cannot', async () => {
    const owner = await makeMember(h, { role: 'owner' });
    const mod = await makeMember(h, { role: 'moderator' });
    const author = await makeMember(h);
    const post = await h.services.posts.createThread(author, await generalSpace(h), { body: 'rude words' });
    expect((await h.services.moderation.removePost(author, post.id, 'no').catch((e) => e)).status).to.equal(403);
    await h.services.moderation.removePost(mod, post.id, 'Rule 1: be kind');
    const thread = await h.services.postViews.thread(post.id, null);
    expect(thread!.root.removedReason).to.equal('Rule 1: be kind');
    expect(thread!.root.bodyHtml).to.equal('');
    expect((await h.services.postViews.home(null)).items).to.have.length(0);
    const [entry] = await h.services.moderation.readLog(owner);
    expect(entry).to.include({ action: 'post.remove', target_post_id: post.id, reason: 'Rule 1: be kind', actor_handle: mod.handle });
    expect((await h.services.moderation.readLog(mod).catch((e) => e)).status).to.equal(403);
  });
});
