import type { Config } from '../config.js';
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
  setup: { token(): string | null; done(): void };
}
