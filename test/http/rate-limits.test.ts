import { expect } from 'chai';
import request from 'supertest';
import { PASSWORD, type TestHearth, csrfFrom, makeHearth, makeMember } from '../helpers/hearth.js';

/** One person at a fresh browser, all from the same address (supertest's 127.0.0.1). */
async function logIn(h: TestHearth, handle: string, password: string): Promise<number> {
  const agent = request.agent(h.app);
  const page = await agent.get('/login');
  return (await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), handle, password })).status;
}

async function signUp(h: TestHearth, fields: Record<string, string>): Promise<number> {
  const agent = request.agent(h.app);
  const page = await agent.get('/signup');
  return (await agent.post('/signup').type('form').send({ _csrf: csrfFrom(page.text), displayName: '', password: PASSWORD, confirm: PASSWORD, inviteCode: '', ...fields })).status;
}

describe('rate limits count what each form guards against', () => {
  let h: TestHearth;
  afterEach(() => h?.destroy());

  describe('log-in: wrong passwords only', () => {
    it('lets 40 members log in one after another from one office address', async () => {
      h = await makeHearth();
      expect(h.config.limits.login_attempts_per_ip).to.be.below(40);
      for (let i = 0; i < 40; i++) await makeMember(h, { handle: `staff${i}` });
      for (let i = 0; i < 40; i++) expect(await logIn(h, `staff${i}`, PASSWORD), `log-in ${i + 1}`).to.equal(303);
    });

    it('locks the address out after its failures, however many log-ins succeed in between', async () => {
      h = await makeHearth({ limits: { login_attempts_per_ip: 5, login_attempts_per_account: 1000 } });
      for (let i = 0; i < 6; i++) await makeMember(h, { handle: `m${i}` });
      for (let i = 0; i < 4; i++) expect(await logIn(h, `m${i}`, 'wrong password here')).to.equal(401);
      for (let i = 0; i < 10; i++) expect(await logIn(h, `m${i % 6}`, PASSWORD)).to.equal(303);
      // Unknown handles are guesses too.
      expect(await logIn(h, 'nobody', 'wrong password here')).to.equal(401);
      expect(await logIn(h, 'm5', PASSWORD)).to.equal(429);
    });

    it('counts a burst of parallel guesses while they run, so no more than the limit get through', async () => {
      h = await makeHearth({ limits: { login_attempts_per_ip: 5, login_attempts_per_account: 1000 } });
      await makeMember(h, { handle: 'target' });
      const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => logIn(h, 'target', `guess ${i} of many`)));
      expect(statuses.filter((s) => s === 401).length).to.be.at.most(5);
      expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).to.equal(true);
    });

    it('still pauses one account after its own failures, and lets everyone else in', async () => {
      h = await makeHearth({ limits: { login_attempts_per_ip: 1000, login_attempts_per_account: 3 } });
      await makeMember(h, { handle: 'hal' });
      await makeMember(h, { handle: 'ivy' });
      for (let i = 0; i < 3; i++) expect(await logIn(h, 'hal', `guess ${i} for hal`)).to.equal(401);
      expect(await logIn(h, 'hal', PASSWORD)).to.equal(429);
      expect(await logIn(h, 'ivy', PASSWORD)).to.equal(303);
      // A right password before the pause starts the account's count again.
      for (let i = 0; i < 2; i++) expect(await logIn(h, 'ivy', `guess ${i} for ivy`)).to.equal(401);
      expect(await logIn(h, 'ivy', PASSWORD)).to.equal(303);
      for (let i = 0; i < 2; i++) expect(await logIn(h, 'ivy', `guess ${i} for ivy`)).to.equal(401);
      expect(await logIn(h, 'ivy', PASSWORD)).to.equal(303);
    });
  });

  describe('sign-up: accounts made, taken handles and wrong invite codes', () => {
    it('does not count form mistakes, and stops the address after its sign-ups', async () => {
      h = await makeHearth({ limits: { signups_per_ip: 3 } });
      for (let i = 0; i < 5; i++) expect(await signUp(h, { handle: `typo${i}`, confirm: 'not the same password' })).to.equal(422);
      await makeMember(h, { handle: 'taken' });
      expect(await signUp(h, { handle: 'taken' })).to.equal(409);
      for (let i = 0; i < 2; i++) expect(await signUp(h, { handle: `new${i}` })).to.equal(303);
      expect(await signUp(h, { handle: 'onemore' })).to.equal(429);
    });

    it('counts wrong invite codes, so codes cannot be guessed', async () => {
      h = await makeHearth({ membership: { mode: 'invite' }, limits: { signups_per_ip: 3 } });
      expect(await signUp(h, { handle: 'nocode' })).to.equal(422);
      for (let i = 0; i < 3; i++) expect(await signUp(h, { handle: `guess${i}`, inviteCode: `guessed-code-${i}` })).to.equal(422);
      expect(await signUp(h, { handle: 'guess9', inviteCode: 'guessed-code-9' })).to.equal(429);
    });
  });

  describe('visitors’ stories: stories sent', () => {
    it('does not count a story sent back for a missing title, and stops the address after five', async () => {
      h = await makeHearth({ submissions: { visitors: true } });
      const send = async (title: string) => {
        const agent = request.agent(h.app);
        const page = await agent.get('/submit');
        return (await agent.post('/submit').type('form').send({ _csrf: csrfFrom(page.text), name: 'Vic', email: 'vic@example.com', title, body: 'It was a good day.' })).status;
      };
      for (let i = 0; i < 3; i++) expect(await send('')).to.equal(422);
      for (let i = 0; i < 5; i++) expect(await send(`Story ${i}`)).to.equal(303);
      expect(await send('Story 6')).to.equal(429);
    });
  });
});
