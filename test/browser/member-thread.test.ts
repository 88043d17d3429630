import path from 'node:path';
import { expect } from 'chai';
import { mainNav, outputDir, useBrowserHearth } from './chromium.js';

describe('in a real browser', function () {
  this.timeout(60000);
  const ctx = useBrowserHearth({ community: { name: 'Bean Counter Café', description: 'Coffee people.', rules: 'Be kind to the baristas.' } });

  it('a new member signs up, posts, replies and sees the thread', async () => {
    const { browser, base } = ctx;
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/`);
    await (await mainNav(page)).getByRole('link', { name: 'Join' }).click();
    await page.getByLabel('Handle').fill('mia');
    await page.getByLabel('Display name (optional)').fill('Mia');
    await page.getByLabel('Password', { exact: true }).fill('mia has a long password');
    await page.getByLabel('Password again').fill('mia has a long password');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL(/\/@mia/);
    expect(await page.textContent('h1')).to.contain('Mia');

    await page.goto(`${base}/s/general`);
    await page.getByText('Start a new thread').click();
    await page.getByLabel('Title (optional)').fill('Oat milk or whole?');
    await page.getByLabel('Your post').fill('Asking for the **new menu**.');
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.waitForURL(/\/p\/\d+/);

    await page.locator('section.composer textarea[name="body"]').fill('Whole milk, always.');
    await page.locator('section.composer').getByRole('button', { name: 'Reply' }).click();
    await page.waitForURL(/#p-\d+/);

    const thread = page.locator('section.thread');
    expect(await thread.locator('article.post').count()).to.equal(1);
    expect(await thread.textContent()).to.contain('Whole milk, always.');
    expect(await page.locator('h2.post-title').textContent()).to.contain('Oat milk or whole?');
    expect(await page.locator('.prose strong').first().textContent()).to.equal('new menu');

    // Reply to the reply: the nested form opens without JavaScript, via <details>.
    const reply = thread.locator('li.depth-1').first();
    await reply.locator('summary', { hasText: 'Reply' }).first().click();
    await reply.locator('textarea[name="body"]').first().fill('Fair enough!');
    await reply.getByRole('button', { name: 'Reply' }).first().click();
    await page.waitForURL(/#p-\d+/);
    expect(await page.locator('li.depth-2').textContent()).to.contain('Fair enough!');
    await page.locator('form.reactions').first().getByTitle('Like').click();
    await page.waitForURL(/#p-\d+/);
    expect(await page.locator('button.reaction.mine').count()).to.equal(1);
    await page.screenshot({ path: path.join(outputDir, 'thread-phone.png'), fullPage: true });

    await page.setViewportSize({ width: 1200, height: 900 });
    await page.goto(`${base}/`);
    expect(await page.textContent('body')).to.contain('Oat milk or whole?').and.to.contain('Be kind to the baristas.');
    await page.screenshot({ path: path.join(outputDir, 'home-desktop.png'), fullPage: true });
    await page.close();
  });
});
