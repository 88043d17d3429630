import type { Config } from '../config.js';
import type { Federation } from '../federation/federation.js';
import type { Services } from '../services.js';
import type { Render } from './render.js';
import type { SessionCookies } from './session.js';

/** What every web router gets from the composition root. */
export interface WebContext {
  config: Config;
  services: Services;
  render: Render;
  cookies: SessionCookies;
  uploadsDir: string;
  /** Null when federation is switched off in config. */
  federation: Federation | null;
  setup: { token(): string | null; done(): void };
}
