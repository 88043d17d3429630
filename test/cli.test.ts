import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { expect } from 'chai';
import { createHearth } from '../src/app.js';
import { defaultConfig } from '../src/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const main = path.join(root, 'src', 'main.ts');
// Resolved here: the child runs in a temporary directory with no node_modules.
const tsxLoader = import.meta.resolve('tsx');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `hearth <args>` as a user would, in a directory with no config.toml. */
function hearth(args: string[], env: Record<string, string>, stdin?: string, cwd = env.HEARTH_SERVER_DATA_DIR): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsxLoader, main, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function waitFor(url: string, child: ChildProcess, ms = 15000): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer in time`);
}

/** Runs `hearth serve` on HEARTH_SERVER_PORT=<a free port> while `use` runs, then stops it with SIGTERM. */
async function serving(cwd: string, env: Record<string, string>, use: (port: number, stdout: () => string) => Promise<void>): Promise<void> {
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', tsxLoader, main, 'serve'], { cwd, env: { ...process.env, ...env, HEARTH_SERVER_PORT: String(port) } });
  let out = '';
  server.stdout.on('data', (d) => (out += d));
  try {
    await waitFor(`http://127.0.0.1:${port}/healthz`, server);
    await use(port, () => out);
  } finally {
    server.kill('SIGTERM');
    if (server.exitCode === null) await new Promise((r) => server.once('exit', r));
  }
}

