import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { createHearth } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { generalSpace, loggedInAgent, makeMember } from '../helpers/hearth.js';

describe('the owner renames the currency and changes what posts earn in config.toml', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'hearth-economy-config-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const start = (currency: [string, string, string], post: number) => {
    const file = path.join(dir, 'config.toml');
    writeFileSync(
      file,
      `[server]\ndata_dir = ${JSON.stringify(dir)}\n\n[economy]\ncurrency_name = "${currency[0]}"\ncurrency_plural = "${currency[1]}"\nsymbol = "${currency[2]}"\n\n[economy.earn]\npost = ${post}\n`,
    );
    // A real start: the file on disk, the database under the data directory.
    return createHearth(loadConfig({ file, env: {} }), { passwordCost: 10 });
  };

  it('shows the new name and pays the new amount on the next start, keeping what was earned', async () => {
    let h = await start(['cup of coffee', 'cups of coffee', '☕'], 4);
    const mia = await makeMember(h, { handle: 'mia' });
    await h.services.posts.createThread(mia, await generalSpace(h), { body: 'Hello' });
    await h.services.earning.idle();
    expect((await (await loggedInAgent(h, 'mia')).get('/wallet')).text).to.contain('4 cups of coffee ☕');
    await h.close();

    h = await start(['doughnut', 'doughnuts', '🍩'], 7);
    await h.services.posts.createThread(mia, await generalSpace(h), { body: 'Hello again' });
    await h.services.earning.idle();
    const wallet = (await (await loggedInAgent(h, 'mia')).get('/wallet')).text;
    expect(wallet).to.contain('11 doughnuts 🍩').and.not.contain('coffee');
    await h.close();
  });
});
