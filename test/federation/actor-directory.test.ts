import { expect } from 'chai';
import { type TestHearth, makeHearth, makeMember } from '../helpers/hearth.js';

describe('actor documents', () => {
  let h: TestHearth;
  before(async () => {
    h = await makeHearth({ server: { url: 'https://hearth.example' } });
  });
  after(() => h.destroy());

  it('never answers a newer request with a build started from older rows (a change made while a build is in flight)', async () => {
    const actors = h.federation!.actors;
    const ana = await makeMember(h, { handle: 'ana_race' });
    const before = actors.ensure({ kind: 'member', name: ana.handle, member: ana });
    await h.services.members.setApproveFollowers(ana.id, true);
    const now = await h.services.members.getById(ana.id);
    const after = actors.ensure({ kind: 'member', name: now.handle, member: now });
    expect((await before).manuallyApprovesFollowers?.[0]).to.equal(false);
    expect((await after).manuallyApprovesFollowers?.[0]).to.equal(true);
    const stored = await h.federation!.apex.store.getObject(`https://hearth.example/@${ana.handle}`, false);
    expect(stored?.manuallyApprovesFollowers?.[0]).to.equal(true);
    await h.federation!.publisher.idle();
  });
});
