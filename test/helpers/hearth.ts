import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { type Hearth, type HearthOptions, createHearth } from '../../src/app.js';
import { type Config, defaultConfig } from '../../src/config.js';
import { logger } from '../../src/core/logger.js';
import type { MemberRow } from '../../src/community/member.table.js';
import type { Role } from '../../src/community/roles.js';

logger.setLevel((process.env.HEARTH_LOG_LEVEL as 'error') ?? 'error');

export const PASSWORD = 'correct horse battery';

export interface TestHearth extends Hearth {
  dataDir: string;
  destroy(): Promise<void>;
}

type Overrides = { [section: string]: Record<string, unknown> };

/** A fresh Hearth on an in-memory database and a throw-away data directory. */
export async function makeHearth(overrides: Overrides = {}, options: HearthOptions = {}): Promise<TestHearth> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hearth-test-'));
  const config: Config = defaultConfig({ ...overrides, server: { data_dir: dataDir, ...(overrides.server ?? {}) } });
  const hearth = await createHearth(config, { databaseFile: ':memory:', passwordCost: 10, ...options });
  return {
    ...hearth,
    dataDir,
    async destroy() {
      await hearth.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** An active member with a known password; handle defaults to a fresh one. */
export async function makeMember(h: Hearth, opts: { handle?: string; role?: Role; displayName?: string } = {}): Promise<MemberRow> {
  counter += 1;
  return h.services.members.create({
    handle: opts.handle ?? `member${counter}`,
    displayName: opts.displayName,
    password: PASSWORD,
    role: opts.role ?? 'member',
  });
}

/** The DomainError code a service call fails with, or 'ok': for rules that refuse. */
export const codeOf = (p: Promise<unknown>): Promise<string | undefined> => p.then(() => 'ok', (e: { code?: string }) => e.code);

/** Waits until every award and notification started by events so far is written. */
export async function settleDomain(h: Hearth): Promise<void> {
  await h.services.notificationSubscribers.idle();
  await h.services.earning.idle();
}

export const generalSpace = async (h: Hearth) => h.services.spaces.getVisible(null, 'general');

/** The CSRF token of the first form on a page. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m?.[1]) throw new Error('no CSRF token on the page');
  return m[1];
}

export type Agent = ReturnType<typeof request.agent>;

/** A browser-like client: keeps cookies and reads CSRF tokens from the pages it loads. */
export async function loggedInAgent(h: Hearth, handle: string, password = PASSWORD): Promise<Agent> {
  const agent = request.agent(h.app);
  const page = await agent.get('/login').expect(200);
  await agent.post('/login').type('form').send({ _csrf: csrfFrom(page.text), handle, password }).expect(303);
  return agent;
}

/** Loads a page and posts a form from it, as a person clicking would. */
export async function submit(agent: Agent, pagePath: string, action: string, fields: Record<string, string>) {
  const page = await agent.get(pagePath);
  return agent.post(action).type('form').send({ _csrf: csrfFrom(page.text), ...fields });
}
