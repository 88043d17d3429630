import { expect } from 'chai';
import { type TestHearth, generalSpace, makeHearth, makeMember } from '../helpers/hearth.js';

describe('reactions', () => {
  let h: TestHearth;
  beforeEach(async () => {
    h = await makeHearth();
  });
  afterEach(() => h.destroy());

  const counts = async (postId: number, viewer: { id: number; role: 'member' } | null = null) => {
    const thread = await h.services.postViews.thread(postId, viewer);
    return Object.fromEntries(thread!.root.reactions.map((r) => [r.kind, r.count]));
  };

  it('counts one of each kind per member, and a second click takes it back', async () => {
    const [a, b, c] = [await makeMember(h), await makeMember(h), await makeMember(h)];
    const post = await h.services.posts.createThread(a, await generalSpace(h), { body: 'react to me' });
    expect(await h.services.reactions.toggle(b, post.id, 'like')).to.equal(true);
    expect(await h.services.reactions.toggle(c, post.id, 'like')).to.equal(true);
    expect(await h.services.reactions.toggle(b, post.id, 'celebrate')).to.equal(true);
    // Visitors see the counts there are; members get a button for every kind.
    expect(await counts(post.id)).to.deep.equal({ like: 2, celebrate: 1 });
    expect(await counts(post.id, { id: a.id, role: 'member' })).to.deep.equal({ like: 2, love: 0, laugh: 0, wow: 0, sad: 0, celebrate: 1 });
    expect(await h.services.reactions.toggle(b, post.id, 'like')).to.equal(false);
    expect(await counts(post.id)).to.include({ like: 1, celebrate: 1 });
    const mine = (await h.services.postViews.thread(post.id, { id: c.id, role: 'member' }))!.root.reactions.find((r) => r.kind === 'like');
    expect(mine!.mine).to.equal(true);
  });

  it('emits reaction events with the post author and space, for the economy to pay', async () => {
    const [a, b] = [await makeMember(h), await makeMember(h)];
    const space = await generalSpace(h);
    const post = await h.services.posts.createThread(a, space, { body: 'x' });
    const seen: unknown[] = [];
    h.services.bus.on('reaction.added', (e) => void seen.push(e));
    await h.services.reactions.toggle(b, post.id, 'love');
    expect(seen).to.deep.equal([{ postId: post.id, memberId: b.id, authorId: a.id, kind: 'love', spaceId: space.id }]);
  });

  it('refuses unknown kinds and reactions to deleted posts', async () => {
    const a = await makeMember(h);
    const post = await h.services.posts.createThread(a, await generalSpace(h), { body: 'x' });
    expect((await h.services.reactions.toggle(a, post.id, 'angry').catch((e) => e)).status).to.equal(422);
    await h.services.posts.delete(a, post.id);
    expect((await h.services.reactions.toggle(a, post.id, 'like').catch((e) => e)).status).to.equal(409);
  });
});
