import { expect } from 'chai';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { preparedQuery } from '../../src/db/prepared.js';

describe('prepared queries', () => {
  it('compile once and run with the values of each call in the right places', async () => {
    const { db, close } = openDatabase(':memory:');
    await migrateToLatest(db);
    let builds = 0;
    const spaces = preparedQuery(db, (p: { slug: string; after: number }) => {
      builds++;
      return db.selectFrom('spaces').select(['id', 'slug']).where('id', '>', p.after).where('slug', '!=', p.slug).where('visibility', '=', 'public');
    });
    await db.insertInto('spaces').values({ slug: 'cafe', name: 'Café', description: '', visibility: 'public', created_by: null, created_at: 'now' }).execute();
    expect((await spaces({ slug: 'general', after: 0 })).map((s) => s.slug)).to.deep.equal(['cafe']);
    expect((await spaces({ slug: 'cafe', after: 0 })).map((s) => s.slug)).to.deep.equal(['general']);
    expect(await spaces({ slug: 'nothing', after: 5 })).to.deep.equal([]);
    expect(builds).to.equal(1);
    await close();
  });

  it('refuses a parameter the query never uses, instead of silently ignoring it', async () => {
    const { db, close } = openDatabase(':memory:');
    await migrateToLatest(db);
    const q = preparedQuery(db, (_p: { slug: string }) => db.selectFrom('spaces').select('id'));
    const err = await q({ slug: 'x' }).catch((e) => e);
    expect(err.message).to.contain('parameter(s) slug never reach the SQL');
    await close();
  });
});
