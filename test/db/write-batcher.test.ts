import { expect } from 'chai';
import { WriteBatcher } from '../../src/db/write-batcher.js';
import { type TestHearth, makeHearth } from '../helpers/hearth.js';

describe('WriteBatcher', () => {
  let h: TestHearth;
  beforeEach(async () => {
    h = await makeHearth();
  });
  afterEach(() => h.destroy());

  const secret = (name: string) => (trx: Parameters<Parameters<WriteBatcher['submit']>[0]>[0]) =>
    trx.insertInto('server_secrets').values({ name, value: 'v', created_at: 'now' }).execute();
  const names = async () => (await h.database.db.selectFrom('server_secrets').select('name').where('name', 'like', 'job%').orderBy('name').execute()).map((r) => r.name);

  it('writes a burst in order, and a failing job fails alone while the rest of its batch is written', async () => {
    const writes = new WriteBatcher(h.database.db);
    const effects: string[] = [];
    const results = await Promise.allSettled(
      ['job1', 'job2', 'job1', 'job3'].map((name, i) =>
        writes.submit(async (trx, after) => {
          await secret(name)(trx); // the second job1 breaks the unique name
          after(() => effects.push(`${name}#${i}`));
          return i;
        }),
      ),
    );
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : null))).to.deep.equal([0, 1, null, 3]);
    expect(await names()).to.deep.equal(['job1', 'job2', 'job3']);
    // Side effects of the failed job never ran; the others ran once, after their commit.
    expect(effects).to.deep.equal(['job1#0', 'job2#1', 'job3#3']);
    await writes.idle();
  });
});
