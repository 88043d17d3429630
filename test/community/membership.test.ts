import { expect } from 'chai';
import { ValidationError } from '../../src/core/errors.js';
import { PASSWORD, type TestHearth, makeHearth, makeMember } from '../helpers/hearth.js';

describe('membership modes', () => {
  let h: TestHearth;
  afterEach(() => h.destroy());

  const signUp = (handle: string, inviteCode = '') => h.services.members.signUp({ handle, password: PASSWORD, inviteCode });

  it('open: a sign-up is an active member who can log in', async () => {
    h = await makeHearth({ membership: { mode: 'open' } });
    const m = await signUp('Newbie');
    expect(m.handle).to.equal('newbie');
    expect(m.status).to.equal('active');
    expect((await h.services.members.authenticate('newbie', PASSWORD)).id).to.equal(m.id);
  });

  it('rejects taken and reserved handles, weak passwords, and wrong passwords', async () => {
    h = await makeHearth();
    await signUp('taken');
    expect((await signUp('TAKEN').catch((e) => e)).status).to.equal(409);
    const reserved = await signUp('admin').catch((e) => e);
    expect(reserved).to.be.instanceOf(ValidationError);
    expect(reserved.fields.handle).to.match(/reserved/);
    const weak = await h.services.members.signUp({ handle: 'weakling', password: 'short' }).catch((e) => e);
    expect(weak.fields.password).to.match(/at least 10/);
    expect((await h.services.members.authenticate('taken', 'wrong password!').catch((e) => e)).status).to.equal(401);
    expect((await h.services.members.authenticate('nobody', PASSWORD).catch((e) => e)).status).to.equal(401);
  });

  it('approval: sign-ups wait in a queue until an admin approves them', async () => {
    h = await makeHearth({ membership: { mode: 'approval' } });
    const admin = await makeMember(h, { role: 'admin' });
    const m = await signUp('waiting');
    expect(m.status).to.equal('pending');
    const refused = await h.services.members.authenticate('waiting', PASSWORD).catch((e) => e);
    expect(refused.code).to.equal('pending');
    await h.services.moderation.decide(admin, m.id, true);
    expect((await h.services.members.authenticate('waiting', PASSWORD)).status).to.equal('active');
    const log = await h.services.moderation.readLog(admin);
    expect(log[0]!.action).to.equal('member.approve');
  });

  it('approval: a member cannot approve, and a declined sign-up cannot log in', async () => {
    h = await makeHearth({ membership: { mode: 'approval' } });
    const admin = await makeMember(h, { role: 'admin' });
    const plain = await makeMember(h);
    const m = await signUp('hopeful');
    expect((await h.services.moderation.decide(plain, m.id, true).catch((e) => e)).status).to.equal(403);
    await h.services.moderation.decide(admin, m.id, false, 'spam account');
    expect((await h.services.members.authenticate('hopeful', PASSWORD).catch((e) => e)).code).to.equal('rejected');
  });

  it('invite: a code is required, is used up, and lets its holder skip approval elsewhere', async () => {
    h = await makeHearth({ membership: { mode: 'invite' } });
    const admin = await makeMember(h, { role: 'admin' });
    const missing = await signUp('nocode').catch((e) => e);
    expect(missing.fields.inviteCode).to.match(/invite-only/);
    const invite = await h.services.invites.create(admin, { maxUses: 1, expiresInDays: 7 });
    expect((await signUp('bad', 'not-a-code').catch((e) => e)).fields.inviteCode).to.match(/not one this community made/);
    const m = await signUp('invited', invite.code);
    expect(m.status).to.equal('active');
    const usedUp = await signUp('second', invite.code).catch((e) => e);
    expect(usedUp.fields.inviteCode).to.match(/already been used/);
    expect(await h.services.members.findByHandle('second')).to.equal(undefined);
    const plain = await makeMember(h);
    expect((await h.services.invites.create(plain, { maxUses: 1, expiresInDays: 1 }).catch((e) => e)).status).to.equal(403);
  });

  it('approval with an invite code: active at once', async () => {
    h = await makeHearth({ membership: { mode: 'approval' } });
    const admin = await makeMember(h, { role: 'owner' });
    const invite = await h.services.invites.create(admin, { maxUses: 5, expiresInDays: 0 });
    expect((await signUp('vip', invite.code)).status).to.equal('active');
  });
});
