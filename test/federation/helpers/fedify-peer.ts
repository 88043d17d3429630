import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Activity,
  Accept,
  Announce,
  Create,
  Endpoints,
  Follow,
  Like,
  MemoryKvStore,
  Note,
  PUBLIC_COLLECTION,
  Person,
  Undo,
  createFederation,
  generateCryptoKeyPair,
  lookupWebFinger,
} from '@fedify/fedify';

/**
 * A real, independent ActivityPub server (Fedify 1.5) on 127.0.0.1: its own WebFinger
 * client, JSON-LD processing and HTTP Signature verification. Everything it receives
 * has passed its own checks before reaching `received`.
 */
export class FedifyPeer {
  readonly received: Activity[] = [];
  origin = '';
  private server!: http.Server;
  private federation!: ReturnType<typeof createFederation<void>>;
  private counter = 0;

  static async start(): Promise<FedifyPeer> {
    const peer = new FedifyPeer();
    peer.server = http.createServer((req, res) => void peer.handle(req, res));
    await new Promise<void>((resolve) => peer.server.listen(0, '127.0.0.1', resolve));
    peer.origin = `http://127.0.0.1:${(peer.server.address() as AddressInfo).port}`;
    const keys = await generateCryptoKeyPair('RSASSA-PKCS1-v1_5');
    // allowPrivateAddress: the peer talks to Hearth over loopback, as Hearth's own switch allows.
    const federation = createFederation<void>({ kv: new MemoryKvStore(), allowPrivateAddress: true });
    federation
      .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
        if (identifier !== 'fedi') return null;
        const pairs = await ctx.getActorKeyPairs(identifier);
        return new Person({
          id: ctx.getActorUri(identifier),
          preferredUsername: identifier,
          name: 'Fedi Peer',
          inbox: ctx.getInboxUri(identifier),
          endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
          url: new URL(`/@${identifier}`, ctx.url),
          publicKey: pairs[0]!.cryptographicKey,
          assertionMethods: pairs.map((p) => p.multikey),
        });
      })
      .setKeyPairsDispatcher(async () => [keys]);
    federation
      .setInboxListeners('/users/{identifier}/inbox', '/inbox')
      .on(Accept, async (_ctx, activity) => void peer.received.push(activity))
      .on(Announce, async (_ctx, activity) => void peer.received.push(activity))
      .on(Create, async (_ctx, activity) => void peer.received.push(activity));
    peer.federation = federation;
    return peer;
  }

  get actorId(): URL {
    return new URL('/users/fedi', this.origin);
  }

  private context() {
    return this.federation.createContext(new URL(this.origin), undefined);
  }

  /**
   * WebFinger, the way Fedify does it. Over plain http the resource is the actor URL
   * (an acct: lookup always goes to https://, which a loopback test server does not speak).
   */
  async webfinger(resource: string): Promise<string | null> {
    const jrd = await lookupWebFinger(resource, { allowPrivateAddress: true });
    return jrd?.links?.find((l) => l.rel === 'self')?.href ?? null;
  }

  async lookup(iri: string) {
    return this.context().lookupObject(iri);
  }

  private nextId(kind: string): URL {
    this.counter += 1;
    return new URL(`/${kind}/${this.counter}`, this.origin);
  }

  async follow(target: { id: URL | null; inboxId: URL | null }): Promise<Follow> {
    const follow = new Follow({ id: this.nextId('follows'), actor: this.actorId, object: target.id });
    await this.context().sendActivity({ identifier: 'fedi' }, target as never, follow);
    return follow;
  }

  async reply(target: { id: URL | null; inboxId: URL | null }, inReplyTo: URL, text: string): Promise<Note> {
    const note = new Note({
      id: this.nextId('notes'),
      attribution: this.actorId,
      content: `<p>${text}</p>`,
      replyTarget: inReplyTo,
      to: PUBLIC_COLLECTION,
      ccs: [target.id!],
    });
    await this.context().sendActivity({ identifier: 'fedi' }, target as never, new Create({ id: this.nextId('creates'), actor: this.actorId, object: note, to: PUBLIC_COLLECTION, ccs: [target.id!] }));
    return note;
  }

  async like(target: { id: URL | null; inboxId: URL | null }, object: URL): Promise<Like> {
    const like = new Like({ id: this.nextId('likes'), actor: this.actorId, object });
    await this.context().sendActivity({ identifier: 'fedi' }, target as never, like);
    return like;
  }

  async undo(target: { id: URL | null; inboxId: URL | null }, activity: Like | Follow): Promise<void> {
    await this.context().sendActivity({ identifier: 'fedi' }, target as never, new Undo({ id: this.nextId('undos'), actor: this.actorId, object: activity }));
  }

  async waitFor<T extends Activity>(type: new (...a: never[]) => T, ms = 8000): Promise<T> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const found = this.received.find((a) => a instanceof type);
      if (found) return found as T;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`Fedify peer received no ${type.name}; got ${this.received.map((a) => a.constructor.name).join(', ') || 'nothing'}`);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const request = new Request(new URL(req.url!, this.origin), {
      method: req.method,
      headers,
      body: req.method === 'GET' || req.method === 'HEAD' ? undefined : Buffer.concat(chunks),
    });
    const response = await this.federation.fetch(request, { contextData: undefined });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  }
}
