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
/** A fresh RSA key pair as PEM (SPKI public, PKCS#8 private), as fediverse servers publish them. */
export function rsaKeys(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export class RemoteServer {
  readonly received: Delivery[] = [];
  readonly objects = new Map<string, unknown>();
  /** Every GET asked of this server (path and query), in order. */
  readonly gets: string[] = [];
  /** URLs (as in `objects`) answered 410 Gone, as for a deleted account. */
  readonly gone = new Set<string>();
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
    const { publicKeyPem, privateKeyPem } = rsaKeys();
    const id = `${this.origin}/users/${name}`;
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
    return { name, id, inbox: `${id}/inbox`, keyId: `${id}#main-key`, privateKeyPem, publicKeyPem, doc };
  }

  /** Serves an actor document as given (a fixture) at its id; it signs with `keyId`. */
  adopt(doc: Record<string, any>, keyId: string, keys: { publicKeyPem: string; privateKeyPem: string }): RemoteActor {
    this.objects.set(doc.id, doc);
    return { name: String(doc.preferredUsername), id: doc.id, inbox: doc.inbox, keyId, ...keys, doc };
  }

  /**
   * The actor as GoToSocial publishes it: its key at `<actor>/main-key`, where a stub Person
   * with no inbox answers, carrying only the key (publicKey.owner names the real actor).
   */
  withKeyStub(actor: RemoteActor): RemoteActor {
    const keyId = `${actor.id}/main-key`;
    const publicKey = { id: keyId, owner: actor.id, publicKeyPem: actor.publicKeyPem };
    const doc = { ...actor.doc, publicKey };
    this.objects.set(actor.id, doc);
    this.objects.set(keyId, {
      '@context': ['https://w3id.org/security/v1', 'https://www.w3.org/ns/activitystreams'],
      id: actor.id,
      preferredUsername: actor.name,
      publicKey,
      type: 'Person',
    });
    return { ...actor, keyId, doc };
  }

  /** How many GETs asked for this path (or URL on this server). */
  getsOf(pathOrUrl: string): number {
    const path = pathOrUrl.startsWith(this.origin) ? pathOrUrl.slice(this.origin.length) : pathOrUrl;
    return this.gets.filter((g) => g === path).length;
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
      if (this.gone.has(url.split('#')[0]!)) return void res.writeHead(410, { 'content-type': 'application/activity+json' }).end('{}');
      const finger = /^\/\.well-known\/webfinger\?resource=acct(?::|%3A)([^@%]+)(?:@|%40)/i.exec(req.url ?? '');
      if (finger) {
        const id = `${this.origin}/users/${finger[1]}`;
        if (!this.objects.has(id)) return void res.writeHead(404).end();
        const jrd = { subject: `acct:${finger[1]}@${this.host}`, links: [{ rel: 'self', type: 'application/activity+json', href: id }] };
        return void res.writeHead(200, { 'content-type': 'application/jrd+json' }).end(JSON.stringify(jrd));
      }
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
