import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { signRequest } from '../../../src/federation/http-signatures.js';

export interface RemoteActor {
  name: string;
  id: string;
  inbox: string;
  keyId: string;
  privateKeyPem: string;
  publicKeyPem: string;
  doc: Record<string, unknown>;
}

export interface Delivery {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, any>;
  raw: Buffer;
}

/**
 * A stand-in fediverse server on 127.0.0.1: it serves actor documents (with keys) and
 * any objects a test puts there, records what is delivered to its inboxes, and sends
 * signed activities to Hearth. Fixture tests use it to play Mastodon, Lemmy, Misskey
 * or Mobilizon; the Fedify test uses a real implementation instead.
 */
export class RemoteServer {
  readonly received: Delivery[] = [];
  readonly objects = new Map<string, unknown>();
  /** Ids answered 410 Gone, as a server answers for an account it deleted. */
  readonly gone = new Set<string>();
  /** Every GET Hearth made here (actor and key fetches included), by path. */
  readonly gets: string[] = [];
  private server!: http.Server;
  origin = '';
  host = '';

  static async start(): Promise<RemoteServer> {
    const r = new RemoteServer();
    r.server = http.createServer((req, res) => r.handle(req, res));
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    const port = (r.server.address() as AddressInfo).port;
    r.host = `127.0.0.1:${port}`;
    r.origin = `http://${r.host}`;
    return r;
  }

  /** An actor at <origin>/users/<name>; `extra` adds or overrides fields (type Group, alsoKnownAs...). */
  actor(name: string, extra: Record<string, unknown> = {}): RemoteActor {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const id = `${this.origin}/users/${name}`;
    const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const doc = {
      // Mastodon's actor context, which defines the terms its profiles use beyond AS2.
      '@context': [
        'https://www.w3.org/ns/activitystreams',
        'https://w3id.org/security/v1',
        {
          manuallyApprovesFollowers: 'as:manuallyApprovesFollowers',
          toot: 'http://joinmastodon.org/ns#',
          alsoKnownAs: { '@id': 'as:alsoKnownAs', '@type': '@id' },
          movedTo: { '@id': 'as:movedTo', '@type': '@id' },
          discoverable: 'toot:discoverable',
        },
      ],
      id,
      type: 'Person',
      preferredUsername: name,
      name: name[0]!.toUpperCase() + name.slice(1),
      summary: `<p>${name} lives on a remote server</p>`,
      inbox: `${id}/inbox`,
      outbox: `${id}/outbox`,
      followers: `${id}/followers`,
      url: `${this.origin}/@${name}`,
      icon: { type: 'Image', mediaType: 'image/png', url: `${this.origin}/avatars/${name}.png` },
      endpoints: { sharedInbox: `${this.origin}/inbox` },
      publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem },
      ...extra,
    };
    this.objects.set(id, doc);
    return { name, id, inbox: `${id}/inbox`, keyId: `${id}#main-key`, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem, doc };
  }

  /** POSTs an activity to Hearth signed as `actor` (Mastodon-style draft-cavage). */
  async send(actor: RemoteActor, inboxUrl: string, activity: unknown, tamper?: (headers: Record<string, string>) => void): Promise<{ status: number; body: string }> {
    const body = JSON.stringify(activity);
    const headers = signRequest({ method: 'POST', url: inboxUrl, body, keyId: actor.keyId, privateKeyPem: actor.privateKeyPem, headers: { 'content-type': 'application/activity+json' } });
    tamper?.(headers);
    delete headers.host;
    const res = await fetch(inboxUrl, { method: 'POST', headers, body });
    return { status: res.status, body: await res.text() };
  }

  /** Waits until a delivery matching `match` arrives, or fails after `ms`. */
  async waitFor(match: (d: Delivery) => boolean, ms = 5000): Promise<Delivery> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const found = this.received.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no matching delivery within ${ms} ms; got: ${this.received.map((d) => d.body.type).join(', ') || 'nothing'}`);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = `${this.origin}${req.url}`;
      if (req.method === 'POST') {
        try {
          const raw = Buffer.concat(chunks);
          this.received.push({ path: req.url!, headers: req.headers, body: JSON.parse(raw.toString('utf8')), raw });
        } catch {
          res.writeHead(400).end();
          return;
        }
        res.writeHead(202).end();
        return;
      }
      this.gets.push(req.url ?? '');
      const finger = /^\/\.well-known\/webfinger\?resource=acct(?::|%3A)([^@%]+)(?:@|%40)/i.exec(req.url ?? '');
      if (finger) {
        const id = `${this.origin}/users/${finger[1]}`;
        if (!this.objects.has(id)) return void res.writeHead(404).end();
        const jrd = { subject: `acct:${finger[1]}@${this.host}`, links: [{ rel: 'self', type: 'application/activity+json', href: id }] };
        return void res.writeHead(200, { 'content-type': 'application/jrd+json' }).end(JSON.stringify(jrd));
      }
      if (this.gone.has(url.split('#')[0]!)) return void res.writeHead(410, { 'content-type': 'application/activity+json' }).end('{"error":"Gone"}');
      const obj = this.objects.get(url.split('#')[0]!);
      if (!obj) {
        res.writeHead(404).end();
        return;
      }
      if (Buffer.isBuffer(obj)) return void res.writeHead(200, { 'content-type': 'image/png' }).end(obj);
      res.writeHead(200, { 'content-type': 'application/activity+json' }).end(JSON.stringify(obj));
    });
  }
}
