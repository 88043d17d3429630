import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import type { MemberRow } from '../../src/community/member.table.js';
import { viewsDir } from '../../src/paths.js';
import { type TestHearth, generalSpace, loggedInAgent, makeHearth, makeMember, submit } from '../helpers/hearth.js';

// Issue 13, faults 4, 6 and 7: what every page shows the person in front of it: names that
// keep their direction, times on their own clock in one style, numbers and empty lists.

const NAME = 'Anna 🌸 آنا';
const ISOLATED = `<bdi>${NAME}</bdi>`;
// The one style: "Wed, 1 Jul 2026, 12:00".
const STYLE = /[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}/;
// What a shown time looks like inside its element: <time datetime="ISO">text</time>.
const shownTimes = (html: string): { iso: string; text: string }[] =>
  [...html.matchAll(/<time[^>]*datetime="([^"]+)"[^>]*>([^<]*)<\/time>/g)].map((m) => ({ iso: m[1]!, text: m[2]! }));

function templates(dir = viewsDir): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? templates(p) : p.endsWith('.njk') ? [p] : [];
  });
}

describe('presentation: names, times, numbers and empty lists (issue 13, faults 4, 6, 7)', () => {
  let h: TestHearth;
  let anna: MemberRow;
  before(async () => {
    h = await makeHearth({
      community: { timezone: 'Europe/Berlin' },
      economy: { currency_name: 'cup', currency_plural: 'cups', symbol: '', earn: { post: 3 } },
    });
    await makeMember(h, { handle: 'boss', role: 'owner', displayName: 'Boss' });
    anna = await makeMember(h, { handle: 'anna', displayName: NAME });
    await makeMember(h, { handle: 'nyc', displayName: 'New Yorker' });
  });
  after(() => h.destroy());

  describe('an empty community', () => {
    it('shows empty lists as a paragraph, not as a list item, a table row or a badge, and no "-0"', async () => {
      const owner = await loggedInAgent(h, 'boss');
      const economy = await owner.get('/admin/economy').expect(200);
      expect(economy.text).not.to.match(/-0\b/);
      expect(economy.text).to.match(/<dt>Issued<\/dt><dd>0 cups<\/dd>/);
      expect(economy.text).to.include('<p class="empty">Nobody has earned anything yet.</p>');
      expect(economy.text).not.to.match(/<li[^>]*>\s*Nobody/);
      // The page title is text, not a copy of a section.
      expect(economy.text).to.match(/<title>Economy · Admin · [^<]*<\/title>/);

      const board = await owner.get('/leaderboard').expect(200);
      expect(board.text).to.include('<p class="empty">Nobody has earned anything in this period yet.</p>');
      expect(board.text).not.to.include('<table');

      const wallet = await owner.get('/wallet').expect(200);
      expect(wallet.text).to.match(/<p class="empty">Nothing yet\./);
      expect(wallet.text).not.to.match(/<td[^>]*>Nothing yet/);

      const profile = await request(h.app).get('/@nyc').expect(200);
      if (profile.text.includes('badges')) expect(profile.text).not.to.match(/<li[^>]*>No badges yet/);

      const bell = await (await loggedInAgent(h, 'nyc')).get('/notifications').expect(200);
      expect(bell.text).to.include('<p class="empty">Nothing yet.</p>');
      expect(bell.text).not.to.match(/<li[^>]*>Nothing yet/);

      const vouchers = await owner.get('/vouchers').expect(200);
      expect(vouchers.text).to.match(/<p class="empty">No vouchers yet/);
    });
  });

  describe('with activity', () => {
    let rootId: number;
    let storyId: number;
    let eventId: number;
    let productId: number;
    before(async () => {
      const thread = await h.services.posts.createThread(anna, await generalSpace(h), { title: 'Opening hours', body: 'Open on Sunday?' });
      rootId = thread.id;
      await h.services.earning.idle();
      // A fixed instant: 10:00 UTC is 12:00 in Berlin (summer) and 06:00 in New York.
      await h.database.db.updateTable('posts').set({ created_at: '2026-07-01T10:00:00.000Z' }).where('id', '=', rootId).execute();
      const owner = await h.services.members.getByHandle('boss');
      const story = await h.services.stories.submit({ member: anna }, { title: 'How we met', body: 'Over coffee.' });
      await h.services.stories.approve(owner, story.id, '');
      storyId = (await h.services.stories.publish(owner, story.id)).id;
      const event = await h.services.events.create(owner, {
        spaceId: (await generalSpace(h)).id, title: 'Latte art night', description: 'Bring a cup.', startsLocal: '2026-12-05T19:30', endsLocal: '2026-12-05T21:30',
        timezone: 'America/New_York', address: '', onlineUrl: '', capacity: null,
      });
      eventId = event.id;
      await h.services.events.rsvp(anna, eventId, 'going');
      productId = (await h.services.reviews.createProduct(owner, { name: 'Espresso', description: '' })).id;
      await h.services.reviews.save(anna, productId, { rating: 5, body: 'Lovely.' });
    });

    it('isolates a mixed-direction name on every page that prints it, escaped', async () => {
      const owner = await loggedInAgent(h, 'boss');
      const pages = {
        home: await request(h.app).get('/').expect(200),
        thread: await request(h.app).get(`/p/${rootId}`).expect(200),
        space: await request(h.app).get('/s/general').expect(200),
        leaderboard: await owner.get('/leaderboard').expect(200),
        members: await owner.get('/admin/members').expect(200),
        economy: await owner.get('/admin/economy').expect(200),
        stories: await request(h.app).get('/stories').expect(200),
        story: await request(h.app).get(`/stories/${storyId}`).expect(200),
        event: await owner.get(`/events/${eventId}`).expect(200),
        review: await request(h.app).get(`/products/${productId}`).expect(200),
      };
      for (const [name, page] of Object.entries(pages)) {
        expect(page.text, name).to.include(ISOLATED);
        // Never printed bare beside other text.
        expect(page.text.split(NAME).length - 1, name).to.equal(page.text.split(ISOLATED).length - 1 + (page.text.match(new RegExp(`dir="auto">${NAME}<`, 'g'))?.length ?? 0));
      }
      expect(pages.members.text).to.include('<bdi>@anna</bdi>');
      // An event far away is shown on the reader's clock, with its own clock beside it, in the same style.
      expect(shownTimes(pages.event.text).map((t) => t.text)).to.include('Sun, 6 Dec 2026, 01:30 (Sat 19:30 in America/New_York)');
      // The profile heading is block-level user text: dir="auto"; the <title> stays plain text.
      const profile = await request(h.app).get('/@anna').expect(200);
      expect(profile.text).to.include(`<h1 dir="auto">${NAME}</h1>`);
      expect(profile.text).to.match(/<title>[^<]*\(@anna\)[^<]*<\/title>/);
    });

    it('escapes the user text it isolates', async () => {
      const m = await makeMember(h, { handle: 'tricky', displayName: '<b>bold</b>' });
      await h.services.posts.createThread(m, await generalSpace(h), { body: 'hi' });
      const home = await request(h.app).get('/').expect(200);
      expect(home.text).to.include('<bdi>&lt;b&gt;bold&lt;/b&gt;</bdi>');
      expect(home.text).not.to.include('<b>bold</b>');
    });

    it('shows a visitor the community’s zone and a member their own, in one style, with UTC only in datetime', async () => {
      const visitor = await request(h.app).get(`/p/${rootId}`).expect(200);
      const root = shownTimes(visitor.text).find((t) => t.iso === '2026-07-01T10:00:00.000Z');
      expect(root?.text).to.equal('Wed, 1 Jul 2026, 12:00');
      expect(visitor.text).not.to.match(/\d{2}:\d{2} UTC/);
      expect(visitor.text).to.include('Times are shown in Europe/Berlin.');

      const nyc = await loggedInAgent(h, 'nyc');
      const saved = await submit(nyc, '/settings/profile', '/settings/profile', { displayName: 'New Yorker', bio: '', timeZone: 'America/New_York' });
      expect(saved.status).to.equal(303);
      const settings = await nyc.get('/settings/profile').expect(200);
      expect(settings.text).to.match(/<option selected>America\/New_York<\/option>/);
      const hers = await nyc.get(`/p/${rootId}`).expect(200);
      expect(shownTimes(hers.text).find((t) => t.iso === '2026-07-01T10:00:00.000Z')?.text).to.equal('Wed, 1 Jul 2026, 06:00');
      for (const t of shownTimes(hers.text)) expect(t.text).to.match(STYLE);
      expect(hers.text).to.include('Times are shown in America/New_York');

      const bad = await submit(nyc, '/settings/profile', '/settings/profile', { displayName: 'New Yorker', bio: '', timeZone: 'Mars/Olympus' });
      expect(bad.status).to.equal(422);
      expect(bad.text).to.include('Choose a time zone');
    });

    it('shows a voucher’s times in the viewer’s zone, in one format, inside <time>', async () => {
      const owner = await h.services.members.getByHandle('boss');
      const admin = await loggedInAgent(h, 'boss');
      expect((await submit(admin, '/admin/economy', '/admin/economy/adjust', { handle: 'nyc', amount: '12345', reason: 'market help', confirm: '1' })).status).to.equal(303);
      const economy = await admin.get('/admin/economy').expect(200);
      expect(economy.text).to.include('12,345 cups');
      expect(economy.text).not.to.match(/12345 cups/);

      const reward = await h.services.rewards.create(owner, {
        title: 'Free espresso', description: 'Any bean.', price: 10, stock: null, perMemberLimit: null, startsOn: null, endsOn: null,
      });
      const nycMember = await h.services.members.getByHandle('nyc');
      const redemption = await h.services.rewards.redeem(nycMember, reward.id);
      const nyc = await loggedInAgent(h, 'nyc');
      const page = await nyc.get(`/vouchers/${redemption.id}`).expect(200);
      const times = shownTimes(page.text);
      expect(times.length).to.be.greaterThan(0);
      for (const t of times) {
        expect(t.text).to.match(STYLE);
        const ny = new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(t.iso));
        expect(t.text.endsWith(ny), `${t.text} on New York's clock`).to.equal(true);
      }
      expect(page.text).not.to.include('UTC');
      // Used once, then checked again: the refusal gives the time once, in the page's style.
      await h.services.rewards.use(owner, redemption.id);
      const counter = await loggedInAgent(h, 'boss');
      const again = await submit(counter, '/vouchers/check', '/vouchers/check', { code: (await h.services.rewards.voucher(nycMember, redemption.id)).code, confirm: '1' });
      expect(again.status).to.equal(409);
      expect(again.text).not.to.include('UTC');
      expect(again.text).not.to.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
      expect(shownTimes(again.text).every((t) => STYLE.test(t.text))).to.equal(true);
    });
  });

  it('takes a reward’s offer days as days on the community’s clock, and shows them so', async () => {
    const owner = await h.services.members.getByHandle('boss');
    const reward = await h.services.rewards.create(owner, {
      title: 'Advent cookie', description: '', price: 5, stock: null, perMemberLimit: null, startsOn: '2026-12-01', endsOn: '2026-12-24',
    });
    // Berlin is UTC+1 in winter: its 1 December starts at 23:00 UTC the day before.
    expect(reward.starts_at).to.equal('2026-11-30T23:00:00.000Z');
    expect(reward.ends_at).to.equal('2026-12-24T22:59:59.999Z');
    const admin = await loggedInAgent(h, 'boss');
    const page = await admin.get('/rewards').expect(200);
    expect(shownTimes(page.text).map((t) => t.text)).to.include.members(['Tue, 1 Dec 2026, 00:00', 'Thu, 24 Dec 2026, 23:59']);
    const edit = await admin.get(`/admin/rewards/${reward.id}`).expect(200);
    expect(edit.text).to.match(/name="startsOn"[^>]*value="2026-12-01"|value="2026-12-01"[^>]*name="startsOn"/);
  });

  it('no template prints a name, or a time, around its filter', () => {
    for (const file of templates()) {
      const rel = path.relative(viewsDir, file);
      for (const [n, line] of readFileSync(file, 'utf8').split('\n').entries()) {
        if (line.includes('{% block title %}') || line.includes('form.input(')) continue;
        // A display name inside markup goes through bdi (or sits alone in a dir="auto" element).
        const bare = [...line.matchAll(/\{\{ ([\w.]*(?:display_name|displayName|byline\.name)) \}\}/g)].filter((m) => !line.includes(`dir="auto">${m[0]}`));
        expect(bare.map((m) => m[0]), `${rel}:${n + 1}`).to.deep.equal([]);
        // A shown time is inside <time datetime="…"> with the machine form.
        for (const m of line.matchAll(/\{\{ ([\w.]+) \| date(?:\([\w.]+\))? \}\}/g)) {
          expect(line, `${rel}:${n + 1}`).to.include(`datetime="{{ ${m[1]} }}">${m[0]}</time>`);
        }
        expect(line, `${rel}:${n + 1}`).not.to.include('inZone');
      }
    }
  });
});
