import type { Apex } from 'activitypub-express';
import { type NextFunction, type Request, type RequestHandler, type Response, Router } from 'express';
import type { Config } from '../config.js';
import { DomainError } from '../core/errors.js';
import { logger } from '../core/logger.js';
import type { Db } from '../db/schema.js';
import type { Services } from '../services.js';
import { type ActorDirectory, type LocalActor } from './actors.js';
import { postIri, postToNote, withPoll } from './convert.js';
import type { ContentPublisher } from './outbound/content-publisher.js';
import type { EventPublisher } from './outbound/event-publisher.js';
import { SignatureError, verifyRequest } from './http-signatures.js';
import { inboxAdmission, parseActivity, selfDeleteOf } from './inbox-admission.js';
import type { SenderKeys } from './inbox/signature.js';
import type { InboxProcessor } from './inbox/inbox.js';
import { extractHashtags } from '../community/mentions.js';
import { wantsActivityJson } from './negotiation.js';
import { isContextUrl } from './apex/contexts.js';

const AS_JSON = 'application/activity+json; charset=utf-8';

export interface FederationRouteDeps {
  apex: Apex;
  actors: ActorDirectory;
  services: Services;
  db: Db;
  config: Config;
  inbox: InboxProcessor;
  keys: SenderKeys;
  events: EventPublisher;
  content: ContentPublisher;
}

/**
 * ActivityPub over HTTP. Mounted before the site's body parsers and CSRF check: inboxes
 * read the raw body (its Digest is checked against it) and are authenticated by HTTP
 * Signatures, never by cookies. Pages that are also actors or objects (/@name, /p/:id)
 * answer ActivityStreams JSON when asked for it and fall through to HTML otherwise.
 */
