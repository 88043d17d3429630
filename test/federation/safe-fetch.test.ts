import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { isPublicAddress } from '../../src/federation/address-guard.js';
import { RemoteFetchError, SafeFetcher } from '../../src/federation/safe-fetch.js';

describe('the remote fetcher', () => {
  let server: http.Server;
  let base: string;
  const routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse) => void> = {
    '/actor': (_req, res) => res.writeHead(200, { 'content-type': 'application/activity+json' }).end(JSON.stringify({ id: 'x', type: 'Person' })),
    '/hop': (_req, res) => res.writeHead(302, { location: '/actor' }).end(),
    '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
    '/to-private': (_req, res) => res.writeHead(302, { location: 'http://10.0.0.1/secret' }).end(),
    '/big': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.alloc(2 * 1024 * 1024, 'a'));
    },
    '/slow': (_req, res) => {
      res.writeHead(200);
      res.write('{');
      setTimeout(() => res.end('}'), 3000).unref();
    },
    '/echo': (req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => res.writeHead(202).end(JSON.stringify({ method: req.method, body, sig: req.headers.signature ?? null })));
    },
  };
  before(async () => {
    server = http.createServer((req, res) => (routes[req.url ?? ''] ?? ((_q, r) => r.writeHead(404).end()))(req, res));
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  const refused = async (p: Promise<unknown>, code: RemoteFetchError['code']) => {
    const err = await p.then(() => null, (e) => e);
    expect(err, `expected ${code}`).to.be.instanceOf(RemoteFetchError);
    expect(err.code).to.equal(code);
  };

  it('classifies addresses: only public ones pass', () => {
    for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd12::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '224.0.0.1', 'not an ip']) {
      expect(isPublicAddress(a), a).to.equal(false);
    }
    for (const a of ['93.184.215.14', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) expect(isPublicAddress(a), a).to.equal(true);
  });

  it('refuses loopback and private addresses unless the test switch is on', async () => {
    await refused(new SafeFetcher({ allowPrivateAddresses: false }).fetch(`${base}/actor`), 'bad_url'); // plain http too
    await refused(new SafeFetcher({ allowPrivateAddresses: false }).fetch('https://127.0.0.1/actor'), 'private_address');
    await refused(new SafeFetcher({ allowPrivateAddresses: false }).fetch('https://[::1]/actor'), 'private_address');
    const open = new SafeFetcher({ allowPrivateAddresses: true });
    expect(await open.fetchJson(`${base}/actor`)).to.deep.equal({ id: 'x', type: 'Person' });
  });

  it('refuses a name that resolves to a private address, and connects only to the address it checked', async () => {
    const evil = new SafeFetcher({ allowPrivateAddresses: false, resolve: async () => [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.7', family: 4 }] });
    await refused(evil.fetch('https://rebind.example/actor'), 'private_address');
    // With the switch on, the pinned address is used whatever the name says.
    const pinned = new SafeFetcher({ allowPrivateAddresses: true, resolve: async () => [{ address: '127.0.0.1', family: 4 }] });
    const port = new URL(base).port;
    expect(await pinned.fetchJson(`http://peer.test:${port}/actor`)).to.deep.equal({ id: 'x', type: 'Person' });
  });

  it('follows a bounded number of redirects and checks every hop', async () => {
    const f = new SafeFetcher({ allowPrivateAddresses: true, maxRedirects: 2 });
    expect((await f.fetch(`${base}/hop`)).url).to.equal(`${base}/actor`);
    await refused(f.fetch(`${base}/loop`), 'too_many_redirects');
    // The loopback peer stands in for a public server; its redirect into 10.0.0.0/8 is refused.
    const strict = new SafeFetcher({ allowPrivateAddresses: true, allowAddress: (ip) => ip === '127.0.0.1' });
    expect((await strict.fetch(`${base}/hop`)).status).to.equal(200);
    await refused(strict.fetch(`${base}/to-private`), 'private_address');
  });

  it('bounds size and time', async () => {
    await refused(new SafeFetcher({ allowPrivateAddresses: true, maxBytes: 1024 * 1024 }).fetch(`${base}/big`), 'too_large');
    const started = Date.now();
    await refused(new SafeFetcher({ allowPrivateAddresses: true, timeoutMs: 300 }).fetch(`${base}/slow`), 'timeout');
    expect(Date.now() - started).to.be.below(2500);
  });

  it('posts a body with the given headers', async () => {
    const f = new SafeFetcher({ allowPrivateAddresses: true });
    const res = await f.fetch(`${base}/echo`, { method: 'POST', body: '{"type":"Follow"}', headers: { 'content-type': 'application/activity+json', signature: 'keyId="k"' } });
    expect(res.status).to.equal(202);
    expect(JSON.parse(res.body.toString())).to.deep.equal({ method: 'POST', body: '{"type":"Follow"}', sig: 'keyId="k"' });
  });

  it('refuses URLs that are not URLs or carry credentials', async () => {
    const f = new SafeFetcher({ allowPrivateAddresses: true });
    await refused(f.fetch('not a url'), 'bad_url');
    await refused(f.fetch('file:///etc/passwd'), 'bad_url');
    await refused(f.fetch(`http://user:pw@127.0.0.1:1/`), 'bad_url');
  });
});
