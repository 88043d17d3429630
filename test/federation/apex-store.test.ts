import { expect } from 'chai';
import { openDatabase, type OpenDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { type Delivery, SqliteApexStore } from '../../src/federation/store/apex-store.js';

const H = 'https://hearth.example';
const person = (name: string, local = false) => ({
  id: `${H}/u/${name}`,
  type: 'Person',
  preferredUsername: [name],
  inbox: [`${H}/u/${name}/inbox`],
  ...(local ? { _meta: { privateKey: `PRIVATE-${name}` } } : {}),
});
const note = (n: number, extra: Record<string, unknown> = {}) => ({ id: `${H}/o/${n}`, type: 'Note', content: [`note ${n}`], ...extra });
const create = (n: number, actor: string, collections: string[], object: unknown = note(n)) => ({
  id: `${H}/s/${n}`,
  type: 'Create',
  actor: [actor],
  object: [object],
  to: ['as:Public'],
  _meta: { collection: collections },
});

describe('the SQLite store for apex', () => {
  let database: OpenDatabase;
  let store: SqliteApexStore;
  beforeEach(async () => {
    database = openDatabase(':memory:');
    await migrateToLatest(database.db);
    store = new SqliteApexStore(database.db);
  });
  afterEach(() => database.close());

  it('generateId: synchronous, unique, lower-case and URL-safe', () => {
    const ids = new Set(Array.from({ length: 200 }, () => store.generateId()));
    expect(ids.size).to.equal(200);
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{24}$/);
  });

  it('saveObject / getObject: duplicates answer false, and _meta only with includeMeta === true', async () => {
    expect(await store.saveObject(person('ann', true))).to.equal(true);
    expect(await store.saveObject(person('ann', true))).to.equal(false);
    expect(await store.getObject(`${H}/u/ann`)).to.deep.equal(person('ann'));
    expect(await store.getObject(`${H}/u/ann`, 'yes' as unknown as boolean)).not.to.have.property('_meta');
    expect((await store.getObject(`${H}/u/ann`, true))!._meta).to.deep.equal({ privateKey: 'PRIVATE-ann' });
    expect(await store.getObject(`${H}/u/nobody`)).to.equal(null);
  });

  it('updateObject: partial sets and unsets, full replace returns the object, both reach embedded copies', async () => {
    await store.saveObject(note(1, { summary: ['cw'] }));
    await store.saveActivity(create(1, `${H}/u/ann`, [`${H}/u/ann/outbox`]));
    const partial = await store.updateObject({ id: `${H}/o/1`, content: ['edited'], summary: null } as never, `${H}/u/ann`, false);
    expect(partial).to.deep.equal({ id: `${H}/o/1`, type: 'Note', content: ['edited'] });
    expect((await store.getActivity(`${H}/s/1`))!.object).to.deep.equal([partial]);
    const tombstone = { id: `${H}/o/1`, type: 'Tombstone', deleted: ['2026-11-22T00:00:00Z'] };
    expect(await store.updateObject(tombstone, `${H}/u/ann`, true)).to.deep.equal(tombstone);
    expect((await store.getActivity(`${H}/s/1`))!.object).to.deep.equal([tombstone]);
    expect(await store.updateObject(tombstone, `${H}/u/ann`, true)).to.equal(undefined); // nothing modified
    expect(await store.updateObject({ id: `${H}/o/404`, type: 'Note' }, null, true)).to.equal(undefined);
  });

  it('never keeps _meta inside embedded copies, so a private key cannot leak through an activity', async () => {
    await store.saveActivity(create(2, `${H}/u/ann`, ['c'], person('ann', true)));
    const read = await store.getActivity(`${H}/s/2`, true);
    expect(JSON.stringify(read)).not.to.contain('PRIVATE');
    await store.saveObject(person('ann', true));
    await store.updateObject({ ...person('ann', true), name: ['Ann'] }, null, true);
    expect(JSON.stringify(await store.getActivity(`${H}/s/2`, true))).not.to.contain('PRIVATE');
  });

  it('saveActivity / getActivity: duplicates answer false; _meta with its collections only when asked', async () => {
    expect(await store.saveActivity(create(3, `${H}/u/ann`, ['inbox', 'outbox']))).to.equal(true);
    expect(await store.saveActivity(create(3, `${H}/u/ann`, ['other']))).to.equal(false);
    expect(await store.getActivity(`${H}/s/3`)).not.to.have.property('_meta');
    expect((await store.getActivity(`${H}/s/3`, true))!._meta).to.deep.equal({ collection: ['inbox', 'outbox'] });
    expect(await store.getActivity(`${H}/s/404`)).to.equal(null);
  });

  it('findActivityByCollectionAnd…: object ids match only when given as IRIs; actors by id', async () => {
    await store.saveActivity({ id: `${H}/s/like`, type: 'Like', actor: [`${H}/u/bob`], object: [`${H}/o/7`], _meta: { collection: ['liked'] } });
    await store.saveActivity(create(7, `${H}/u/ann`, ['liked']));
    expect((await store.findActivityByCollectionAndObjectId('liked', `${H}/o/7`))!.id).to.equal(`${H}/s/like`);
    expect(await store.findActivityByCollectionAndObjectId('other', `${H}/o/7`)).to.equal(null);
    await store.saveActivity(create(8, `${H}/u/cy`, ['liked']));
    expect(await store.findActivityByCollectionAndObjectId('liked', `${H}/o/8`)).to.equal(null); // embedded only
    expect((await store.findActivityByCollectionAndActorId('liked', `${H}/u/ann`, true))!._meta).to.deep.equal({ collection: ['liked'] });
  });

  it('getStream: newest first by first save, _id cursor, block list, actors looked up, unknown actors dropped', async () => {
    for (const n of ['ann', 'bob', 'cy']) await store.saveObject(person(n, n === 'ann'));
    await store.saveActivity(create(1, `${H}/u/ann`, ['inbox']));
    await store.saveActivity(create(2, `${H}/u/bob`, ['other']));
    await store.saveActivity(create(3, `${H}/u/cy`, ['inbox']));
    await store.saveActivity(create(4, `${H}/u/ghost`, ['inbox']));
    await store.updateActivityMeta({ id: `${H}/s/2` }, 'collection', 'inbox'); // joins later, still ordered by first save
    // As apex's pipeline: the limit applies first, then activities whose actors are unknown drop out.
    expect((await store.getStream('inbox', 2, null, [])).map((a) => a.id)).to.deep.equal([`${H}/s/3`]);
    const page = await store.getStream('inbox', 3, null, []);
    expect(page.map((a) => a.id)).to.deep.equal([`${H}/s/3`, `${H}/s/2`]); // ghost's activity dropped
    expect(page[0]!.actor).to.deep.equal([person('cy')]);
    expect(page.every((a) => !('_meta' in a))).to.equal(true);
    const next = await store.getStream('inbox', 2, page[1]!._id as string, []);
    expect(next.map((a) => a.id)).to.deep.equal([`${H}/s/1`]);
    expect((next[0]!.actor as { _meta?: unknown }[])[0]).not.to.have.property('_meta');
    expect((await store.getStream('inbox', null, null, [`${H}/u/cy`])).map((a) => a.id)).to.deep.equal([`${H}/s/2`, `${H}/s/1`]);
    expect(await store.getStreamCount('inbox')).to.equal(4); // raw count: no block or privacy filter
    let error: Error | undefined;
    try {
      await store.getStream('inbox', 10, 'not-a-cursor', []);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.equal('ApexStore: invalid page value');
  });

  it('removeActivity: only the actor that made it can remove it, from every collection', async () => {
    await store.saveActivity(create(5, `${H}/u/ann`, ['inbox', 'outbox']));
    await store.removeActivity({ id: `${H}/s/5` }, `${H}/u/bob`);
    expect(await store.getActivity(`${H}/s/5`)).not.to.equal(null);
    await store.removeActivity({ id: `${H}/s/5` }, `${H}/u/ann`);
    expect(await store.getActivity(`${H}/s/5`)).to.equal(null);
    expect(await store.getStreamCount('outbox')).to.equal(0);
  });

  it('updateActivity: a partial update returns the whole activity with _meta; a full one replaces it', async () => {
    await store.saveActivity({ id: `${H}/s/n`, type: 'Note', actor: [`${H}/u/ann`], likes: ['x'], _meta: { collection: ['c'] } });
    const partial = await store.updateActivity({ id: `${H}/s/n`, likes: ['y'] } as never, false);
    expect(partial).to.deep.equal({ id: `${H}/s/n`, type: 'Note', actor: [`${H}/u/ann`], likes: ['y'], _meta: { collection: ['c'] } });
    await store.updateActivity({ id: `${H}/s/n`, type: 'Tombstone', actor: [`${H}/u/ann`], _meta: { collection: ['c', 'd'] } }, true);
    expect(await store.getActivity(`${H}/s/n`, true)).to.deep.equal({ id: `${H}/s/n`, type: 'Tombstone', actor: [`${H}/u/ann`], _meta: { collection: ['c', 'd'] } });
  });

  it('updateActivityMeta: set semantics in insertion order, pull, and an error when not found', async () => {
    await store.saveActivity(create(6, `${H}/u/ann`, ['inbox']));
    await store.updateActivityMeta({ id: `${H}/s/6` }, 'collection', 'following');
    const again = await store.updateActivityMeta({ id: `${H}/s/6` }, 'collection', 'following');
    expect(again._meta!.collection).to.deep.equal(['inbox', 'following']);
    const pulled = await store.updateActivityMeta({ id: `${H}/s/6` }, 'collection', 'inbox', true);
    expect(pulled._meta!.collection).to.deep.equal(['following']);
    expect((await store.updateActivityMeta({ id: `${H}/s/6` }, 'seenBy', 'x'))._meta).to.deep.equal({ seenBy: ['x'], collection: ['following'] });
    const err = await store.updateActivityMeta({ id: `${H}/s/missing` }, 'collection', 'x').catch((e) => e);
    expect(err.message).to.equal('Error updating activity meta: not found');
  });

  it('caches JSON-LD contexts, returning the document parsed', async () => {
    await store.saveContext({ contextUrl: null, documentUrl: 'https://w3id.org/security/v1', document: { '@context': { a: 1 } } });
    await store.saveContext({ contextUrl: null, documentUrl: 'https://w3id.org/security/v1', document: '{"@context":{"a":2}}' });
    expect(await store.getContext('https://w3id.org/security/v1')).to.deep.equal({ contextUrl: null, documentUrl: 'https://w3id.org/security/v1', document: { '@context': { a: 2 } } });
    expect(await store.getContext('https://unknown.example/ctx')).to.equal(null);
  });

  it('getUserCount: local people only (a private key), not groups or remote actors', async () => {
    await store.saveObject(person('ann', true));
    await store.saveObject(person('remote'));
    await store.saveObject({ id: `${H}/g/general`, type: 'Group', _meta: { privateKey: 'k' } });
    await store.setup({ ...person('owner'), _meta: { privateKey: 'k2' } });
    expect(await store.getUserCount()).to.equal(2);
  });

  it('delivery queue: due first in order, atomic dequeue, waitUntil, 10^attempt backoff, key updates', async () => {
    expect(await store.deliveryEnqueue(`${H}/u/ann`, '{}', [], 'k')).to.equal(undefined);
    await store.deliveryEnqueue(`${H}/u/ann`, '{"n":1}', ['https://a.example/inbox', 'https://b.example/inbox'], 'old-key');
    await store.deliveryEnqueue(`${H}/u/ann`, '{"n":2}', 'https://c.example/inbox', 'old-key');
    await store.saveObject(person('ann', true));
    await store.updateObject({ ...person('ann'), _meta: { privateKey: 'new-key' } }, null, true);
    const taken = await Promise.all([store.deliveryDequeue(), store.deliveryDequeue(), store.deliveryDequeue()]);
    const addresses = taken.map((d) => (d as { address: string }).address);
    expect(addresses).to.deep.equal(['https://a.example/inbox', 'https://b.example/inbox', 'https://c.example/inbox']);
    expect(taken.every((d) => (d as { signingKey: string }).signingKey === 'new-key')).to.equal(true);
    expect(await store.deliveryDequeue()).to.equal(null);
    const first = taken[0] as Delivery;
    const due = first.after.getTime();
    await store.deliveryRequeue({ ...first, attempt: 4 });
    const wait = (await store.deliveryDequeue()) as { waitUntil: Date };
    expect(wait.waitUntil.getTime()).to.equal(due + 10 ** 4);
  });
});
