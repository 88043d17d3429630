import path from 'node:path';
import { expect } from 'chai';
import { makeMember } from '../helpers/hearth.js';
import { logIn as logInAs, logOut, mainNav, outputDir, useBrowserHearth } from './chromium.js';
import { withoutIsolates } from '../helpers/isolates.js';

describe('ideas, questions, reviews and stories, in a real browser', function () {
  this.timeout(90000);
  const ctx = useBrowserHearth({ community: { name: 'Bean Counter Café' } });

  it('a member proposes an idea and votes; staff change its status; a question is asked, answered and accepted', async () => {
    const { h, browser, base } = ctx;
    await makeMember(h, { role: 'owner', handle: 'olga', displayName: 'Olga' });
    await makeMember(h, { handle: 'mia', displayName: 'Mia' });
    await makeMember(h, { handle: 'ben', displayName: 'Ben' });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const logIn = (handle: string) => logInAs(page, base, handle);

    await logIn('olga');
    await page.goto(`${base}/admin/spaces`);
    await page.getByLabel('Name').fill('Ideas');
    await page.getByLabel('Address').fill('ideas');
    await page.getByLabel(/Idea board/).check();
    await page.getByRole('button', { name: 'Create space' }).click();
    await page.waitForURL(/\/s\/ideas$/);
    await logOut(page);

    await logIn('mia');
    await page.goto(`${base}/s/ideas`);
    await page.getByText('Propose an idea').click();
    await page.getByLabel('Your idea in one line').fill('Oat milk flat whites');
    await page.getByLabel('Why it would help').fill('Half of us are lactose intolerant.');
    await page.getByRole('button', { name: 'Propose' }).click();
    await page.waitForURL(/\/p\/\d+$/);
    const ideaUrl = page.url();
    await page.locator('#idea').getByRole('button', { name: 'Vote up' }).click();
    await page.waitForURL(/#idea$/);
    expect(await page.locator('#idea .score').textContent()).to.equal('1');
    expect(await page.locator('#idea').getByRole('button', { name: 'Vote up' }).getAttribute('aria-pressed')).to.equal('true');

    // Ask a question in the general space.
    await page.goto(`${base}/s/general`);
    await page.getByText('Start a new thread').click();
    await page.getByLabel('Title (optional)').fill('Do you roast your own beans?');
    await page.getByLabel('Your post').fill('Curious where they come from.');
    await page.getByLabel(/This is a question/).check();
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.waitForURL(/\/p\/\d+$/);
    const questionUrl = page.url();
    expect(await page.textContent('main')).to.contain('Question');
    await logOut(page);

    await logIn('ben');
    await page.goto(questionUrl);
    const composer = page.locator('section.composer');
    expect(await composer.locator('h2').textContent()).to.equal('Your answer');
    await page.getByLabel('Your answer').fill('Yes, every Tuesday morning.');
    await composer.getByRole('button', { name: 'Post your answer' }).click();
    await page.waitForURL(/#p-\d+$/);
    await logOut(page);

    await logIn('mia');
    await page.goto(questionUrl);
    await page.getByRole('button', { name: '✓ Accept this answer' }).click();
    await page.waitForURL(/#p-\d+$/);
    expect(await page.locator('.accepted').textContent()).to.contain('✓ Accepted answer').and.contain('every Tuesday morning');
    await page.screenshot({ path: path.join(outputDir, 'question-phone.png'), fullPage: true });
    await logOut(page);

    // Staff move the idea along; Mia, who voted, hears of it.
    await logIn('olga');
    await page.goto(ideaUrl);
    await page.getByLabel('Move to').selectOption('planned');
    await page.getByLabel('Note for everyone (optional)').fill('On the menu from March.');
    await page.getByRole('button', { name: 'Change status' }).click();
    await page.waitForURL(/#idea$/);
    expect(await page.textContent('#idea')).to.contain('Planned').and.contain('On the menu from March.');
    await page.goto(`${base}/s/ideas?sort=trending`);
    expect(await page.textContent('.idea-list')).to.contain('Oat milk flat whites').and.contain('Planned');
    await page.screenshot({ path: path.join(outputDir, 'ideas-phone.png'), fullPage: true });
    await logOut(page);

    await logIn('mia');
    await h.services.notificationSubscribers.idle();
    await page.getByRole('link', { name: /Notifications/ }).click();
    expect(withoutIsolates((await page.textContent('main')) ?? '')).to.contain('The idea “Oat milk flat whites” is now planned: On the menu from March.');
    await page.close();
  });

  it('a member reviews a product and sends a story; the editor publishes it from the queue', async () => {
    const { h, browser, base } = ctx;
    await makeMember(h, { role: 'owner', handle: 'otto', displayName: 'Otto' });
    await makeMember(h, { handle: 'lea', displayName: 'Lea' });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const logIn = (handle: string) => logInAs(page, base, handle);

    await logIn('otto');
    await page.goto(`${base}/admin/products`);
    await page.getByLabel('Name').first().fill('Cinnamon bun');
    await page.getByRole('button', { name: 'List it' }).click();
    await page.waitForURL(/\/products\/\d+$/);
    const productUrl = page.url();
    await logOut(page);

    await logIn('lea');
    await (await mainNav(page)).getByRole('link', { name: 'Reviews' }).click();
    await page.getByRole('link', { name: 'Cinnamon bun' }).click();
    expect(page.url()).to.equal(productUrl);
    await page.getByLabel('4 stars').check();
    await page.getByLabel('Your review').fill('Sticky, warm, worth the walk.');
    await page.getByRole('button', { name: 'Post review' }).click();
    await page.waitForURL(/#review-\d+$/);
    expect(await page.textContent('header.card')).to.contain('4 out of 5 from 1 review');

    await (await mainNav(page)).getByRole('link', { name: 'Stories' }).click();
    await page.getByRole('link', { name: 'Send us your story' }).first().click();
    await page.getByLabel('Title').fill('My first latte art');
    await page.getByLabel('Your story').fill('It looked like a **heart**, almost.');
    await page.getByRole('button', { name: 'Send to the editors' }).click();
    await page.waitForURL(/sent=1$/);
    expect(await page.textContent('main')).to.contain('Thank you!').and.contain('waiting for the editors');
    await logOut(page);

    await logIn('otto');
    await (await mainNav(page)).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'Editorial queue' }).click();
    await page.getByRole('link', { name: 'Read, edit and decide' }).click();
    await page.getByLabel('Title').fill('My first latte art (almost a heart)');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByLabel('Note to the author (optional)').fill('Lovely, we will share it.');
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL(/\/editorial$/);
    await page.getByRole('button', { name: /^Publish/ }).click();
    // Publishing cannot be undone: a second step names the story and what follows (issue 13, fault 9).
    expect(await page.textContent('h1')).to.equal('Publish “My first latte art (almost a heart)” by Lea?');
    await page.screenshot({ path: path.join(outputDir, 'confirm-publish-phone.png'), fullPage: true });
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await page.waitForURL(/\/stories\/\d+$/);
    expect(await page.textContent('h1')).to.equal('My first latte art (almost a heart)');
    expect(await page.textContent('.byline')).to.contain('Lea');
    await page.screenshot({ path: path.join(outputDir, 'story-phone.png'), fullPage: true });
    await logOut(page);

    await logIn('lea');
    await h.services.notificationSubscribers.idle();
    await page.getByRole('link', { name: /Notifications/ }).click();
    expect(withoutIsolates((await page.textContent('main')) ?? '')).to.contain('Your story “My first latte art (almost a heart)” is published.');
    await page.close();
  });
});
