import { expect } from 'chai';
import { type TestHearth, generalSpace, makeHearth, makeMember } from '../helpers/hearth.js';
import { SmtpSink, readMail } from '../helpers/smtp-sink.js';

// Issue 13, fault 6: the digest dates each line on the reader's clock, in the pages' style.
describe('the e-mail digest’s times', () => {
  let sink: SmtpSink;
  let h: TestHearth;
  before(async () => {
    sink = await SmtpSink.start();
    h = await makeHearth({ community: { timezone: 'Europe/Berlin' }, email: { smtp_host: '127.0.0.1', smtp_port: sink.port, from: 'Hearth <hello@bean.example>' } });
  });
  after(async () => {
    await h.destroy();
    await sink.close();
  });

  it('uses the member’s own zone, or the community’s when they chose none', async () => {
    const ana = await makeMember(h, { handle: 'ana' });
    const kim = await makeMember(h, { handle: 'kim' });
    const bob = await makeMember(h, { handle: 'bob' });
    await h.services.members.updateProfile(ana.id, { displayName: 'Ana', bio: '', timeZone: 'Asia/Tokyo' });
    for (const [m, email] of [[ana, 'ana@example.com'], [kim, 'kim@example.com']] as const) {
      await h.services.notifications.saveSettings(m.id, { muted: [], email, digest: true }, true);
      const post = await h.services.posts.createThread(m, await generalSpace(h), { body: 'Digest me' });
      await h.services.posts.reply(bob, post.id, { body: 'A reply' });
    }
    await h.services.earning.idle();
    await h.services.notificationSubscribers.idle();
    // 10:00 UTC: 19:00 in Tokyo, 12:00 in Berlin (summer).
    await h.database.db.updateTable('notifications').set({ created_at: '2026-07-01T10:00:00.000Z' }).execute();
    expect(await h.services.digest.run(new Date('2026-07-01T12:00:00.000Z'))).to.equal(2);
    const bodies = Object.fromEntries(sink.mails.map((m) => [m.to[0], readMail(m).body]));
    expect(bodies['<ana@example.com>']).to.contain('- Wed, 1 Jul 2026, 19:00: ');
    expect(bodies['<kim@example.com>']).to.contain('- Wed, 1 Jul 2026, 12:00: ');
    expect(Object.values(bodies).join('\n')).not.to.contain('UTC');
  });
});
