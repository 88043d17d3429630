import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import { type TestHearth, csrfFrom, generalSpace, loggedInAgent, makeHearth, makeMember } from '../helpers/hearth.js';
import { SmtpSink, readMail } from '../helpers/smtp-sink.js';
import { withoutIsolates } from '../helpers/isolates.js';

const soon = (days: number, time = '19:30') => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;
/** An iCalendar property's value, unfolded (RFC 5545 3.1) and unescaped. */
const icalValue = (ics: string, name: string): string => {
  const line = ics.replace(/\r\n /g, '').split('\r\n').find((l) => l.startsWith(`${name}:`)) ?? '';
  return line.slice(name.length + 1).replace(/\\n/g, '\n').replace(/\\([,;\\])/g, '$1');
};
const metaDescription = (html: string): string => /<meta name="description" content="([^"]*)">/.exec(html)?.[1] ?? '';

describe('plain text made from Markdown', () => {
  let sink: SmtpSink;
  let h: TestHearth;
  let ana: MemberRow;
  let bob: MemberRow;
  let organiser: MemberRow;
  before(async () => {
    sink = await SmtpSink.start();
    h = await makeHearth({ community: { description: 'Coffee **and** cake, since 1998' }, email: { smtp_host: '127.0.0.1', smtp_port: sink.port, from: 'Cafe <hello@cafe.example>' } });
    ana = await makeMember(h, { handle: 'ana', displayName: 'Ana' });
    bob = await makeMember(h, { handle: 'bob' });
    organiser = await makeMember(h, { handle: 'organiser', role: 'moderator' });
  });
  after(async () => {
    await h.destroy();
    await sink.close();
  });
  const settle = async () => {
    await h.services.earning.idle();
    await h.services.notificationSubscribers.idle();
  };

  it('calendar files describe an event in words, with its links readable', async () => {
    const event = await h.services.events.create(organiser, {
      spaceId: (await generalSpace(h)).id, title: 'Latte art night', startsLocal: soon(7), endsLocal: soon(7, '21:30'),
      description: 'Learn to pour a **heart**.\n\n- bring a _cup_\n- read [the guide](https://cafe.example/guide) &amp; smile',
      timezone: 'Europe/Berlin', address: 'The shop', onlineUrl: '', capacity: null,
    });
    for (const path of [`/events/${event.id}.ics`, '/events.ics']) {
      const description = icalValue((await request(h.app).get(path).expect(200)).text, 'DESCRIPTION');
      expect(description).to.match(/^Learn to pour a heart\.\n\n- bring a cup\n- read the guide \(https:\/\/cafe\.example\/guide\) & smile\n\n/);
      expect(description).not.to.match(/\*\*|_cup_|\]\(|&amp;/);
    }
    // The page's description for search results and link previews, too.
    const page = (await request(h.app).get(`/events/${event.id}`).expect(200)).text;
    expect(metaDescription(page)).to.equal('Learn to pour a heart. - bring a cup - read the guide (https://cafe.example/guide) &amp; smile');
  });

  it('page descriptions: a thread’s start, or the community’s description, without Markdown', async () => {
    const thread = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'Beans', body: `New **beans** from _Huila_! ${'Very good. '.repeat(40)}` });
    const description = metaDescription((await request(h.app).get(`/p/${thread.id}`).expect(200)).text);
    expect(description).to.match(/^New beans from Huila! Very good\. .*…$/);
    expect(description.length).to.be.at.most(200);
    const spaces = (await request(h.app).get('/spaces').expect(200)).text;
    expect(metaDescription(spaces)).to.equal('Coffee and cake, since 1998');
    expect(spaces).to.contain('<p>Coffee and cake, since 1998</p>');
    // NodeInfo's description is plain text, too (server directories show it as is).
    const nodeinfo = (await request(h.app).get('/nodeinfo/2.1').expect(200)).body;
    expect(nodeinfo.metadata.nodeDescription).to.equal('Coffee and cake, since 1998');
  });

  it('notifications quote what was said as read, in the app and in the e-mail digest', async () => {
    const agent = await loggedInAgent(h, 'ana');
    const settings = await agent.get('/settings/notifications').expect(200);
    await agent.post('/settings/notifications').type('form').send({ _csrf: csrfFrom(settings.text), on: ['reply', 'mention'], digest: '1', email: 'ana@cafe.example' }).expect(303);
    const thread = await h.services.posts.createThread(ana, await generalSpace(h), { body: 'Which grinder?' });
    await h.services.posts.reply(bob, thread.id, { body: 'The **Comandante**, see [this review](https://grind.example/c40) &amp; `C40`' });
    await h.services.posts.createThread(bob, await generalSpace(h), { body: '> quoting\n\n@ana _look_' });
    await settle();
    const expected = [
      '@bob replied to your post “Which grinder?”: “The Comandante, see this review (https://grind.example/c40) & C40”',
      '@bob mentioned you in “> quoting @ana look”.',
    ];
    const texts = (await h.services.notifications.list(ana.id)).items.map((n) => withoutIsolates(n.text));
    expect(texts).to.include.members(expected);

    expect(await h.services.digest.run()).to.equal(1);
    const { body } = readMail(sink.mails[0]!);
    for (const line of expected) expect(body).to.contain(line);
    expect(body).not.to.match(/\*\*|&amp;|`/);
  });
});
