import path from 'node:path';
import { expect } from 'chai';
import { generalSpace, makeMember } from '../helpers/hearth.js';
import { logIn, outputDir, useBrowserHearth } from './chromium.js';

/** "YYYY-MM-DDTHH:MM" in UTC, `ms` from now. */
const at = (ms: number) => new Date(Date.now() + ms).toISOString().slice(0, 16);

/**
 * Issue 13, faults 3, 10 and 17 at phone width: a removed thread's page offers nothing to
 * press, an idea shows votes and no reactions, and an event page offers check-in only to
 * people going, shortly before the start. Screenshots land in test-output/browser.
 */
describe('gone things, ideas and check-in, in a real browser at 390 px', function () {
  this.timeout(60000);
  const ctx = useBrowserHearth({ community: { name: 'Bean Counter Café' } });

  it('shows no buttons on a removed thread, votes only on an idea, and check-in only where it is allowed', async () => {
    const { h, browser, base } = ctx;
    const owner = await makeMember(h, { role: 'owner', handle: 'olga', displayName: 'Olga' });
    const mod = await makeMember(h, { role: 'moderator', handle: 'organiser', displayName: 'Omar' });
    const mia = await makeMember(h, { handle: 'mia', displayName: 'Mia' });
    const bo = await makeMember(h, { handle: 'bo', displayName: 'Bo' });
    const general = await generalSpace(h);
    const thread = await h.services.polls.createThread(mia, general, { title: 'Next origin?', body: 'Help us pick.' }, { options: ['Ethiopia', 'Colombia'], multiple: false, closesInHours: 24, results: 'after_vote' });
    await h.services.posts.reply(bo, thread.id, { body: 'Ethiopia!' });
    await h.services.moderation.removePost(mod, thread.id, 'Duplicate of another thread');
    const board = await h.services.spaces.create(owner, { slug: 'ideas', name: 'Ideas', description: 'Next?', visibility: 'public', kind: 'ideas' });
    const idea = await h.services.ideas.propose(mia, board, { title: 'Oat milk', body: 'Because oat.' });
    const event = await h.services.events.create(mod, {
      spaceId: general.id, title: 'Cupping session', description: '', startsLocal: at(20 * 60_000), endsLocal: at(140 * 60_000), timezone: 'UTC', address: '', onlineUrl: '', capacity: null,
    });
    await h.services.events.rsvp(mia, event.id, 'going');
    await h.services.events.rsvp(bo, event.id, 'maybe');

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await logIn(page, base, 'organiser');
    await page.goto(`${base}/p/${thread.id}`);
    expect(await page.locator('form[action$="/react"], form[action$="/reply"], form[action$="/vote"]').count()).to.equal(0);
    await page.screenshot({ path: path.join(outputDir, 'removed-thread-390.png'), fullPage: true });

    await page.goto(`${base}/p/${idea.id}`);
    expect(await page.locator(`form[action="/p/${idea.id}/idea-vote"]`).count()).to.equal(1);
    expect(await page.locator(`form[action="/p/${idea.id}/react"]`).count()).to.equal(0);
    await page.screenshot({ path: path.join(outputDir, 'idea-votes-only-390.png'), fullPage: true });

    await page.goto(`${base}/events/${event.id}`);
    expect(await page.getByRole('button', { name: 'Check in' }).count()).to.equal(1); // Mia (going), not Bo (maybe)
    await page.getByRole('button', { name: 'Check in' }).click();
    await page.waitForURL(/#attendees$/);
    expect(await page.getByRole('button', { name: 'Undo check-in' }).count()).to.equal(1);
    await page.screenshot({ path: path.join(outputDir, 'event-check-in-390.png'), fullPage: true });
  });
});
