import { expect } from 'chai';
import { accountAddress, formatHandle } from '../../src/community/handle.js';
import type { MemberRow } from '../../src/community/member.table.js';
import type { PostRow } from '../../src/community/post.table.js';
import { loggedInAgent, makeMember, settleDomain } from '../helpers/hearth.js';
import { SmtpSink, readMail } from '../helpers/smtp-sink.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth, settle } from './helpers/hearth-server.js';
import { type RemoteActor, RemoteServer } from './helpers/remote.js';
import { withoutIsolates } from '../helpers/isolates.js';

describe('how people are named: local @name, remote @name@domain, never the domain twice', () => {
  describe('formatHandle', () => {
    const table: [Parameters<typeof formatHandle>[0], string][] = [
      [{ handle: 'ana', domain: null }, '@ana'],
      [{ handle: 'ana' }, '@ana'],
      // Remote handles are stored as user@domain (lower-cased), sometimes with a suffix for a second actor of the same name.
      [{ handle: 'zoe@mastodon.example', domain: 'mastodon.example' }, '@zoe@mastodon.example'],
      [{ handle: 'zoe@mastodon.example#lx2k', domain: 'mastodon.example' }, '@zoe@mastodon.example'],
      [{ handle: 'zoe@127.0.0.1:8080', domain: '127.0.0.1:8080' }, '@zoe@127.0.0.1:8080'],
      // Whatever shape the handle has, the domain column is the server.
      [{ handle: 'zoe', domain: 'mastodon.example' }, '@zoe@mastodon.example'],
    ];
    for (const [who, expected] of table) {
      it(`${JSON.stringify(who)} → ${expected}`, () => expect(formatHandle(who)).to.equal(expected));
    }
    it('writes an account address once', () => expect(accountAddress('bikeshop', 'shop.example')).to.equal('@bikeshop@shop.example'));
  });

  describe('in notifications, the digest and pages', () => {
    let h: ServedHearth;
    let remote: RemoteServer;
    let sink: SmtpSink;
    let ana: MemberRow;
    let bob: MemberRow;
    let thread: PostRow;
    let maria: RemoteActor;
    let address: string;

    /** The remote address appears, and never with its domain written twice. */
    const namesMariaOnce = (text: string) => {
      expect(text).to.include(address);
      expect(text).not.to.include(`${remote.host}@${remote.host}`);
      expect(text).not.to.include(`${address}#`);
    };

    before(async () => {
      sink = await SmtpSink.start();
      h = await serveHearth({ community: { handle: 'bikeshop' }, email: { smtp_host: '127.0.0.1', smtp_port: sink.port, from: 'Bikes <hello@bikes.example>' } });
      remote = await RemoteServer.start();
      ana = await makeMember(h.hearth, { handle: 'ana', displayName: 'Ana', role: 'admin' });
      bob = await makeMember(h.hearth, { handle: 'bob', displayName: 'Bob' });
      await h.hearth.services.notifications.saveSettings(ana.id, { muted: [], email: 'ana@example.com', digest: true }, true);
      const general = await h.hearth.services.spaces.getVisible(null, 'general');
      thread = await h.hearth.services.posts.createThread(ana, general, { title: 'Sunday ride', body: 'Who is in?' });
      maria = remote.actor('maria');
      address = `@maria@${remote.host}`;
      const vars = { actor: maria.id, name: maria.name, origin: remote.origin, hearthHost: h.host, group: `${h.url}/@bikeshop`, inReplyTo: `${h.url}/p/${thread.id}`, mentioned: `${h.url}/@ana` };
      expect((await remote.send(maria, `${h.url}/inbox`, fixture('mastodon/create-reply', vars))).status).to.equal(202);
      await h.hearth.services.posts.reply(bob, thread.id, { body: 'Me too.' });
      await settleDomain(h.hearth);
    });
    after(async () => {
      await h.close();
      await remote.close();
      await sink.close();
    });

    it('writes the notification text with the remote address once, and a local member as @name', async () => {
      const texts = (await h.hearth.services.notifications.list(ana.id)).items.map((n) => withoutIsolates(n.text));
      expect(texts.some((t) => t.startsWith(`${address} replied to your post “Sunday ride”: “`))).to.equal(true);
      expect(texts).to.include('@bob replied to your post “Sunday ride”: “Me too.”');
    });

    // Before the page: opening /notifications reads them, and the digest sends only what is unread.
    it('e-mails them so in the digest', async () => {
      expect(await h.hearth.services.digest.run()).to.equal(1);
      const { body } = readMail(sink.mails[0]!);
      namesMariaOnce(body);
      expect(body).to.contain(`${address} replied to your post “Sunday ride”: “`).and.contain('@bob replied to your post “Sunday ride”: “Me too.”');
    });

    it('shows them so on the notifications page and in the thread', async () => {
      const agent = await loggedInAgent(h.hearth, 'ana');
      const notifications = withoutIsolates((await agent.get('/notifications').expect(200)).text);
      namesMariaOnce(notifications);
      expect(notifications).to.include('@bob replied to your post “Sunday ride”: “Me too.”');
      expect(notifications).not.to.include('@bob@');
      const page = (await agent.get(`/p/${thread.id}`).expect(200)).text;
      namesMariaOnce(page);
      expect(page).to.include('<span class="handle"><bdi>@bob</bdi></span>');
      expect(page).to.include(`<span class="handle"><bdi>${address}</bdi></span>`);
    });

    it('names a remote follower waiting for approval, and a removed remote post’s author in the moderation log, once', async () => {
      await h.hearth.services.members.setApproveFollowers(ana.id, true);
      const sent = await remote.send(maria, `${h.url}/inbox`, { ...fixture('mastodon/follow', { actor: maria.id, target: `${h.url}/@ana` }), id: `${maria.id}#follow-ana` });
      expect(sent.status, sent.body).to.equal(202);
      await settle(h);
      const agent = await loggedInAgent(h.hearth, 'ana');
      const followers = (await agent.get('/settings/followers').expect(200)).text;
      expect(followers).to.include(`<strong><bdi>${address}</bdi></strong> wants to follow you`);
      namesMariaOnce(followers);

      const reply = (await h.hearth.services.remote.findPost(`${maria.id}/statuses/1001`))!;
      await h.hearth.services.moderation.removePost(ana, reply.id, 'Off topic');
      const log = (await agent.get('/admin/log').expect(200)).text;
      namesMariaOnce(log);
      expect(log).to.include('@ana');
    });
  });
});
