import { expect } from 'chai';
import type { MemberRow } from '../../src/community/member.table.js';
import { type TestHearth, csrfFrom, generalSpace, loggedInAgent, makeHearth, makeMember } from '../helpers/hearth.js';
import { SmtpSink, readMail } from '../helpers/smtp-sink.js';
import { withoutIsolates } from '../helpers/isolates.js';

describe('notifications', () => {
  let h: TestHearth;
  let ana: MemberRow;
  let bob: MemberRow;
  const texts = async (m: MemberRow) => (await h.services.notifications.list(m.id)).items.map((n) => withoutIsolates(n.text));
  const settle = async () => {
    await h.services.earning.idle();
    await h.services.notificationSubscribers.idle();
  };

  describe('in the app', () => {
    beforeEach(async () => {
      // No badges here: these tests are about what others do.
      h = await makeHearth({ economy: { badges: [] } });
      ana = await makeMember(h, { handle: 'ana' });
      bob = await makeMember(h, { handle: 'bob' });
    });
    afterEach(() => h.destroy());

    it('tells authors about replies, reactions and mentions, never about their own actions', async () => {
      const general = await generalSpace(h);
      const post = await h.services.posts.createThread(ana, general, { body: 'New beans! cc @bob' });
      await h.services.posts.reply(bob, post.id, { body: 'Ooh' });
      await h.services.posts.reply(ana, post.id, { body: 'Talking to myself' });
      await h.services.reactions.toggle(bob, post.id, 'like');
      await h.services.reactions.toggle(ana, post.id, 'like');
      await settle();
      expect(await texts(ana)).to.deep.equal(['@bob reacted to your post “New beans! cc @bob”.', '@bob replied to your post “New beans! cc @bob”: “Ooh”']);
      expect(await texts(bob)).to.deep.equal(['@ana mentioned you in “New beans! cc @bob”.']);
    });

    it('respects each member’s choices', async () => {
      await h.services.notifications.saveSettings(ana.id, { muted: ['reaction'], email: '', digest: false }, false);
      const post = await h.services.posts.createThread(ana, await generalSpace(h), { body: 'Quiet, please' });
      await h.services.reactions.toggle(bob, post.id, 'like');
      await h.services.posts.reply(bob, post.id, { body: 'Hi' });
      await settle();
      expect(await texts(ana)).to.deep.equal(['@bob replied to your post “Quiet, please”: “Hi”']);
    });

    it('says on the settings page that e-mail is off when there is no SMTP, and keeps choices', async () => {
      const agent = await loggedInAgent(h, 'ana');
      const page = await agent.get('/settings/notifications').expect(200);
      expect(page.text).to.contain('E-mail is off on this server');
      const saved = await agent.post('/settings/notifications').type('form').send({ _csrf: csrfFrom(page.text), on: ['reply', 'mention'] }).expect(303);
      expect(saved.headers.location).to.equal('/settings/notifications?saved=1');
      expect((await h.services.notifications.settings(ana.id)).muted).to.deep.equal(['reaction', 'rsvp', 'idea', 'answer', 'badge', 'submission']);
      const refused = await agent.post('/settings/notifications').type('form').send({ _csrf: csrfFrom(page.text), on: 'reply', digest: '1' }).expect(422);
      expect(refused.text).to.contain('E-mail is off on this server.');
    });
  });

  describe('the daily e-mail digest', () => {
    let sink: SmtpSink;
    before(async () => {
      sink = await SmtpSink.start();
    });
    after(() => sink.close());
    beforeEach(async () => {
      sink.mails.length = 0;
      h = await makeHearth({ community: { name: 'Bean Counter Café' }, email: { smtp_host: '127.0.0.1', smtp_port: sink.port, from: 'Bean Counter <hello@bean.example>' } });
      ana = await makeMember(h, { handle: 'ana', displayName: 'Ana' });
      bob = await makeMember(h, { handle: 'bob' });
    });
    afterEach(() => h.destroy());

    it('e-mails what is unread once a day, only to members who asked, and nothing when nothing is new', async () => {
      const agent = await loggedInAgent(h, 'ana');
      const page = await agent.get('/settings/notifications').expect(200);
      expect(page.text).not.to.contain('E-mail is off');
      await agent.post('/settings/notifications').type('form').send({ _csrf: csrfFrom(page.text), on: ['reply'], digest: '1', email: 'nope' }).expect(422);
      await agent.post('/settings/notifications').type('form').send({ _csrf: csrfFrom(page.text), on: ['reply'], digest: '1', email: 'Ana@Example.com' }).expect(303);
      const post = await h.services.posts.createThread(ana, await generalSpace(h), { body: 'Digest me' });
      await h.services.posts.reply(bob, post.id, { body: 'First reply' });
      await settle();

      expect(await h.services.digest.run()).to.equal(1);
      expect(sink.mails).to.have.length(1);
      const mail = sink.mails[0]!;
      expect(mail.to).to.deep.equal(['<ana@example.com>']);
      const { subject, body } = readMail(mail);
      expect(subject).to.equal('Bean Counter Café: 1 new notification');
      expect(body).to.contain('Hello Ana,').and.contain('@bob replied to your post “Digest me”: “First reply”').and.contain('http://localhost:8080/settings/notifications');
      // Once a day: a second run sends nothing, and a day later nothing new means no mail.
      expect(await h.services.digest.run()).to.equal(0);
      expect(await h.services.digest.run(new Date(Date.now() + 25 * 3_600_000))).to.equal(0);
      expect(sink.mails).to.have.length(1);
    });
  });
});
