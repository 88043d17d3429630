import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import multer from 'multer';
import { DomainError } from './core/errors.js';
import type { Config } from './config.js';
import { type OpenDatabase, databaseFile, openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { serverSecret } from './db/secrets.js';
import { staticDir } from './paths.js';
import { type ServiceOptions, type Services, createServices } from './services.js';
import { adminRoutes } from './web/admin.routes.js';
import { authRoutes } from './web/auth.routes.js';
import { communityRoutes } from './web/community.routes.js';
import { Csrf } from './web/csrf.js';
import { errorHandler, notFoundHandler } from './web/errors.js';
import { formBodyLimitBytes } from './web/field-limits.js';
import { memberRoutes } from './web/member.routes.js';
import { federationWebRoutes } from './web/federation.routes.js';
import { remoteAvatarRoutes } from './web/remote-avatar.js';
import { economyRoutes } from './web/economy.routes.js';
import { eventRoutes } from './web/events.routes.js';
import { ideaRoutes } from './web/ideas.routes.js';
import { qaRoutes } from './web/qa.routes.js';
import { reviewRoutes } from './web/reviews.routes.js';
import { storyRoutes } from './web/stories.routes.js';
import { notificationRoutes } from './web/notifications.routes.js';
import { rewardRoutes } from './web/rewards.routes.js';
import { createRenderer } from './web/render.js';
import { SessionCookies } from './web/session.js';
import { setupRoutes } from './web/setup.routes.js';
import { type Federation, type FederationOptions, createFederation } from './federation/federation.js';
import type { WebContext } from './web/context.js';
import './web/types.js';

export interface HearthOptions extends ServiceOptions {
  /** Use this SQLite file instead of <data_dir>/hearth.sqlite (':memory:' in tests). */
  databaseFile?: string;
  federation?: FederationOptions;
}

export interface Hearth {
  app: Express;
  config: Config;
  services: Services;
  database: OpenDatabase;
  /** Null when federation.enabled is false. */
  federation: Federation | null;
  /** Present while no owner exists: the one-time path that lets the owner sign up. */
  setupPath(): string | null;
  close(): Promise<void>;
}

/** The composition root: opens and migrates the database, builds services and the web app. */
export async function createHearth(config: Config, options: HearthOptions = {}): Promise<Hearth> {
  const database = openDatabase(options.databaseFile ?? databaseFile(config.server.data_dir));
  try {
    await migrateToLatest(database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  const services = createServices(database.db, config, options);
  const federation = config.federation.enabled ? await createFederation(database.db, services, config, options.federation) : null;
  const secure = config.server.url.startsWith('https:');
  const cookies = new SessionCookies(await serverSecret(database.db, 'session'), services.sessions, secure);
  const csrf = new Csrf(await serverSecret(database.db, 'csrf'), secure);
  const render = createRenderer(config, csrf);
  const uploadsDir = path.join(config.server.data_dir, 'uploads');
  mkdirSync(path.join(uploadsDir, 'avatars'), { recursive: true });
  mkdirSync(path.join(uploadsDir, 'headers'), { recursive: true });
  mkdirSync(path.join(uploadsDir, 'rewards'), { recursive: true });

  let setupToken: string | null = (await services.members.ownerExists()) ? null : randomBytes(24).toString('base64url');
  const ctx: WebContext = {
    config,
    services,
    render,
    cookies,
    uploadsDir,
    federation,
    setup: {
      token: () => setupToken,
      done: () => {
        setupToken = null;
      },
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.server.trust_proxy);
  app.use(securityHeaders(config));
  app.get('/healthz', (_req, res) => {
    try {
      database.sqlite.prepare('select 1').get();
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'database unavailable' });
    }
  });
  app.use('/static', express.static(staticDir, { maxAge: '1d', index: false }));
  app.use('/uploads', express.static(uploadsDir, { maxAge: '7d', index: false, dotfiles: 'deny', setHeaders: (res) => res.set('Content-Security-Policy', "default-src 'none'") }));

  // Before the body parsers and CSRF: inboxes need the raw body and are signed, not cookie-authenticated.
  if (federation) app.use(federation.router);

  // Who is logged in is known before anything that reads the body can fail, so every error
  // page (a 413 from the parsers included) shows the member's own header.
  app.use(cookies.middleware);
  const bodyLimit = formBodyLimitBytes(config);
  app.use(express.urlencoded({ extended: false, limit: bodyLimit, parameterLimit: 200 }));
  app.use(express.json({ limit: bodyLimit }));
  const upload = multer({
    storage: multer.memoryStorage(),
    // A ceiling far above avatar_max_kb: an image over that limit is refused beside its field
    // by checkImage, the rest of the form kept; only a huge upload gets the 413 page.
    limits: { fileSize: config.limits.avatar_max_kb * 1024 * 8, files: 2, fields: 20, fieldSize: bodyLimit, parts: 25 },
  }).any();
  // A body the multipart parser cannot read (a cut-off or forged form) is the sender's fault:
  // 400 with the form's header, not a logged 500. Multer's own limit errors keep their status.
  app.use((req, res, next) =>
    req.is('multipart/form-data')
      ? upload(req, res, (err?: unknown) => next(err && !(err instanceof multer.MulterError) ? new DomainError('bad_upload', 400, 'That form could not be read: send it again from the page.') : err))
      : next(),
  );
  app.use(csrf.verify);
  // The bell in the header shows how many notifications a member has not read.
  app.use((req, res, next) => {
    if (!req.member || req.method !== 'GET') return next();
    services.notifications.unread(req.member.id).then((n) => {
      res.locals.unread = n;
      next();
    }, next);
  });

  app.use(setupRoutes(ctx));
  app.use(authRoutes(ctx));
  app.use(memberRoutes(ctx));
  app.use(adminRoutes(ctx));
  app.use(federationWebRoutes(ctx));
  app.use(remoteAvatarRoutes(ctx));
  app.use(economyRoutes(ctx));
  app.use(rewardRoutes(ctx));
  app.use(notificationRoutes(ctx));
  app.use(eventRoutes(ctx));
  app.use(ideaRoutes(ctx));
  app.use(qaRoutes(ctx));
  app.use(reviewRoutes(ctx));
  app.use(storyRoutes(ctx));
  app.use(communityRoutes(ctx));
  app.use(notFoundHandler);
  app.use(errorHandler(render, { maxBodyKb: Math.round(bodyLimit / 1024), avatarMaxKb: config.limits.avatar_max_kb * 8 }));

  return {
    app,
    config,
    services,
    database,
    federation,
    setupPath: () => (setupToken ? `/setup?token=${setupToken}` : null),
    close: async () => {
      await federation?.stop();
      await services.earning.idle();
      await services.notificationSubscribers.idle();
      await database.close();
    },
  };
}

/**
 * Headers on every response (pages, documents, /healthz). Pages use no inline script or
 * style, so a strict policy costs nothing and stops injected markup. Under an https URL,
 * Strict-Transport-Security (RFC 6797) keeps browsers from trying plain http again for
 * `server.hsts_max_age` seconds; over http browsers ignore it (RFC 6797 §8.1), so it is not sent.
 */
function securityHeaders(config: Config): RequestHandler {
  const headers: Record<string, string> = {
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Content-Security-Policy':
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  };
  if (config.server.url.startsWith('https:') && config.server.hsts_max_age > 0) headers['Strict-Transport-Security'] = `max-age=${config.server.hsts_max_age}`;
  return (_req, res, next) => {
    res.set(headers);
    next();
  };
}
