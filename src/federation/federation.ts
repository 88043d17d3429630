import type { Apex } from 'activitypub-express';
import { Router } from 'express';
import { afterCommit } from '../core/after-commit.js';
import type { Config } from '../config.js';
import type { Db } from '../db/schema.js';
import type { Services } from '../services.js';
import { ActorDirectory } from './actors.js';
import { createApex } from './apex/create-apex.js';
import { DeliveryWorker } from './delivery/delivery-worker.js';
import { HEARTH_VERSION, discoveryRoutes } from './discovery.js';
import { FollowService } from './follows.js';
import { FederationCore } from './inbox/context.js';
import { InboxProcessor } from './inbox/inbox.js';
import { senderKeys } from './inbox/signature.js';
import { WebFingerClient } from './mentions.js';
import { ContentPublisher } from './outbound/content-publisher.js';
import { EventPublisher } from './outbound/event-publisher.js';
import { Publisher } from './outbound/publisher.js';
import { FederationPolicy } from './policy.js';
import { federationRoutes } from './routes.js';
import { SafeFetcher, type SafeFetchOptions } from './safe-fetch.js';
import { ActorKeys } from './store/actor-keys.js';
import { SqliteApexStore } from './store/apex-store.js';
import { DeliveryQueue } from './store/delivery-queue.js';

export interface Federation {
  apex: Apex;
  actors: ActorDirectory;
  follows: FollowService;
  policy: FederationPolicy;
  publisher: Publisher;
  eventPublisher: EventPublisher;
  /** Reviews and published stories. */
  contentPublisher: ContentPublisher;
  queue: DeliveryQueue;
  worker: DeliveryWorker;
  inbox: InboxProcessor;
  /** The guarded client for anything fetched from other servers (avatars included). */
  fetcher: SafeFetcher;
  /** Mounted before the site's body parsers and CSRF check. */
  router: Router;
  /** Sends queued deliveries until stopped (the server starts it; tests may drive it). */
  start(): void;
  stop(): Promise<void>;
}

export interface FederationOptions {
  /** Tests stand loopback peers in for public servers; see SafeFetchOptions.allowAddress. */
  allowAddress?: (address: string) => boolean;
  /** Name resolution for every outgoing fetch; tests resolve no public name (SafeFetchOptions.resolve). */
  resolve?: SafeFetchOptions['resolve'];
  worker?: { pollMs?: number; baseDelayMs?: number };
}

/** The fediverse side of Hearth, wired from the domain services (it depends on them, never the reverse). */
export async function createFederation(db: Db, services: Services, config: Config, options: FederationOptions = {}): Promise<Federation> {
  const fed = config.federation;
  const fetcher = new SafeFetcher({
    allowPrivateAddresses: fed.allow_private_addresses,
    allowAddress: options.allowAddress,
    resolve: options.resolve,
    userAgent: `Hearth/${HEARTH_VERSION} (+${config.server.url})`,
  });
  const policy = new FederationPolicy(db, fed);
  await policy.load();
  const store = new SqliteApexStore(db);
  const queue = new DeliveryQueue(db);
  const worker = new DeliveryWorker(queue, new ActorKeys(db), fetcher, {
    concurrency: fed.delivery_concurrency,
    perHost: fed.delivery_per_host,
    ...options.worker,
  });
  let actors: ActorDirectory | undefined;
  const apex = createApex({
    baseUrl: config.server.url,
    version: HEARTH_VERSION,
    store,
    fetcher,
    policy,
    // Deliveries queued inside a unit of work exist only once it commits.
    wakeDelivery: () => afterCommit(() => worker.wake()),
    signingKey: async () => {
      if (!actors) return null;
      const community = await actors.community();
      return { keyId: `${community.id}#main-key`, privateKeyPem: community._meta.privateKey };
    },
  });
  actors = new ActorDirectory(apex, db, services, config);
  const follows = new FollowService(apex, actors, db);
  const core = new FederationCore(apex, actors, services, follows, db, config.modules);
  const inbox = new InboxProcessor(core, policy);
  const publisher = new Publisher(apex, actors, services, db, new WebFingerClient(fetcher, fed.allow_private_addresses), config.modules);
  publisher.attach(services.bus);
  const eventPublisher = new EventPublisher(apex, actors, services);
  if (config.modules.events) eventPublisher.attach(services.bus);
  const contentPublisher = new ContentPublisher(apex, actors, services, config.modules);
  contentPublisher.attach(services.bus);

  const router = Router();
  router.use(discoveryRoutes(actors, db, config));
  router.use(federationRoutes({ apex, actors, services, db, config, inbox, keys: senderKeys(apex, policy), events: eventPublisher, content: contentPublisher }));

  return {
    apex, actors, follows, policy, publisher, eventPublisher, contentPublisher, queue, worker, inbox, fetcher, router,
    start: () => worker.start(),
    stop: async () => {
      await publisher.idle();
      await eventPublisher.idle();
      await contentPublisher.idle();
      await worker.stop();
    },
  };
}