describe('the hearth command', function () {
  this.timeout(60000);
  let dir: string;
  let env: Record<string, string>;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hearth-cli-'));
    env = { HEARTH_SERVER_DATA_DIR: dir, HEARTH_LOG_LEVEL: 'warn' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints help', async () => {
    const r = await hearth(['--help'], env);
    expect(r.code).to.equal(0);
    expect(r.stdout).to.contain('member create <handle> --role owner|admin|moderator|member');
  });

  it('creates an owner from a password on stdin, who then logs in to the server on HEARTH_SERVER_PORT', async () => {
    expect((await hearth(['migrate'], env)).code).to.equal(0);
    const created = await hearth(['member', 'create', 'alice', '--role', 'owner', '--password-stdin'], env, 'alice secret password\n');
    expect(created.stderr).to.equal('');
    expect(created.code).to.equal(0);
    expect(created.stdout).to.contain('Created owner @alice.');
    expect(created.stdout).not.to.contain('alice secret password');
    const listed = await hearth(['member', 'list'], env);
    expect(listed.stdout).to.match(/^alice\s+owner\s+active/m);

    await serving(dir, env, async (port, out) => {
      expect(out()).not.to.contain('/setup?token=');
      const loginPage = await fetch(`http://127.0.0.1:${port}/login`);
      const cookie = loginPage.headers.get('set-cookie')!.split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())![1]!;
      const login = await fetch(`http://127.0.0.1:${port}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: new URLSearchParams({ _csrf: csrf, handle: 'alice', password: 'alice secret password' }),
      });
      expect(login.status).to.equal(303);
      expect(login.headers.get('set-cookie')).to.match(/hearth_session=/);
    });
  });

  it('prints a one-time password when none is given, and a first-run setup link when no owner exists', async () => {
    expect((await hearth(['migrate'], env)).code).to.equal(0);
    const created = await hearth(['member', 'create', 'bob', '--role', 'member'], env);
    expect(created.code).to.equal(0);
    expect(created.stdout).to.match(/One-time password \(shown once, change it after logging in\): [\w-]{20}/);
    await serving(dir, env, async (port, out) => {
      const link = new RegExp(`http://localhost:${port}/setup\\?token=[\\w-]+`).exec(out())?.[0];
      expect(link, out()).to.be.a('string');
      const page = await fetch(link!.replace('localhost', '127.0.0.1'));
      expect(page.status).to.equal(200);
      expect(await page.text()).to.contain('Create owner account');
    });
  });

  it('stops on bad configuration with one line naming the key', async () => {
    const r = await hearth(['migrate'], { ...env, HEARTH_SERVER_PORT: 'abc' });
    expect(r.code).to.equal(2);
    expect(r.stderr.trim()).to.equal('config: server.port (from HEARTH_SERVER_PORT) must be an integer from 1 to 65535, got "abc"');
  });

  it('refuses a bad handle or role with a clear message', async () => {
    expect((await hearth(['migrate'], env)).code).to.equal(0);
    const r = await hearth(['member', 'create', 'x', '--role', 'king'], env);
    expect(r.code).to.equal(2);
    expect(r.stderr).to.contain('--role must be owner, admin, moderator or member');
    const bad = await hearth(['member', 'create', 'Bad Handle!', '--role', 'member', '--password-stdin'], env, 'long enough password');
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('handle: Handle must be 2 to 30 characters');
  });

  it('never starts an empty database outside serve and migrate: it says where it looked and how to point at the data', async () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'hearth-cli-elsewhere-'));
    try {
      const lost = { ...env, HEARTH_SERVER_DATA_DIR: path.join(elsewhere, 'data') };
      for (const args of [['voucher', 'verify', 'AAAAA-AAAAA'], ['member', 'list'], ['member', 'reset-password', 'mia'], ['member', 'create', 'mia', '--role', 'member']]) {
        const r = await hearth(args, lost, undefined, elsewhere);
        expect(r.code, args.join(' ')).to.equal(1);
        expect(r.stderr, args.join(' ')).to.contain(`No Hearth database at ${path.join(elsewhere, 'data', 'hearth.sqlite')}.`);
        expect(r.stderr).to.contain('HEARTH_SERVER_DATA_DIR').and.contain('--config').and.contain('hearth migrate');
        expect(r.stderr).not.to.contain('No voucher has that code.');
        expect(existsSync(path.join(elsewhere, 'data')), 'no data directory is made').to.equal(false);
      }
      // --config points at the server's data, as HEARTH_CONFIG does.
      expect((await hearth(['migrate'], env)).code).to.equal(0);
      const config = path.join(elsewhere, 'server.toml');
      writeFileSync(config, `[server]\ndata_dir = ${JSON.stringify(dir)}\n`);
      const found = await hearth(['member', 'list', '--config', config], { HEARTH_LOG_LEVEL: 'warn' }, undefined, elsewhere);
      expect(found.stderr).to.equal('');
      expect(found.code).to.equal(0);
      expect(found.stdout).to.contain('No members yet.');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('checks a voucher from the counter: verify only looks it up, use uses it once, then "already used"', async () => {
    const h = await createHearth(defaultConfig({ server: { data_dir: dir } }), { passwordCost: 10 });
    const owner = await h.services.members.create({ handle: 'boss', password: 'boss secret password', role: 'owner' });
    const mia = await h.services.members.create({ handle: 'mia', password: 'mia secret password', role: 'member' });
    await h.services.ledger.adjust(owner, mia.id, 20, 'welcome');
    const reward = await h.services.rewards.create(owner, { title: 'Flat white', description: '', price: 12, stock: 5, perMemberLimit: null, startsOn: null, endsOn: null });
    const voucher = await h.services.rewards.redeem(mia, reward.id);
    const token = await h.services.rewards.token(voucher);
    await h.close();

    // Looking up is not using (issue 13, fault 9).
    const looked = await hearth(['voucher', 'verify', token], env);
    expect(looked.stderr).to.equal('');
    expect(looked.code).to.equal(0);
    expect(looked.stdout).to.contain(`Valid: "Flat white" for @mia (code ${voucher.code}), until `).and.contain('not used yet').and.contain(`hearth voucher use ${voucher.code}`);
    const first = await hearth(['voucher', 'use', token], env);
    expect(first.stderr).to.equal('');
    expect(first.code).to.equal(0);
    expect(first.stdout).to.contain(`Valid: "Flat white" for @mia (code ${voucher.code}). It is now marked used.`);
    const again = await hearth(['voucher', 'use', voucher.code.toLowerCase()], env);
    expect(again.code).to.equal(1);
    // The pages' style, on the community's clock (UTC here), the zone named (issue 13, fault 6).
    expect(again.stderr).to.match(/already used on [A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} \(UTC\)\./);
    const verifyUsed = await hearth(['voucher', 'verify', voucher.code], env);
    expect(verifyUsed.code).to.equal(1);
    expect(verifyUsed.stderr).to.match(/was already used on [A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} \(UTC\)\./);
    const unknown = await hearth(['voucher', 'verify', 'AAAAA-AAAAA'], env);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.contain('No voucher has that code.');
  });

  it('audits the economy: exits 0 when balances and standing agree, 1 naming each difference, and --repair rebuilds the standing', async () => {
    expect((await hearth(['migrate'], env)).code).to.equal(0);
    expect((await hearth(['member', 'create', 'ana', '--role', 'member'], env)).code).to.equal(0);
    const clean = await hearth(['economy', 'audit'], env);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.stdout).to.contain('Balances and standing agree with the ledger.');
    // An award written behind the ledger's back (as an import or a hand edit would): its balances, not its standing.
    const db = new SQLite(path.join(dir, 'hearth.sqlite'));
    const id = (db.prepare("select id from members where handle = 'ana'").get() as { id: number }).id;
    db.prepare("insert into ledger_entries (debit, credit, amount, kind, rule, reason, source, member_id, day, created_at) values ('community:issuing', ?, 5, 'award', 'post', 'x', 'x:1', ?, ?, ?)").run(`member:${id}`, id, new Date().toISOString().slice(0, 10), new Date().toISOString());
    db.prepare("insert into ledger_balances (account, balance) values (?, 5), ('community:issuing', -5)").run(`member:${id}`);
    db.close();
    const found = await hearth(['economy', 'audit'], env);
    expect(found.code).to.equal(1);
    expect(found.stdout).to.contain(`standing_totals (member ${id}, all): kept 0, the ledger says 5`);
    expect(found.stdout).to.contain('hearth economy audit --repair');
    const repaired = await hearth(['economy', 'audit', '--repair'], env);
    expect(repaired.code, repaired.stdout).to.equal(0);
    expect(repaired.stdout).to.contain('Standing totals rebuilt from the ledger.');
    expect(repaired.stdout).to.contain('Balances and standing agree with the ledger.');
  });
});
