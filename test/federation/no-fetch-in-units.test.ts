import { expect } from 'chai';
import { fetchesMadeInsideUnits } from '../../src/federation/safe-fetch.js';
import { makeMember } from '../helpers/hearth.js';
import { type ServedHearth, serveHearth } from './helpers/hearth-server.js';
import { RemoteServer, rsaKeys } from './helpers/remote.js';

/**
 * An inbound activity holds the database for its unit of work (ADR 0006): nothing it does
 * may wait for another server meanwhile, or every page waits too. What an answer needs
 * from the network (addressing an Accept to an actor not stored under that id) happens
 * once the unit has committed.
 */
describe('no fetch from other servers inside an inbound activity’s transaction', () => {
  let h: ServedHearth;
  let remote: RemoteServer;
  before(async () => {
    h = await serveHearth({ community: { handle: 'bikeshop' } });
    remote = await RemoteServer.start();
    await makeMember(h.hearth, { handle: 'ana' });
  });
  after(async () => {
    await h.close();
    await remote.close();
  });

  it('addresses the Accept of a Follow after the commit, even when that means fetching the follower again', async () => {
    // apex looks an actor up without its #fragment, so a follower whose id has one is fetched each time it is addressed.
    const keys = rsaKeys();
    const base = `${remote.origin}/users/frag`;
    const id = `${base}#me`;
    const doc = {
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
      id, type: 'Person', preferredUsername: 'frag', inbox: `${base}/inbox`, outbox: `${base}/outbox`, followers: `${base}/followers`,
      endpoints: { sharedInbox: `${remote.origin}/inbox` },
      publicKey: { id: `${base}#main-key`, owner: id, publicKeyPem: keys.publicKeyPem },
    };
    remote.objects.set(base, doc);
    const actor = remote.adopt(doc, `${base}#main-key`, keys);
    const before = fetchesMadeInsideUnits();
    for (const n of [1, 2]) {
      const answer = await remote.send(actor, `${h.url}/inbox`, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${base}/follows/${n}`, type: 'Follow', actor: id, object: `${h.url}/@ana` });
      expect(answer.status).to.be.oneOf([200, 202]);
      const accept = await remote.waitFor((d) => d.body.type === 'Accept' && JSON.stringify(d.body.object).includes(`${base}/follows/${n}`));
      expect(accept.body.actor).to.equal(`${h.url}/@ana`);
    }
    expect(remote.getsOf(base), 'the follower was fetched again to address the Accept').to.be.greaterThan(0);
    expect(fetchesMadeInsideUnits() - before, 'fetches made while a unit held the database').to.equal(0);
  });

  it('takes an activity only from its one actor, the signer: a Follow naming others is refused and answered to nobody', async () => {
    const me = remote.actor('plain');
    const others = ['x1', 'x2', 'x3'].map((n) => remote.actor(n).id);
    const before = fetchesMadeInsideUnits();
    const answer = await remote.send(me, `${h.url}/inbox`, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${me.id}/follows/many`, type: 'Follow', actor: [me.id, ...others], object: `${h.url}/@ana` });
    expect(answer.status).to.equal(403);
    await new Promise((r) => setTimeout(r, 300)); // a wrongly queued Accept would be delivered by now
    expect(remote.received.filter((d) => d.body.type === 'Accept' && JSON.stringify(d.body.object).includes('follows/many'))).to.deep.equal([]);
    for (const x of others) expect(remote.getsOf(x), `${x} fetched`).to.equal(0);
    expect(fetchesMadeInsideUnits() - before).to.equal(0);
    const followers = await h.hearth.database.db.selectFrom('ap_streams').select('id').where('id', '=', `${me.id}/follows/many`).execute();
    expect(followers, 'the Follow is not kept').to.deep.equal([]);
  });
});
