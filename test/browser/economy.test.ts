import path from 'node:path';
import { expect } from 'chai';
import { makeMember } from '../helpers/hearth.js';
import { logIn as logInAs, logOut, mainNav, outputDir, useBrowserHearth } from './chromium.js';

describe('the economy, in a real browser', function () {
  this.timeout(60000);
  const ctx = useBrowserHearth({
    community: { name: 'Bean Counter Café' },
    economy: { currency_name: 'cup of coffee', currency_plural: 'cups of coffee', symbol: '☕', earn: { post: 6 } },
  });

  it('a member earns by posting, redeems a reward, and shows the voucher and its QR code; staff use it', async () => {
    const { h, browser, base } = ctx;
    const owner = await makeMember(h, { role: 'owner', handle: 'boss' });
    await makeMember(h, { handle: 'mia', displayName: 'Mia' });
    await h.services.rewards.create(owner, { title: 'Espresso on the house', description: 'Any bean.', price: 10, stock: 1, perMemberLimit: 1, startsOn: null, endsOn: null });

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const logIn = (handle: string) => logInAs(page, base, handle);
    await logIn('mia');

    // Two threads earn 2 × 6 cups.
    for (const title of ['Oat milk or whole?', 'Best time to visit?']) {
      await page.goto(`${base}/s/general`);
      await page.getByText('Start a new thread').click();
      await page.getByLabel('Title (optional)').fill(title);
      await page.getByLabel('Your post').fill('Asking for a friend.');
      await page.getByRole('button', { name: 'Post', exact: true }).click();
      await page.waitForURL(/\/p\/\d+/);
    }
    await h.services.earning.idle();
    await (await mainNav(page)).getByRole('link', { name: 'Wallet' }).click();
    expect(await page.locator('.wallet-balance .balance').textContent()).to.contain('12 cups of coffee ☕');
    expect(await page.locator('table').textContent()).to.contain('Started a thread');
    expect(await page.locator('#badges').textContent()).to.contain('First post');

    await page.getByRole('link', { name: 'Spend them on rewards' }).click();
    // While a form is being sent its buttons are disabled and a second submit is dropped
    // (static/forms.js), so a double click sends once. The page's own navigation is held
    // back here (a listener after the script's) to look at the form mid-send.
    // (A string: the test build has no DOM types.)
    const sending = await page.evaluate(`(async () => {
      const form = document.querySelector('form[action$="/redeem"]');
      const seen = [];
      window.addEventListener('submit', (e) => { seen.push(e.defaultPrevented); e.preventDefault(); });
      form.requestSubmit();
      form.requestSubmit();
      await new Promise((r) => setTimeout(r, 50));
      return { seen, disabled: form.querySelector('button').disabled };
    })()`);
    expect(sending).to.deep.equal({ seen: [false, true], disabled: true });
    await page.reload();
    await page.getByRole('button', { name: 'Redeem “Espresso on the house”' }).click();
    // Spending asks first, saying what it costs and what is left.
    await page.getByRole('heading', { name: 'Redeem “Espresso on the house” for 10 cups of coffee ☕?' }).waitFor();
    expect(await page.textContent('main')).to.contain('You will have 2 cups of coffee ☕ left');
    await page.screenshot({ path: path.join(outputDir, 'redeem-confirm-phone.png'), fullPage: true });
    await page.getByRole('button', { name: 'Redeem', exact: true }).click();
    await page.waitForURL(/\/vouchers\/\d+/);
    expect(await page.textContent('[role=status]')).to.contain('Show this voucher at the counter');
    const code = (await page.locator('[data-code]').textContent())!.trim();
    expect(code).to.match(/^[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    const qr = page.locator('svg.qr');
    expect(await qr.getAttribute('aria-label')).to.equal(`QR code for voucher ${code}`);
    const box = (await qr.boundingBox())!;
    expect(box.width).to.be.greaterThan(150); // big enough to scan from a phone
    expect(await page.locator('svg.qr path').getAttribute('d')).to.match(/^M\d/);
    await page.screenshot({ path: path.join(outputDir, 'voucher-phone.png'), fullPage: true });
    await page.goto(`${base}/wallet`);
    expect(await page.locator('.wallet-balance .balance').textContent()).to.contain('2 cups of coffee ☕');

    // At the counter: the owner looks the code up (nothing used yet), sees what it is, then
    // uses it; it appears among today's uses, and looking it up again says it was used.
    await logOut(page);
    await logIn('boss');
    await page.goto(`${base}/vouchers/check`);
    await page.getByLabel('Voucher code').fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Look it up' }).click();
    const card = page.locator('section', { has: page.getByRole('heading', { name: 'Espresso on the house' }) });
    expect(await card.textContent()).to.contain('Mia (@mia)').and.contain('Valid until').and.contain('Not used yet.');
    await page.screenshot({ path: path.join(outputDir, 'counter-lookup-phone.png'), fullPage: true });
    await page.getByRole('button', { name: 'Use it' }).click();
    expect(await page.textContent('[role=status]')).to.contain('It is now marked used.');
    expect(await page.locator('section', { has: page.getByRole('heading', { name: 'Used today' }) }).textContent()).to.contain(code);
    await page.screenshot({ path: path.join(outputDir, 'counter-used-phone.png'), fullPage: true });
    await page.getByLabel('Voucher code').fill(code);
    await page.getByRole('button', { name: 'Look it up' }).click();
    expect(await card.textContent()).to.contain('Already used on');
    expect(await page.getByRole('button', { name: 'Use it' }).count()).to.equal(0);
    await page.close();
  });
});
