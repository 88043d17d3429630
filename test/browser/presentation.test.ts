import path from 'node:path';
import { expect } from 'chai';
import { generalSpace, makeMember } from '../helpers/hearth.js';
import { logIn, outputDir, useBrowserHearth } from './chromium.js';

// Issue 13, faults 4, 6, 7 at phone width: a mixed-direction name keeps its place in the
// byline, times read on the viewer's clock, empty lists are sentences. Screenshots land in
// test-output/browser/.
describe('names, times and empty lists at 390 px, in a real browser', function () {
  this.timeout(60000);
  const ctx = useBrowserHearth({ community: { name: 'Bean Counter Café', timezone: 'Europe/Berlin' } });

  it('keeps a mixed-direction name before the date it sits beside, and shows what is empty as a sentence', async () => {
    const { h, browser, base } = ctx;
    const owner = await makeMember(h, { role: 'owner', handle: 'boss' });
    const anna = await makeMember(h, { handle: 'anna', displayName: 'Anna 🌸 آنا' });
    const story = await h.services.stories.submit({ member: anna }, { title: 'How we met', body: 'Over coffee.' });
    await h.services.stories.approve(owner, story.id, '');
    await h.services.stories.publish(owner, story.id);
    const thread = await h.services.posts.createThread(anna, await generalSpace(h), { title: 'Opening hours', body: 'Open on Sunday?' });

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/stories/${story.id}`);
    // The whole name sits left of the date: the Arabic part does not swap places with it.
    const name = (await page.locator('.byline bdi').boundingBox())!;
    const date = (await page.locator('.byline time').boundingBox())!;
    expect(date.y).to.be.closeTo(name.y, 2);
    expect(date.x).to.be.greaterThan(name.x + name.width);
    expect(await page.locator('.byline time').textContent()).to.match(/^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}$/);
    await page.screenshot({ path: path.join(outputDir, 'presentation-story-byline-390.png'), fullPage: true });

    await page.goto(`${base}/p/${thread.id}`);
    expect(await page.locator('footer.site-footer').textContent()).to.contain('Times are shown in Europe/Berlin.');
    await page.screenshot({ path: path.join(outputDir, 'presentation-thread-390.png'), fullPage: true });

    await logIn(page, base, 'boss');
    await page.goto(`${base}/admin/economy`);
    const experts = page.locator('section', { hasText: 'Appointed experts' });
    expect(await experts.locator('li').count()).to.equal(0);
    expect(await experts.locator('p.empty').textContent()).to.equal('Nobody appointed yet.');
    await page.screenshot({ path: path.join(outputDir, 'presentation-economy-empty-390.png'), fullPage: true });

    await page.goto(`${base}/settings/profile`);
    await page.getByLabel('Your time zone').selectOption('Asia/Tokyo');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.waitForURL(/saved=1/);
    await page.goto(`${base}/p/${thread.id}`);
    expect(await page.locator('footer.site-footer').textContent()).to.contain('Times are shown in Asia/Tokyo');
    await page.screenshot({ path: path.join(outputDir, 'presentation-thread-tokyo-390.png'), fullPage: true });
    await page.close();
  });
});
