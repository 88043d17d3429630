import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, buildConfig, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('stops when HEARTH_CONFIG names a file that does not exist', () => {
    const missing = path.join(mkdtempSync(path.join(tmpdir(), 'cfg-')), 'none.toml');
    expect(() => loadConfig({ env: { HEARTH_CONFIG: missing } })).to.throw(ConfigError, /none\.toml \(named by --config or HEARTH_CONFIG\) does not exist/);
  });

  it('reads federation domain lists from TOML arrays or comma-separated environment values', () => {
    const c = buildConfig({ federation: { mode: 'allowlist', allowed_domains: ['Friends.Example', 'other.example'] } }, { HEARTH_FEDERATION_BLOCKED_DOMAINS: 'spam.example, *.bad.example' });
    expect(c.federation.mode).to.equal('allowlist');
    expect(c.federation.allowed_domains).to.deep.equal(['friends.example', 'other.example']);
    expect(c.federation.blocked_domains).to.deep.equal(['spam.example', '*.bad.example']);
    expect(c.federation.allow_private_addresses).to.equal(false);
    expect(() => buildConfig({ federation: { blocked_domains: 'spam.example' } })).to.throw(ConfigError, /federation\.blocked_domains must be a list of domain names/);
    expect(() => buildConfig({ federation: { blocked_domains: ['https://spam.example/'] } })).to.throw(ConfigError, /federation\.blocked_domains/);
    expect(() => buildConfig({}, { HEARTH_FEDERATION_MODE: 'everyone' })).to.throw(ConfigError, /federation\.mode .* must be one of blocklist, allowlist/);
  });

  it('reads levels and badges as lists of tables, and says what is wrong with a bad one', () => {
    const c = buildConfig({ economy: { levels: [{ name: 'Sip', from: 0 }, { name: 'Cup', from: 10 }], badges: [] } });
    expect(c.economy.levels.map((l) => l.name)).to.deep.equal(['Sip', 'Cup']);
    expect(c.economy.badges).to.deep.equal([]);
    const fromEnv = buildConfig({}, { HEARTH_ECONOMY_LEVELS: '[{"name":"Only","from":0}]' });
    expect(fromEnv.economy.levels).to.deep.equal([{ name: 'Only', from: 0 }]);
    expect(() => buildConfig({ economy: { levels: [{ name: 'Cup', from: 5 }] } })).to.throw(ConfigError, /economy\.levels must be a list .* the first from 0/);
    expect(() => buildConfig({ economy: { levels: [{ name: 'A', from: 0 }, { name: 'B', from: 0 }] } })).to.throw(ConfigError, /economy\.levels/);
    expect(() => buildConfig({ economy: { levels: [{ name: 'A', from: 0, colour: 'red' }] } })).to.throw(ConfigError, /economy\.levels/);
    const badge = { id: 'x', name: 'X', rule: 'post', count: 1 };
    expect(buildConfig({ economy: { badges: [badge] } }).economy.badges[0]).to.include({ id: 'x', description: '' });
    expect(() => buildConfig({ economy: { badges: [{ ...badge, rule: 'posting' }] } })).to.throw(ConfigError, /economy\.badges must be .* a rule among post, reply/);
    expect(() => buildConfig({ economy: { badges: [badge, badge] } })).to.throw(ConfigError, /unique ids/);
    expect(() => buildConfig({ economy: { badges: [{ ...badge, count: 0 }] } })).to.throw(ConfigError, /economy\.badges/);
  });

  it('reads nested tables such as [economy.earn], with HEARTH_ECONOMY_EARN_POST overriding', () => {
    const c = buildConfig({ economy: { currency_name: 'cup of coffee', currency_plural: 'cups of coffee', symbol: '☕', earn: { post: 3 } } }, { HEARTH_ECONOMY_EARN_REPLY: '7' });
    expect(c.economy.currency_plural).to.equal('cups of coffee');
    expect(c.economy.earn.post).to.equal(3);
    expect(c.economy.earn.reply).to.equal(7);
    expect(c.economy.cap.post).to.equal(25);
    expect(() => buildConfig({ economy: { earn: { posting: 3 } } })).to.throw(ConfigError, /unknown key economy\.earn\.posting/);
    expect(() => buildConfig({ economy: { earn: 3 } })).to.throw(ConfigError, /economy\.earn must be a \[economy\.earn\] table/);
  });

  it('reads server.hsts_max_age as whole seconds from 0 (off) to two years, and refuses anything else', () => {
    expect(buildConfig({}).server.hsts_max_age).to.equal(31536000);
    expect(buildConfig({ server: { hsts_max_age: 0 } }).server.hsts_max_age).to.equal(0);
    expect(buildConfig({}, { HEARTH_SERVER_HSTS_MAX_AGE: '86400' }).server.hsts_max_age).to.equal(86400);
    expect(() => buildConfig({ server: { hsts_max_age: -1 } })).to.throw(ConfigError, /server\.hsts_max_age/);
    expect(() => buildConfig({ server: { hsts_max_age: 63072001 } })).to.throw(ConfigError, /server\.hsts_max_age/);
    expect(() => buildConfig({ server: { hsts_max_age: 'a year' } })).to.throw(ConfigError, /server\.hsts_max_age/);
    expect(() => buildConfig({}, { HEARTH_SERVER_HSTS_MAX_AGE: '1.5' })).to.throw(ConfigError, /server\.hsts_max_age/);
  });

  it('uses defaults when no file exists at the default path', () => {
    const c = buildConfig({}, {});
    expect(c.server.port).to.equal(8080);
    expect(c.server.url).to.equal('http://localhost:8080');
    expect(c.community.handle).to.equal('community');
    expect(c.membership.mode).to.equal('open');
    expect(path.isAbsolute(c.server.data_dir)).to.equal(true);
  });

  it('reads config.toml and lets HEARTH_SECTION_KEY override any key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-'));
    const file = path.join(dir, 'config.toml');
    writeFileSync(file, '[community]\nname = "Bean Counter Café"\nrules = """\nBe kind.\nNo ads."""\n[membership]\nmode = "approval"\n');
    const c = loadConfig({ file, env: { HEARTH_SERVER_PORT: '8099', HEARTH_MEMBERSHIP_MODE: 'invite', HEARTH_SERVER_DATA_DIR: dir } });
    expect(c.community.name).to.equal('Bean Counter Café');
    expect(c.community.rules).to.contain('No ads.');
    expect(c.server.port).to.equal(8099);
    expect(c.server.url).to.equal('http://localhost:8099');
    expect(c.membership.mode).to.equal('invite');
    expect(c.server.data_dir).to.equal(dir);
  });

  it('stops on a wrong value with one line naming the key and what is allowed', () => {
    const cases: [Record<string, unknown>, NodeJS.ProcessEnv, RegExp][] = [
      [{}, { HEARTH_SERVER_PORT: 'eighty' }, /^config: server\.port \(from HEARTH_SERVER_PORT\) must be an integer from 1 to 65535, got "eighty"$/],
      [{ membership: { mode: 'closed' } }, {}, /^config: membership\.mode must be one of open, approval, invite, got "closed"$/],
      [{ community: { handle: 'Bad Handle' } }, {}, /^config: community\.handle must be 1-30 of a-z, 0-9 and _/],
      [{ server: { url: 'ftp://x' } }, {}, /^config: server\.url must be an http\(s\) URL/],
      [{ server: { prot: 1 } }, {}, /^config: unknown key server\.prot; allowed in \[server\]: url, host, port/],
      [{ sever: {} }, {}, /^config: unknown section \[sever\]/],
      [{ federation: { max_activity_kb: [] } }, {}, /^config: federation\.max_activity_kb must be an integer from 16 to 4096, got \[\]$/],
      [{ federation: { max_activity_kb: 1 } }, {}, /^config: federation\.max_activity_kb must be an integer from 16 to 4096, got 1$/],
    ];
    for (const [doc, env, message] of cases) {
      const err = (() => {
        try {
          buildConfig(doc, env);
        } catch (e) {
          return e;
        }
      })();
      expect(err).to.be.instanceOf(ConfigError);
      expect((err as Error).message).to.match(message);
      expect((err as Error).message).not.to.contain('\n');
    }
  });
});

describe('config.example.toml', () => {
  it('documents every key with its default value', async () => {
    const { parse } = await import('smol-toml');
    const { readFileSync } = await import('node:fs');
    const { configFields } = await import('../src/config.js');
    const text = readFileSync(path.join(import.meta.dirname, '..', 'config.example.toml'), 'utf8');
    const doc = parse(text) as Record<string, Record<string, unknown>>;
    for (const field of configFields()) {
      const table = field.section.split('.').reduce<any>((t, part) => t?.[part], doc);
      expect(table, `[${field.section}] in config.example.toml`).to.be.an('object');
      expect(table[field.key], `${field.section}.${field.key}`).to.deep.equal(field.default);
    }
    expect(() => buildConfig(doc, {})).not.to.throw();
  });
});
