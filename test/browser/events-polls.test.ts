import path from 'node:path';
import { expect } from 'chai';
import { makeMember } from '../helpers/hearth.js';
import { logIn as logInAs, logOut, mainNav, outputDir, useBrowserHearth } from './chromium.js';
import { withoutIsolates } from '../helpers/isolates.js';

const inDays = (days: number, time: string) => `${new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10)}T${time}`;

describe('events, polls and notifications, in a real browser', function () {
  this.timeout(60000);
  const ctx = useBrowserHearth({ community: { name: 'Bean Counter Café', timezone: 'Europe/Paris' } });

  it('an organiser plans an event and a poll; a member RSVPs, finds it in the calendar feed and votes; the organiser is notified', async () => {
    const { h, browser, base } = ctx;
    await makeMember(h, { role: 'moderator', handle: 'organiser', displayName: 'Olga' });
    await makeMember(h, { handle: 'mia', displayName: 'Mia' });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const logIn = (handle: string) => logInAs(page, base, handle);

    await logIn('organiser');
    await (await mainNav(page)).getByRole('link', { name: 'Events' }).click();
    await page.getByRole('link', { name: 'New event' }).click();
    await page.getByLabel('Title').fill('Cupping session');
    await page.getByLabel('Description (Markdown)').fill('Taste **three** single origins.');
    await page.getByLabel('Starts').fill(inDays(3, '18:00'));
    await page.getByLabel('Ends').fill(inDays(3, '20:00'));
    expect(await page.getByLabel('Time zone').inputValue()).to.equal('Europe/Paris');
    await page.getByLabel('Address (optional)').fill('1 Place du Marché, Lyon');
    await page.getByLabel('Capacity (optional)').fill('12');
    await page.getByRole('button', { name: 'Create the event' }).click();
    await page.waitForURL(/\/events\/\d+$/);
    const eventUrl = page.url();
    expect(await page.textContent('h1')).to.equal('Cupping session');
    // The event is on the viewer's own clock here (the community's zone), so no zone label; the footer names it.
    expect(await page.textContent('dl.figures')).to.contain('18:00').and.contain('0 of 12 taken').and.not.contain('(Europe/Paris)');
    expect(await page.textContent('footer')).to.contain('Times are shown in Europe/Paris');

    await page.goto(`${base}/s/general`);
    await page.getByText('Start a new thread').click();
    await page.getByLabel('Title (optional)').fill('Next origin?');
    await page.getByLabel('Your post').fill('Help us pick.');
    await page.getByText('Add a poll').click();
    await page.getByLabel('Options, one per line').fill('Ethiopia\nColombia\nSumatra');
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.waitForURL(/\/p\/\d+/);
    const pollUrl = page.url();
    await logOut(page);

    await logIn('mia');
    await page.goto(eventUrl);
    await page.getByRole('button', { name: 'Going', exact: true }).click();
    await page.waitForURL(/#rsvp$/);
    expect(await page.textContent('dl.figures')).to.contain('1 of 12 taken');
    expect(await page.textContent('#attendees')).to.contain('Mia');
    // The calendar feed every page advertises has the event.
    const feedHref = await page.locator('link[rel=alternate][type="text/calendar"]').getAttribute('href');
    const feed = await (await page.request.get(`${base}${feedHref}`)).text();
    expect(feed).to.contain('SUMMARY:Cupping session').and.contain('LOCATION:1 Place du Marché\\, Lyon');

    await page.goto(pollUrl);
    await page.getByLabel('Colombia').check();
    await page.getByRole('button', { name: 'Vote' }).click();
    await page.waitForURL(/#poll$/);
    expect(await page.textContent('#poll')).to.contain('100%').and.contain('Colombia').and.contain('1 person voted');
    await page.screenshot({ path: path.join(outputDir, 'poll-phone.png'), fullPage: true });
    await logOut(page);

    await logIn('organiser');
    await h.services.notificationSubscribers.idle();
    await page.goto(`${base}/`);
    const bell = page.getByRole('link', { name: /Notifications/ });
    // Mia's RSVP, and the "First post" badge the poll thread earned.
    expect(await bell.textContent()).to.contain('2 unread');
    await bell.click();
    expect(withoutIsolates((await page.textContent('main')) ?? '')).to.contain('@mia is going to “Cupping session”.').and.contain('You earned the badge “First post”.');
    await page.screenshot({ path: path.join(outputDir, 'notifications-phone.png'), fullPage: true });
    await page.close();
  });
});
