import { expect } from 'chai';
import { DomainError, ValidationError } from '../../src/core/errors.js';
import { type TestHearth, generalSpace, makeHearth, makeMember } from '../helpers/hearth.js';

describe('posts and threads', () => {
  let h: TestHearth;
  beforeEach(async () => {
    h = await makeHearth();
  });
  afterEach(() => h.destroy());

  it('starts a thread whose Markdown is rendered and sanitized', async () => {
    const alice = await makeMember(h);
    const post = await h.services.posts.createThread(alice, await generalSpace(h), {
      title: 'Hello',
      body: '**Hi** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://example.com) <img src=x onerror=alert(1)>',
    });
    expect(post.root_id).to.equal(post.id);
    expect(post.body_html).to.contain('<strong>Hi</strong>');
    expect(post.body_html).to.contain('href="https://example.com"');
    expect(post.body_html).to.contain('rel="nofollow noopener ugc"');
    expect(post.body_html).not.to.match(/<script|javascript:|onerror|<img/i);
  });

  it('nests replies: root, branch and depth follow the thread', async () => {
    const [a, b] = [await makeMember(h), await makeMember(h)];
    const root = await h.services.posts.createThread(a, await generalSpace(h), { body: 'root' });
    const r1 = await h.services.posts.reply(b, root.id, { body: 'first answer' });
    const r2 = await h.services.posts.reply(a, r1.id, { body: 'answer to the answer' });
    expect([r1.root_id, r1.branch_id, r1.depth]).to.deep.equal([root.id, r1.id, 1]);
    expect([r2.root_id, r2.branch_id, r2.depth]).to.deep.equal([root.id, r1.id, 2]);
    const thread = await h.services.postViews.thread(root.id, null);
    expect(thread!.root.replyCount).to.equal(2);
    expect(thread!.replies.map((r) => r.id)).to.deep.equal([r1.id]);
    expect(thread!.replies[0]!.children.map((r) => r.id)).to.deep.equal([r2.id]);
  });

  it('shows very deep replies at the deepest level, saying whom they answer', async () => {
    const a = await makeMember(h, { handle: 'deep' });
    const root = await h.services.posts.createThread(a, await generalSpace(h), { body: 'root' });
    let parent = root.id;
    const ids: number[] = [];
    for (let i = 0; i < 9; i++) {
      const r = await h.services.posts.reply(a, parent, { body: `level ${i + 1}` });
      ids.push(r.id);
      parent = r.id;
    }
    const thread = await h.services.postViews.thread(root.id, null);
    let node = thread!.replies[0]!;
    let levels = 1;
    while (node.children.length === 1 && node.children[0]!.replyingTo === null) {
      node = node.children[0]!;
      levels++;
    }
    expect(levels).to.equal(5); // depths 1..5 nest normally
    const flat = node.children;
    expect(flat.map((r) => r.id)).to.deep.equal(ids.slice(5));
    expect(flat.every((r) => r.depth === 6)).to.equal(true);
    expect(flat[1]!.replyingTo).to.equal('@deep');
  });

  it('refuses an empty post and an over-long one, storing nothing', async () => {
    const a = await makeMember(h);
    const space = await generalSpace(h);
    for (const body of ['   ', 'x'.repeat(h.config.limits.max_post_chars + 1)]) {
      const err = await h.services.posts.createThread(a, space, { body }).catch((e) => e);
      expect(err).to.be.instanceOf(ValidationError);
      expect(err.status).to.equal(422);
      expect(err.fields).to.have.property('body');
    }
    const count = await h.database.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).to.equal(0);
  });

  it('lets only the author edit and delete, and keeps a deleted post as a placeholder', async () => {
    const [a, b] = [await makeMember(h), await makeMember(h)];
    const root = await h.services.posts.createThread(a, await generalSpace(h), { body: 'first' });
    const reply = await h.services.posts.reply(b, root.id, { body: 'reply' });
    const denied = await h.services.posts.edit(b, root.id, { body: 'hijack' }).catch((e) => e);
    expect(denied).to.be.instanceOf(DomainError).with.property('status', 403);
    const edited = await h.services.posts.edit(a, root.id, { title: 'Now titled', body: 'edited' });
    expect(edited.body_html).to.contain('edited');
    expect(edited.edited_at).to.be.a('string');
    expect((await h.services.posts.delete(a, reply.id).catch((e) => e)).status).to.equal(403);
    await h.services.posts.delete(b, reply.id);
    const thread = await h.services.postViews.thread(root.id, null);
    expect(thread!.root.replyCount).to.equal(0);
    expect(thread!.replies[0]!.deleted).to.equal(true);
    expect(thread!.replies[0]!.bodyHtml).to.equal('');
    const again = await h.services.posts.reply(a, reply.id, { body: 'to a deleted post' }).catch((e) => e);
    expect(again.status).to.equal(409);
  });

  it('pages the home feed by keyset, without gaps or repeats, hiding members-only spaces from visitors', async () => {
    const admin = await makeMember(h, { role: 'admin' });
    const space = await generalSpace(h);
    const secret = await h.services.spaces.create(admin, { slug: 'staff', name: 'Staff', description: '', visibility: 'members' });
    for (let i = 0; i < 55; i++) await h.services.posts.createThread(admin, space, { body: `post ${i}` });
    await h.services.posts.createThread(admin, secret, { body: 'secret' });
    const first = await h.services.postViews.home(null);
    expect(first.items).to.have.length(50);
    expect(first.items.some((p) => p.bodyHtml.includes('secret'))).to.equal(false);
    const second = await h.services.postViews.home(null, first.next!);
    expect(second.items).to.have.length(5);
    expect(second.next).to.equal(null);
    const ids = [...first.items, ...second.items].map((p) => p.id);
    expect(new Set(ids).size).to.equal(55);
    expect(ids).to.deep.equal([...ids].sort((x, y) => y - x));
    const asMember = await h.services.postViews.home({ id: admin.id, role: 'admin' });
    expect(asMember.items[0]!.bodyHtml).to.contain('secret');
  });
});