export function federationRoutes(d: FederationRouteDeps): Router {
  const router = Router();
  const { apex, actors } = d;

  /** apex's middleware expects itself on app.locals; only federation routes need it. */
  const withApex: RequestHandler = apex;

  /** The scheme other servers reach us with, for RFC 9421's `@target-uri`. */
  const scheme: 'http' | 'https' = new URL(d.config.server.url).protocol === 'http:' ? 'http' : 'https';

  /**
   * With authorized fetch on, reads must be signed by a server we federate with. The one
   * exception is the community's actor document itself (not its collections): other
   * servers read it to verify the signed GETs we send, before they can sign to us.
   */
  const signedRead = (exempt: (req: Request) => boolean = () => false): RequestHandler => async (req, res, next) => {
    if (!d.config.federation.authorized_fetch) return next();
    try {
      const { owner } = await verifyRequest({ method: 'GET', path: req.originalUrl, headers: req.headers, scheme }, d.keys.lookup);
      res.locals.fetchedBy = owner;
      next();
    } catch (err) {
      if (exempt(req)) return next();
      sendError(res, err);
    }
  };
  const communityActorDocument = (req: Request) => String(req.params.actor).toLowerCase() === actors.communityName;

  // The same URL answers a page or a document by Accept, so caches must key on it.
  const asJson = (req: Request, res: Response, next: NextFunction) => {
    res.vary('Accept');
    return wantsActivityJson(req) ? next() : next('route');
  };
  // apex's GET chains open with its own Accept check (express's req.accepts, which misses
  // a profile list and plain JSON); `asJson` has decided already, so it is left out.
  const apexGet = (chain: RequestHandler[]): RequestHandler[] => [
    (_req, res, next) => {
      res.locals.apex.responseType = AS_JSON;
      // apex answers a refusal with its message as text (a 404 echoes the requested id),
      // which express would send as text/html: send it as a JSON error like ours.
      const send = res.send.bind(res);
      res.send = (body?: unknown) => {
        if (res.statusCode < 400 || typeof body !== 'string') return send(body);
        res.type(AS_JSON);
        return send(JSON.stringify({ error: res.statusCode === 404 ? 'Not found.' : body }));
      };
      next();
    },
    ...chain.filter((h) => h !== apex.net.validators.jsonld),
  ];

  const loadActor: RequestHandler = async (req, res, next) => {
    try {
      const local = await actors.find(String(req.params.actor));
      if (!local) return res.status(404).type(AS_JSON).json({ error: 'No such actor.' });
      res.locals.local = local;
      res.locals.actor = await actors.ensure(local);
      next();
    } catch (err) {
      next(err);
    }
  };

  router.get('/@:actor', asJson, signedRead(communityActorDocument), loadActor, async (_req, res) => {
    const { _meta, ...actor } = res.locals.actor;
    res.type(AS_JSON).send(JSON.stringify(await apex.toJSONLD(actor)));
  });

  // A space's actor seen in a browser: its page is the space (the community's, the home page).
  router.get('/@:actor', async (req, res, next) => {
    const space = await actors.findSpace(String(req.params.actor)).catch(() => null);
    if (!space) return next();
    res.redirect(303, space.slug === 'general' ? '/' : `/s/${space.slug}`);
  });

  for (const name of ['followers', 'following', 'outbox'] as const) {
    router.get(`/@:actor/${name}`, asJson, signedRead(), loadActor, withApex, ...apexGet(apex.net[name].get));
  }

  router.get('/@:actor/moderators', asJson, signedRead(), loadActor, async (req, res) => {
    const local: LocalActor = res.locals.local;
    const items = local.kind === 'space' ? await actors.moderatorIris() : [];
    res.type(AS_JSON).json({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${actors.iri(local.name)}/moderators`,
      type: 'OrderedCollection',
      totalItems: items.length,
      orderedItems: items,
    });
  });

  router.get('/a/:id', asJson, signedRead(), withApex, ...apexGet(apex.net.activityStream.get));

  // A post as a Note (or Article): only from public spaces, and a Tombstone once gone.
  router.get('/p/:id', asJson, signedRead(), async (req, res, next) => {
    try {
      const id = Number(req.params.id);
      const post = Number.isSafeInteger(id) ? await d.db.selectFrom('posts').selectAll().where('id', '=', id).where('ap_id', 'is', null).executeTakeFirst() : undefined;
      const space = post ? await d.services.spaces.getById(post.space_id) : null;
      if (!post || space?.visibility !== 'public') return res.status(404).type(AS_JSON).json({ error: 'Not found.' });
      if (post.deleted_at || post.removed_at) {
        return res.status(410).type(AS_JSON).json({ '@context': 'https://www.w3.org/ns/activitystreams', id: postIri(actors.baseUrl, post.id), type: 'Tombstone' });
      }
      const author = await d.services.members.getById(post.author_id);
      const authorActor = await actors.forMember(author);
      const group = await actors.forSpace(space);
      const parent = post.parent_id === null ? null : await d.db.selectFrom('posts').select(['id', 'ap_id']).where('id', '=', post.parent_id).executeTakeFirst();
      const note = postToNote(post, {
        baseUrl: actors.baseUrl,
        authorIri: authorActor.id,
        authorFollowers: authorActor.followers[0],
        groupIri: group.id,
        inReplyTo: parent ? (parent.ap_id ?? postIri(actors.baseUrl, parent.id)) : null,
        mentions: [],
        hashtags: extractHashtags(post.body_md),
      });
      // A poll's counts change with every vote: Mastodon re-reads the Question from here.
      const poll = d.config.modules.polls && post.parent_id === null ? await d.services.polls.view(post.id, null) : null;
      res.type(AS_JSON).send(JSON.stringify({ '@context': apex.context, ...(poll ? withPoll(note, poll) : note) }));
    } catch (err) {
      next(err);
    }
  });

  // One object by its numeric id, as its publisher builds it; 404 when there is none or its module is off.
  const document = (load: (id: number) => Promise<Record<string, unknown> | null>): RequestHandler => async (req, res, next) => {
    try {
      const id = Number(req.params.id);
      const doc = Number.isSafeInteger(id) ? await load(id) : null;
      if (!doc) return res.status(404).type(AS_JSON).json({ error: 'Not found.' });
      res.type(AS_JSON).send(JSON.stringify({ '@context': apex.context, ...doc }));
    } catch (err) {
      next(err);
    }
  };
  // A review as its author's Note; a published story as the community's Article.
  router.get('/reviews/:id', asJson, signedRead(), document((id) => d.content.reviewDocument(id)));
  router.get('/stories/:id', asJson, signedRead(), document((id) => d.content.storyDocument(id)));

  // An event as Mobilizon's `Event`: only from public spaces, and only while events are on.
  router.get('/events/:id', asJson, signedRead(), document(async (id) => (d.config.modules.events ? d.events.document(id) : null)));

  const admission = inboxAdmission({
    maxBytes: d.config.federation.max_activity_kb * 1024,
    scheme,
  });
  const inbox = (shared: boolean): RequestHandler => async (req, res) => {
    try {
      const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let recipient: LocalActor | null = null;
      if (!shared) {
        recipient = await actors.find(String(req.params.actor));
        if (!recipient) return res.status(404).json({ error: 'No such actor.' });
      }
      const parsed = parseActivity(raw);
      if ('error' in parsed) return res.status(400).json({ error: parsed.error });
      const json = parsed.activity;
      // Each unknown JSON-LD context costs a (bounded, cached) fetch: a body may not ask for many.
      if (remoteContexts(json['@context']) > MAX_REMOTE_CONTEXTS) return res.status(400).json({ error: 'Too many JSON-LD contexts.' });
      // An account we never knew saying it is gone: nothing here to undo, so nothing to fetch (its key is gone anyway).
      const leaving = selfDeleteOf(json);
      if (leaving && !(await d.services.remote.findAuthor(leaving)) && !(await apex.store.getObject(leaving))) return res.status(202).end();
      let signer: { owner: string };
      try {
        signer = await verifyRequest({ method: 'POST', path: req.originalUrl, headers: req.headers, body: raw, scheme: admission.scheme }, d.keys.lookup);
      } catch (err) {
        // A deleted account's farewell cannot be verified (its key is gone); like Mastodon, accept and drop it.
        if (err instanceof SignatureError && err.code === 'unknown_key' && json.type === 'Delete') return res.status(202).end();
        throw err;
      }
      const sender = await d.keys.actor(signer.owner);
      const activity = await apex.fromJSONLD(json).catch(() => null);
      if (!activity) return res.status(400).json({ error: 'The body is not valid JSON-LD.' });
      const outcome = await d.inbox.process(activity, sender, recipient);
      res.status(202).json({ outcome });
    } catch (err) {
      sendError(res, err);
    }
  };
  router.post('/inbox', ...admission.handlers, inbox(true));
  router.post('/@:actor/inbox', ...admission.handlers, inbox(false));
  return router;
}

const MAX_REMOTE_CONTEXTS = 8;
/** Entries that would be loaded: context URLs only (a bare term such as "as:Hashtag" is dropped, not fetched). */
function remoteContexts(context: unknown): number {
  const list = Array.isArray(context) ? context : [context];
  return list.filter(isContextUrl).length;
}

function sendError(res: Response, err: unknown): void {
  if (err instanceof SignatureError) {
    res.status(401).json({ error: `Signature not accepted: ${err.message}` });
  } else if (err instanceof DomainError) {
    res.status(err.status).json({ error: err.message });
  } else {
    logger.error('federation request failed', err);
    res.status(500).json({ error: 'Something went wrong on our side.' });
  }
}
