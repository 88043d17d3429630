import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { PASSWORD, makeMember } from '../helpers/hearth.js';
import { outputDir, useBrowserHearth } from './chromium.js';

/** Whether the page is wider than the screen (it would scroll sideways). */
const overflows = (page: Page) => page.evaluate('document.documentElement.scrollWidth > window.innerWidth');

describe('in a real browser: refusals keep the text, expired links explain (issue 13, faults 2 and 14)', function () {
  this.timeout(60000);
  const ctx = useBrowserHearth({ membership: { mode: 'approval' } });

  it('an over-long post comes back with the text, the message beside it and the member still logged in', async () => {
    const { browser, base, h } = ctx;
    await makeMember(h, { handle: 'mia', displayName: 'Mia' });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/login`);
    await page.getByLabel('Handle').fill('mia');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.goto(`${base}/s/general`);
    await page.getByText('Start a new thread').click();
    const body = page.getByLabel('Your post');
    expect(await body.getAttribute('maxlength')).to.equal('20000');
    expect(await page.locator('#f-body ~ p.hint').textContent()).to.contain('Up to 20,000 characters.');
    // A pasted text can still be longer (an old browser, a form kept from before): the server decides.
    await page.evaluate('document.getElementById("f-body").removeAttribute("maxlength")');
    const typed = 'Our opening hours, in detail. '.repeat(700);
    await body.fill(typed);
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.waitForSelector('#e-body');
    expect(await page.locator('#e-body').textContent()).to.contain('A post can be at most 20,000 characters');
    expect(await page.getByLabel('Your post').inputValue()).to.equal(typed);
    expect(await page.locator('header.site-header').textContent()).to.contain('@mia');
    expect(await overflows(page)).to.equal(false);
    await page.screenshot({ path: path.join(outputDir, 'post-too-long-phone.png'), fullPage: false });
    await page.close();
  });

  it('a withdrawn invite says so when opened; sign-up shows every problem at once', async () => {
    const { browser, base, h } = ctx;
    const own = await makeMember(h, { handle: 'own', role: 'owner' });
    const invite = await h.services.invites.create(own, { maxUses: 1, expiresInDays: 7 });
    await h.services.invites.revoke(own, invite.code);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/signup?invite=${invite.code}`);
    expect(await page.textContent('h1')).to.equal('This invite no longer works');
    expect(await page.textContent('main')).to.contain('withdrawn by an admin').and.to.contain('for a new invite');
    expect(await overflows(page)).to.equal(false);
    await page.screenshot({ path: path.join(outputDir, 'invite-withdrawn-phone.png'), fullPage: true });

    await page.getByRole('link', { name: /join without an invite/i }).click();
    await page.getByLabel('Handle').fill('x!');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Password again').fill('different');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForSelector('#e-handle');
    for (const id of ['#e-handle', '#e-password', '#e-confirm']) expect(await page.locator(id).count(), id).to.equal(1);
    expect(await page.getByLabel('Handle').inputValue()).to.equal('x!');
    expect(await overflows(page)).to.equal(false);
    await page.screenshot({ path: path.join(outputDir, 'signup-all-errors-phone.png'), fullPage: true });

    await page.goto(`${base}/setup?token=an-old-link`);
    expect(await page.textContent('h1')).to.contain('This setup link has');
    await page.screenshot({ path: path.join(outputDir, 'setup-link-gone-phone.png'), fullPage: true });
    await page.close();
  });
});
