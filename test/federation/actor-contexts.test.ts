import { expect } from 'chai';
import { wellKnownActorFields } from '../../src/federation/actor-fields.js';
import { logger } from '../../src/core/logger.js';
import { fixture } from './helpers/fixtures.js';
import { type ServedHearth, serveHearth } from './helpers/hearth-server.js';
import { type RemoteActor, RemoteServer, rsaKeys } from './helpers/remote.js';

const AS = 'https://www.w3.org/ns/activitystreams';

interface Peer {
  server: string;
  /** The actor's path on the peer. */
  path: string;
  username: string;
  name: string;
  /** Where the avatar is, on the peer. */
  icon: string;
  /** The Follow: a fixture of that server's, else one with this @context (null: the actor's own). */
  follow?: string;
  followContext?: unknown;
  /** The key is at `<actor>/main-key`, behind a stub (GoToSocial). */
  keyStub?: boolean;
}

/** The actors of ten servers, each with the @context list that server really sends (fixtures/README.md). */
const PEERS: Peer[] = [
  { server: 'mastodon', path: '/users/felix', username: 'felix', name: 'Félix', icon: '/system/accounts/avatars/000/087/969/original/felix.jpg', follow: 'mastodon/follow' },
  { server: 'pleroma', path: '/users/lanodan', username: 'lanodan', name: 'Haelwenn :bzh:', icon: '/media/d23cf9b0-5586-4592-aca5-9a52777a6042/avatar.png' },
  { server: 'misskey', path: '/users/9x2k5p', username: 'aiko', name: '藍子', icon: '/files/webpublic-aiko.webp' },
  { server: 'mobilizon', path: '/@bob', username: 'bob', name: 'Bob Vélo', icon: '/media/bob-avatar.png', follow: 'mobilizon/follow' },
  { server: 'gotosocial', path: '/users/the_mighty_zork', username: 'the_mighty_zork', name: 'original zork (he/they)', icon: '/fileserver/01F8MH1H7YV1Z7D2C8K2730QBF/avatar/original/01F8MH58A357CV5K7R7TJMSH6S.jpg', followContext: AS, keyStub: true },
  { server: 'lemmy', path: '/u/picard', username: 'picard', name: 'Jean-Luc Picard', icon: '/pictrs/image/ed9ej7.jpg', follow: 'lemmy/follow' },
  { server: 'friendica', path: '/profile/jakob', username: 'jakob', name: 'Jakob :friendica:', icon: '/photo/profile/jakob.png?ts=1630598950' },
  { server: 'peertube', path: '/accounts/createurs', username: 'createurs', name: 'Créateurs', icon: '/lazy-static/avatars/createurs-48.png' },
  { server: 'pixelfed', path: '/users/dansup', username: 'dansup', name: 'dansup', icon: '/storage/avatars/dansup.jpg', followContext: AS },
  { server: 'wordpress', path: '/author/jane/', username: 'jane', name: 'Jane Doe', icon: '/wp-content/uploads/jane-96x96.jpg', followContext: AS },
];

/**
 * Actors whose contexts JSON-LD handles imperfectly: a context we keep offline, one
 * fetched from the peer (Pleroma's), one that cannot be had (litepub.social, Lemmy's:
 * no network in tests). Whatever happens to the terms, Hearth reads the inbox, key and
 * profile every server means, accepts the signed Follow and delivers the Accept.
 */
describe('actors of every server, whatever their JSON-LD contexts', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  let group: string;

  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    group = `${h.url}/@bikeshop`;
    remote.objects.set(`${remote.origin}/schemas/litepub-0.1.jsonld`, fixture('pleroma/litepub-0.1', {}));
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  const load = (peer: Peer): RemoteActor => {
    const keys = rsaKeys();
    const id = `${remote.origin}${peer.path}`;
    const vars = { id, origin: remote.origin, publicKeyPem: JSON.stringify(keys.publicKeyPem).slice(1, -1) };
    const doc = fixture(`${peer.server}/actor`, vars);
    const keyId = peer.keyStub ? `${id}/main-key` : `${id}#main-key`;
    if (peer.keyStub) remote.objects.set(keyId, fixture(`${peer.server}/main-key`, vars));
    return remote.adopt(doc, keyId, keys);
  };

  for (const peer of PEERS) {
    it(`${peer.server}: a signed Follow is applied, answered at the actor's inbox, and the profile read`, async () => {
      const actor = load(peer);
      const follow = peer.follow
        ? fixture(peer.follow, { actor: actor.id, origin: remote.origin, target: group })
        : { '@context': peer.followContext ?? actor.doc['@context'], id: `${actor.id}#follow-1`, type: 'Follow', actor: actor.id, object: group };
      const res = await remote.send(actor, `${group}/inbox`, follow);
      expect(res.status, res.body).to.equal(202);
      expect(JSON.parse(res.body).outcome).to.equal('applied');

      const raw = actor.doc as Record<string, any>;
      const inbox: string = raw.endpoints?.sharedInbox ?? raw.inbox;
      const accept = await remote.waitFor((d) => d.body.type === 'Accept' && d.body.object?.id === follow.id);
      expect(`${remote.origin}${accept.path}`).to.equal(inbox);

      const stored = wellKnownActorFields(await h.hearth.federation!.apex.store.getObject(actor.id, false));
      expect(stored.inbox).to.equal(raw.inbox);
      expect(stored.keys.map((k) => k.id)).to.include(actor.keyId);
      const member = await h.hearth.database.db.selectFrom('members').selectAll().where('actor_iri', '=', actor.id).executeTakeFirstOrThrow();
      expect(member.handle).to.equal(`${peer.username}@${remote.host}`.toLowerCase());
      expect(member.display_name).to.equal(peer.name);
      expect(member.avatar_url).to.equal(`${remote.origin}${peer.icon}`);
    });
  }

  it('a bare term in an @context list ("as:Hashtag") is no URL: the activity applies, nothing is fetched or blocked', async () => {
    const maria = remote.actor('maria');
    const follow = { '@context': [AS, 'as:Hashtag'], id: `${maria.id}#follows/bare`, type: 'Follow', actor: maria.id, object: group };
    const fetcher = h.hearth.federation!.fetcher;
    const fetched: string[] = [];
    const fetchJson = fetcher.fetchJson.bind(fetcher);
    const logged: string[] = [];
    const { debug, info, warn } = logger;
    fetcher.fetchJson = async (url, headers) => (fetched.push(url), fetchJson(url, headers));
    logger.debug = logger.info = (m: string) => void logged.push(m);
    logger.warn = (m: string) => void logged.push(m);
    try {
      const res = await remote.send(maria, `${group}/inbox`, follow);
      expect(res.status, res.body).to.equal(202);
      expect(JSON.parse(res.body).outcome).to.equal('applied');
    } finally {
      Object.assign(logger, { debug, info, warn });
      fetcher.fetchJson = fetchJson;
    }
    expect(fetched).to.deep.equal([maria.id]);
    expect(logged.filter((l) => /blocked/i.test(l))).to.deep.equal([]);
    // Eight such entries do not count as eight remote contexts either.
    const many = { ...follow, id: `${maria.id}#follows/many`, '@context': [AS, ...Array.from({ length: 9 }, (_, i) => `as:Term${i}`)] };
    expect((await remote.send(maria, `${group}/inbox`, many)).status).to.equal(202);
  });
});
