import path from 'node:path';
import { expect } from 'chai';
import { generalSpace, makeMember } from '../helpers/hearth.js';
import { outputDir, useBrowserHearth } from './chromium.js';

describe('mentions in a real browser', function () {
  this.timeout(60000);
  const ctx = useBrowserHearth({ community: { name: 'Bean Counter Café', description: 'Coffee **people**.' } });

  it('a mention in a post opens the member’s page, at phone width', async () => {
    const { browser, base, h } = ctx;
    const ana = await makeMember(h, { handle: 'ana', displayName: 'Ana' });
    await makeMember(h, { handle: 'bob', displayName: 'Bob the Barista' });
    const thread = await h.services.posts.createThread(ana, await generalSpace(h), { title: 'New beans', body: 'Hey @bob, try the **Huila** beans. Not @nobody, and not `@bob` either.' });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/p/${thread.id}`);
    const prose = page.locator('.prose').first();
    expect(await prose.locator('a.mention').count()).to.equal(1);
    expect(await prose.textContent()).to.contain('Hey @bob, try the Huila beans. Not @nobody, and not @bob either.');
    await page.screenshot({ path: path.join(outputDir, 'mentions-thread-phone.png'), fullPage: true });
    await prose.getByRole('link', { name: '@bob' }).click();
    await page.waitForURL(/\/@bob$/);
    expect(await page.textContent('h1')).to.contain('Bob the Barista');
    await page.close();
  });
});
