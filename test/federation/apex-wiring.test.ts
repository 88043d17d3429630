import { createRequire } from 'node:module';
import path from 'node:path';
import ActivitypubExpress from 'activitypub-express';
import { expect } from 'chai';
import { createApex } from '../../src/federation/apex/create-apex.js';
import { contextLoader, offlineContext } from '../../src/federation/apex/contexts.js';

const OFFLINE_URLS = [
  'https://www.w3.org/ns/activitystreams',
  'http://www.w3.org/ns/activitystreams',
  'https://w3id.org/security/v1',
  'https://w3id.org/security/data-integrity/v1',
  'https://w3id.org/security/data-integrity/v2',
  'https://w3id.org/security/multikey/v1',
  'https://www.w3.org/ns/did/v1',
  'https://purl.archive.org/socialweb/webfinger',
  'https://gotosocial.org/ns',
];
import { FederationPolicy } from '../../src/federation/policy.js';
import { SafeFetcher } from '../../src/federation/safe-fetch.js';
import { SqliteApexStore } from '../../src/federation/store/apex-store.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { RemoteServer } from './helpers/remote.js';

/** Each of apex 4.4.2's known defects (ADR 0003) has its fix in create-apex.ts; these check them. */
describe('apex, as Hearth wires it', () => {
  const database = openDatabase(':memory:');
  const store = new SqliteApexStore(database.db);
  const policy = new FederationPolicy(database.db, { mode: 'blocklist', blocked_domains: [], allowed_domains: [] });
  let remote: RemoteServer;
  const wake: string[] = [];
  const make = (allowPrivateAddresses: boolean) =>
    createApex({
      baseUrl: 'https://hearth.example',
      version: 'test',
      store,
      // No name resolves: nothing here may leave the machine (peers are on 127.0.0.1).
      fetcher: new SafeFetcher({ allowPrivateAddresses, resolve: async () => [] }),
      policy,
      signingKey: async () => null,
      wakeDelivery: () => void wake.push('woken'),
    });

  before(async () => {
    await migrateToLatest(database.db);
    await policy.load();
    remote = await RemoteServer.start();
  });
  after(async () => {
    await remote.close();
    await database.close();
  });

  it('installs from the registry: http-signature 1.4.0, and no MongoDB driver or `request` client', () => {
    const fromApex = createRequire(createRequire(import.meta.url).resolve('activitypub-express'));
    const version = (name: string) => fromApex(`${name}/package.json`).version as string;
    expect(version('http-signature')).to.equal('1.4.0');
    expect(version('mongodb')).to.match(/-hearth$/);
    expect(version('request-promise-native')).to.match(/-hearth$/);
    expect(() => fromApex('mongodb').MongoClient()).to.throw(/not part of Hearth/);
    return fromApex('request-promise-native')({ url: 'https://example.com' }).then(
      () => expect.fail('the stand-in must refuse'),
      (err: Error) => expect(err.message).to.match(/unguarded apex request refused/),
    );
  });

  it('fetches remote objects through the guard: private addresses refused unless the switch is on', async () => {
    const actor = remote.actor('someone');
    const guarded = make(false);
    let refused: { code?: string } = {};
    await guarded.requestObject(`https://${remote.host}/users/someone`).catch((err) => (refused = err));
    expect(refused.code).to.equal('private_address');
    const open = make(true);
    const doc = await open.requestObject(actor.id);
    expect(doc?.id).to.equal(actor.id);
    expect(doc?.preferredUsername).to.deep.equal(['someone']);
  });

  it('reads JSON-LD contexts offline, fetches unknown ones once through the guard, and survives dead ones', async () => {
    const fetched: string[] = [];
    const load = contextLoader(store, async (url) => {
      fetched.push(url);
      if (url.includes('dead')) throw new Error('unreachable');
      return { '@context': { custom: 'https://custom.example/ns#custom' } };
    });
    for (const url of OFFLINE_URLS) expect((await load(url)).document, url).to.have.property('@context');
    // A bare term is not a URL: nothing is fetched for it.
    expect((await load('as:Hashtag')).document).to.deep.equal({ '@context': {} });
    expect(fetched).to.deep.equal([]);
    // The real documents (contexts/README.md): the current W3C one, security/v1 with its key terms.
    expect(offlineContext('https://www.w3.org/ns/activitystreams')).to.have.nested.property('@context.alsoKnownAs');
    expect(offlineContext('https://w3id.org/security/v1')).to.have.nested.property('@context.publicKeyPem');
    // No made-up copy of a document we could not take whole: those are fetched (once) and cached.
    await load('https://litepub.social/litepub/context.jsonld');
    expect(fetched).to.deep.equal(['https://litepub.social/litepub/context.jsonld']);
    fetched.length = 0;
    await load('https://custom.example/ctx.jsonld');
    await load('https://custom.example/ctx.jsonld');
    expect(fetched).to.deep.equal(['https://custom.example/ctx.jsonld']);
    expect(await store.getContext('https://custom.example/ctx.jsonld')).to.not.equal(null);
    expect((await load('https://dead.example/ctx.jsonld')).document).to.deep.equal({ '@context': {} });
    // A whole activity with such contexts still reads.
    const apex = make(false);
    const doc = await apex.fromJSONLD({ '@context': ['https://www.w3.org/ns/activitystreams', 'https://join-lemmy.org/context.json'], id: 'https://lemmy.example/post/1', type: 'Page', name: 'Hi', stickied: false });
    expect(doc.type).to.equal('Page');
    expect(doc.name).to.deep.equal(['Hi']);
  });

  it('builds collections as apex does, without a JSON-LD pass', async () => {
    const ours = make(false);
    const theirs = ActivitypubExpress({ ...ours.settings, store });
    theirs.jsonldContextLoader = ours.jsonldContextLoader;
    for (const [id, ordered, total] of [['https://hearth.example/a/1/likes', true, 0], ['https://hearth.example/@ana/followers', false, 12]] as const) {
      expect(await ours.buildCollection(id, ordered, total)).to.deep.equal(await theirs.buildCollection(id, ordered, total));
    }
    for (const next of ['abc', null]) {
      expect(await ours.buildCollectionPage('https://hearth.example/a/1/likes', 'true', true, next)).to.deep.equal(
        await theirs.buildCollectionPage('https://hearth.example/a/1/likes', 'true', true, next),
      );
    }
  });

  it('builds flat activities as apex does, without a JSON-LD pass', async () => {
    const ours = make(false);
    const theirs = ActivitypubExpress({ ...ours.settings, store });
    theirs.jsonldContextLoader = ours.jsonldContextLoader;
    const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
    const cases: [string, string, unknown, Record<string, unknown>][] = [
      ['Announce', 'https://hearth.example/@bikeshop', [PUBLIC], { object: 'https://remote.example/notes/1', cc: ['https://hearth.example/@bikeshop/followers'], audience: 'https://hearth.example/@bikeshop' }],
      ['Like', 'https://hearth.example/@ana', ['https://remote.example/users/b'], { id: 'https://hearth.example/a/r-1-2-like', object: 'https://remote.example/notes/1', cc: ['https://hearth.example/@bikeshop'] }],
      ['EmojiReact', 'https://hearth.example/@ana', 'https://remote.example/users/b', { object: 'https://remote.example/notes/1', content: '🎉' }],
    ];
    const comparable = (doc: Record<string, unknown>, given: boolean) => {
      const { published, shares, likes, ...rest } = doc as Record<string, any>;
      expect(published[0]).to.match(/^\d{4}-\d\d-\d\dT/);
      expect(shares[0].type).to.equal('OrderedCollection');
      expect(likes[0].totalItems).to.deep.equal([0]);
      if (!given) delete rest.id;
      return rest;
    };
    for (const [type, actor, to, etc] of cases) {
      const fast = await ours.buildActivity(type, actor, to, etc);
      const slow = await theirs.buildActivity(type, actor, to, etc);
      expect(comparable(fast, 'id' in etc), type).to.deep.equal(comparable(slow, 'id' in etc));
    }
    // An embedded object still takes apex's own path.
    const undo = await ours.buildActivity('Undo', 'https://hearth.example/@ana', [PUBLIC], { object: { id: 'https://hearth.example/a/1', type: 'Like', actor: 'https://hearth.example/@ana', object: 'https://remote.example/notes/1' } });
    expect(undo.object[0].actor).to.deep.equal(['https://hearth.example/@ana']);
  });

  it('leaves delivery to our worker: apex’s loop never runs, it only wakes the worker', async () => {
    const apex = make(true);
    const actor = { id: 'https://hearth.example/@ana', type: 'Person', _meta: { privateKey: 'PEM' } } as never;
    wake.length = 0;
    await apex.queueForDelivery(actor, { id: 'https://hearth.example/a/x', type: 'Like' }, [`${remote.origin}/inbox`]);
    expect(wake).to.deep.equal(['woken']);
    const queued = await database.db.selectFrom('ap_delivery_queue').select('address').execute();
    expect(queued.map((q) => q.address)).to.deep.equal([`${remote.origin}/inbox`]);
    expect(remote.received).to.have.length(0);
  });

  it('never addresses our own server or a blocked one', async () => {
    const apex = make(true);
    const sender = { id: 'https://hearth.example/@ana', type: 'Person', inbox: ['https://hearth.example/@ana/inbox'], followers: ['https://hearth.example/@ana/followers'], _local: { blockList: [] } } as never;
    const local = { id: 'https://hearth.example/@bikeshop', type: 'Group', inbox: ['https://hearth.example/@bikeshop/inbox'] };
    await store.saveObject(local as never);
    const someone = remote.actor('addressed');
    const addresses = await apex.address({ id: 'https://hearth.example/a/1', type: 'Create', actor: [(sender as { id: string }).id], to: [local.id, someone.id] } as never, sender);
    expect(addresses).to.deep.equal([`${remote.origin}/inbox`]);
    expect(path.basename(addresses[0]!)).to.equal('inbox');
  });
});
