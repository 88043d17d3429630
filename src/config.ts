import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { MembershipMode } from './community/member.service.js';
import { isTimeZone } from './core/timezone.js';

/**
 * Configuration: `config.toml` (path from HEARTH_CONFIG, default ./config.toml), then
 * HEARTH_SECTION_KEY environment overrides, validated once at start. Every key is
 * declared in FIELDS below; config.example.toml documents the same keys.
 */
export interface Config {
  /** hsts_max_age: seconds browsers keep to https after a visit (Strict-Transport-Security, RFC 6797); 0 = not sent; only under an https url. */
  server: { url: string; host: string; port: number; data_dir: string; trust_proxy: boolean; hsts_max_age: number };
  community: { name: string; handle: string; description: string; rules: string; timezone: string };
  membership: { mode: MembershipMode };
  limits: {
    max_post_chars: number;
    max_body_kb: number;
    avatar_max_kb: number;
    login_attempts_per_ip: number;
    login_attempts_per_account: number;
    signups_per_ip: number;
  };
  log: { level: 'debug' | 'info' | 'warn' | 'error' };
  /** Outgoing mail (the daily digest); an empty smtp_host means e-mail is off. */
  email: { smtp_host: string; smtp_port: number; smtp_secure: boolean; smtp_user: string; smtp_password: string; from: string };
  /** Optional parts of the community; one switched off leaves no trace. */
  modules: { events: boolean; polls: boolean; ideas: boolean; qa: boolean; reviews: boolean; submissions: boolean };
  /** Story submissions: whether visitors (with an e-mail address) may send one too. */
  submissions: { visitors: boolean };
  economy: {
    enabled: boolean;
    currency_name: string;
    currency_plural: string;
    symbol: string;
    /** Most a member can earn in one day, over all rules. */
    daily_cap: number;
    gifts: boolean;
    expert_threshold: number;
    /** Days a voucher stays valid after a redemption. */
    voucher_days: number;
    /** Levels by currency earned over all time, lowest first (the first starts at 0). */
    levels: Level[];
    badges: BadgeRule[];
    earn: Record<EarnRule, number>;
    /** Most a member can earn from one rule in one day. */
    cap: Record<EarnRule, number>;
  };
  federation: {
    enabled: boolean;
    mode: 'blocklist' | 'allowlist';
    blocked_domains: string[];
    allowed_domains: string[];
    authorized_fetch: boolean;
    allow_private_addresses: boolean;
    delivery_concurrency: number;
    delivery_per_host: number;
    /** The largest activity an inbox accepts, in KB; bigger bodies are refused (413) unread. */
    max_activity_kb: number;
  };
}

/** What members earn currency for; amounts and daily caps per rule are in [economy.earn] and [economy.cap]. */
export const EARN_RULES = [
  'post', 'reply', 'reaction_received', 'accepted_answer', 'event_attended', 'idea_shipped', 'story_published', 'invite_accepted',
] as const;
export type EarnRule = (typeof EARN_RULES)[number];

/** A level members reach once they have earned `from` over all time. */
export interface Level {
  name: string;
  from: number;
}

/** A badge given once, automatically, when a member has done `rule` `count` times. */
export interface BadgeRule {
  id: string;
  name: string;
  description: string;
  rule: EarnRule;
  count: number;
}

/** One line, naming the key and what is allowed: main prints it and exits. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Kind =
  | { type: 'string'; pattern?: RegExp; patternHelp?: string; maxLength?: number }
  | { type: 'url' }
  | { type: 'int'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'domains' }
  | { type: 'timezone' }
  | { type: 'levels' }
  | { type: 'badges' };

interface Field {
  /** A top-level table, or a nested one written with a dot ("economy.earn"). */
  section: string;
  key: string;
  kind: Kind;
  default: string | number | boolean | string[] | Level[] | BadgeRule[];
}

/** Default amount and daily cap per rule: small, steady rewards for taking part. */
const EARN_DEFAULTS: Record<EarnRule, [number, number]> = {
  post: [5, 25],
  reply: [2, 20],
  reaction_received: [1, 20],
  accepted_answer: [10, 50],
  event_attended: [10, 30],
  idea_shipped: [20, 40],
  story_published: [15, 30],
  invite_accepted: [10, 50],
};

const FIELDS: Field[] = [
  { section: 'server', key: 'url', kind: { type: 'url' }, default: 'http://localhost:8080' },
  { section: 'server', key: 'host', kind: { type: 'string', maxLength: 255 }, default: '127.0.0.1' },
  { section: 'server', key: 'port', kind: { type: 'int', min: 1, max: 65535 }, default: 8080 },
  { section: 'server', key: 'data_dir', kind: { type: 'string', maxLength: 4096 }, default: './data' },
  { section: 'server', key: 'trust_proxy', kind: { type: 'bool' }, default: false },
  { section: 'server', key: 'hsts_max_age', kind: { type: 'int', min: 0, max: 63072000 }, default: 31536000 },
  { section: 'community', key: 'name', kind: { type: 'string', maxLength: 100 }, default: 'Hearth' },
  {
    section: 'community',
    key: 'handle',
    kind: { type: 'string', pattern: /^[a-z0-9_]{1,30}$/, patternHelp: '1-30 of a-z, 0-9 and _' },
    default: 'community',
  },
  { section: 'community', key: 'description', kind: { type: 'string', maxLength: 2000 }, default: 'A community on Hearth.' },
  { section: 'community', key: 'rules', kind: { type: 'string', maxLength: 10000 }, default: 'Be kind. Stay on topic. No spam.' },
  { section: 'community', key: 'timezone', kind: { type: 'timezone' }, default: 'UTC' },
  { section: 'membership', key: 'mode', kind: { type: 'enum', values: ['open', 'approval', 'invite'] }, default: 'open' },
  { section: 'limits', key: 'max_post_chars', kind: { type: 'int', min: 100, max: 100000 }, default: 20000 },
  { section: 'limits', key: 'max_body_kb', kind: { type: 'int', min: 16, max: 10240 }, default: 1024 },
  { section: 'limits', key: 'avatar_max_kb', kind: { type: 'int', min: 16, max: 10240 }, default: 1024 },
  { section: 'limits', key: 'login_attempts_per_ip', kind: { type: 'int', min: 1, max: 100000 }, default: 30 },
  { section: 'limits', key: 'login_attempts_per_account', kind: { type: 'int', min: 1, max: 100000 }, default: 10 },
  { section: 'limits', key: 'signups_per_ip', kind: { type: 'int', min: 1, max: 100000 }, default: 10 },
  { section: 'log', key: 'level', kind: { type: 'enum', values: ['debug', 'info', 'warn', 'error'] }, default: 'info' },
  { section: 'email', key: 'smtp_host', kind: { type: 'string', maxLength: 255 }, default: '' },
  { section: 'email', key: 'smtp_port', kind: { type: 'int', min: 1, max: 65535 }, default: 587 },
  { section: 'email', key: 'smtp_secure', kind: { type: 'bool' }, default: false },
  { section: 'email', key: 'smtp_user', kind: { type: 'string', maxLength: 255 }, default: '' },
  { section: 'email', key: 'smtp_password', kind: { type: 'string', maxLength: 1024 }, default: '' },
  { section: 'email', key: 'from', kind: { type: 'string', maxLength: 255 }, default: '' },
  { section: 'modules', key: 'events', kind: { type: 'bool' }, default: true },
  { section: 'modules', key: 'polls', kind: { type: 'bool' }, default: true },
  { section: 'modules', key: 'ideas', kind: { type: 'bool' }, default: true },
  { section: 'modules', key: 'qa', kind: { type: 'bool' }, default: true },
  { section: 'modules', key: 'reviews', kind: { type: 'bool' }, default: true },
  { section: 'modules', key: 'submissions', kind: { type: 'bool' }, default: true },
  { section: 'submissions', key: 'visitors', kind: { type: 'bool' }, default: false },
  { section: 'economy', key: 'enabled', kind: { type: 'bool' }, default: true },
  { section: 'economy', key: 'currency_name', kind: { type: 'string', pattern: /^.{1,40}$/u, patternHelp: '1 to 40 characters' }, default: 'point' },
  { section: 'economy', key: 'currency_plural', kind: { type: 'string', pattern: /^.{1,40}$/u, patternHelp: '1 to 40 characters' }, default: 'points' },
  { section: 'economy', key: 'symbol', kind: { type: 'string', maxLength: 8 }, default: '★' },
  { section: 'economy', key: 'daily_cap', kind: { type: 'int', min: 0, max: 1_000_000 }, default: 100 },
  { section: 'economy', key: 'gifts', kind: { type: 'bool' }, default: true },
  { section: 'economy', key: 'expert_threshold', kind: { type: 'int', min: 1, max: 1_000_000 }, default: 50 },
  { section: 'economy', key: 'voucher_days', kind: { type: 'int', min: 1, max: 3650 }, default: 30 },
  {
    section: 'economy',
    key: 'levels',
    kind: { type: 'levels' },
    default: [
      { name: 'Newcomer', from: 0 },
      { name: 'Regular', from: 50 },
      { name: 'Insider', from: 250 },
      { name: 'Pillar', from: 1000 },
    ],
  },
  {
    section: 'economy',
    key: 'badges',
    kind: { type: 'badges' },
    default: [
      { id: 'first_post', name: 'First post', description: 'Started a first thread', rule: 'post', count: 1 },
      { id: 'conversationalist', name: 'Conversationalist', description: 'Replied 25 times', rule: 'reply', count: 25 },
      { id: 'helper', name: 'Helper', description: '10 accepted answers', rule: 'accepted_answer', count: 10 },
      { id: 'regular', name: 'Regular', description: 'Attended 5 events', rule: 'event_attended', count: 5 },
      { id: 'crowd_favourite', name: 'Crowd favourite', description: '100 reactions received', rule: 'reaction_received', count: 100 },
    ],
  },
  ...EARN_RULES.map((key): Field => ({ section: 'economy.earn', key, kind: { type: 'int', min: 0, max: 100_000 }, default: EARN_DEFAULTS[key][0] })),
  ...EARN_RULES.map((key): Field => ({ section: 'economy.cap', key, kind: { type: 'int', min: 0, max: 1_000_000 }, default: EARN_DEFAULTS[key][1] })),
  { section: 'federation', key: 'enabled', kind: { type: 'bool' }, default: true },
  { section: 'federation', key: 'mode', kind: { type: 'enum', values: ['blocklist', 'allowlist'] }, default: 'blocklist' },
  { section: 'federation', key: 'blocked_domains', kind: { type: 'domains' }, default: [] },
  { section: 'federation', key: 'allowed_domains', kind: { type: 'domains' }, default: [] },
  { section: 'federation', key: 'authorized_fetch', kind: { type: 'bool' }, default: false },
  { section: 'federation', key: 'allow_private_addresses', kind: { type: 'bool' }, default: false },
  { section: 'federation', key: 'delivery_concurrency', kind: { type: 'int', min: 1, max: 256 }, default: 16 },
  { section: 'federation', key: 'delivery_per_host', kind: { type: 'int', min: 1, max: 64 }, default: 4 },
  { section: 'federation', key: 'max_activity_kb', kind: { type: 'int', min: 16, max: 4096 }, default: 256 },
];

/** A TOML array of tables with only the `keys` named, or JSON of one from the environment; else undefined. */
function tableList(raw: unknown, fromEnv: boolean, keys: string[]): Record<string, unknown>[] | undefined {
  let value = raw;
  if (fromEnv && typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  const isTable = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).every((k) => keys.includes(k));
  if (!Array.isArray(value) || !value.every(isTable)) return undefined;
  return value as Record<string, unknown>[];
}

/** A trimmed, non-empty string of at most `max` characters, or undefined. */
const text = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.trim() && v.trim().length <= max ? v.trim() : undefined);

const DOMAIN_PATTERN = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

export const envName = (section: string, key: string): string => `HEARTH_${section.replace(/\./g, '_')}_${key}`.toUpperCase();

function describe(kind: Kind): string {
  switch (kind.type) {
    case 'string':
      return kind.patternHelp ?? `text of at most ${kind.maxLength ?? 'any'} characters`;
    case 'url':
      return 'an http(s) URL such as https://community.example';
    case 'int':
      return `an integer from ${kind.min} to ${kind.max}`;
    case 'bool':
      return 'true or false';
    case 'enum':
      return `one of ${kind.values.join(', ')}`;
    case 'domains':
      return 'a list of domain names such as ["spam.example", "*.bad.example"] (comma-separated in the environment)';
    case 'timezone':
      return 'an IANA time zone such as "Europe/Paris" or "UTC"';
    case 'levels':
      return 'a list such as [{ name = "Newcomer", from = 0 }, { name = "Regular", from = 50 }]: names of 1 to 40 characters, each from above the last, the first from 0 (JSON in the environment)';
    case 'badges':
      return `a list of { id = "first_post", name = "First post", description = "...", rule = "post", count = 1 } with unique ids of a-z, 0-9 and _, a rule among ${EARN_RULES.join(', ')} and a count from 1 (JSON in the environment)`;
  }
}

/** Parses one value (from TOML, or a string from the environment) or says why not. */
function coerce(field: Field, raw: unknown, fromEnv: boolean): Field['default'] {
  const name = `${field.section}.${field.key}`;
  const fail = (): never => {
    // JSON for anything but a plain scalar, so an empty list reads `[]` rather than nothing.
    const shown = typeof raw === 'string' ? JSON.stringify(raw.length > 40 ? raw.slice(0, 40) + '…' : raw) : typeof raw === 'object' && raw !== null ? (JSON.stringify(raw) ?? String(raw)).slice(0, 60) : String(raw);
    const origin = fromEnv ? ` (from ${envName(field.section, field.key)})` : '';
    throw new ConfigError(`config: ${name}${origin} must be ${describe(field.kind)}, got ${shown}`);
  };
  const kind = field.kind;
  switch (kind.type) {
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < kind.min || n > kind.max) fail();
      return n;
    }
    case 'bool': {
      if (typeof raw === 'boolean') return raw;
      if (fromEnv && typeof raw === 'string' && ['true', 'false', '1', '0'].includes(raw.trim().toLowerCase())) {
        return ['true', '1'].includes(raw.trim().toLowerCase());
      }
      return fail();
    }
    case 'enum':
      if (typeof raw !== 'string' || !kind.values.includes(raw)) fail();
      return raw as string;
    case 'url': {
      if (typeof raw !== 'string') return fail();
      try {
        const u = new URL(raw);
        if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash) fail();
        return u.origin + u.pathname.replace(/\/+$/, '');
      } catch {
        return fail();
      }
    }
    case 'domains': {
      const items = fromEnv && typeof raw === 'string' ? raw.split(',').map((d) => d.trim()).filter(Boolean) : raw;
      if (!Array.isArray(items)) return fail();
      const domains = items.map((d) => (typeof d === 'string' ? d.trim().toLowerCase() : ''));
      if (domains.some((d) => !DOMAIN_PATTERN.test(d))) fail();
      return [...new Set(domains)];
    }
    case 'timezone':
      return typeof raw === 'string' && isTimeZone(raw.trim()) ? raw.trim() : fail();
    case 'levels': {
      const items = tableList(raw, fromEnv, ['name', 'from']);
      const levels = items?.map((l) => ({ name: text(l.name, 40), from: l.from }));
      if (!levels?.length) return fail();
      const ok = levels.every((l, i) => l.name && Number.isSafeInteger(l.from) && (i === 0 ? l.from === 0 : (l.from as number) > (levels[i - 1]!.from as number)));
      return ok ? (levels as Level[]) : fail();
    }
    case 'badges': {
      const items = tableList(raw, fromEnv, ['id', 'name', 'description', 'rule', 'count']);
      if (!items) return fail();
      const badges = items.map((b) => ({ id: b.id, name: text(b.name, 40), description: text(b.description ?? '', 200) ?? '', rule: b.rule, count: b.count }));
      const ok = badges.every(
        (b) => typeof b.id === 'string' && /^[a-z0-9_]{1,40}$/.test(b.id) && b.name && (EARN_RULES as readonly unknown[]).includes(b.rule) && Number.isSafeInteger(b.count) && (b.count as number) >= 1,
      );
      return ok && new Set(badges.map((b) => b.id)).size === badges.length ? (badges as BadgeRule[]) : fail();
    }
    case 'string':
      if (typeof raw !== 'string') fail();
      if (kind.pattern && !kind.pattern.test(raw as string)) fail();
      if (kind.maxLength !== undefined && (raw as string).length > kind.maxLength) fail();
      return raw as string;
  }
}

export interface LoadOptions {
  /** Path to config.toml; defaults to HEARTH_CONFIG or ./config.toml. A missing default file is fine. */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const explicit = options.file ?? env.HEARTH_CONFIG;
  const file = path.resolve(explicit ?? 'config.toml');
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = parseToml(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      throw new ConfigError(`config: ${file} is not valid TOML: ${first}`);
    }
  } else if (explicit !== undefined) {
    throw new ConfigError(`config: ${file} (named by --config or HEARTH_CONFIG) does not exist`);
  }
  return buildConfig(fromFile, env);
}

/** Validates a parsed TOML document plus environment overrides. Exported for tests. */
export function buildConfig(rawDoc: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Config {
  const known = new Map(FIELDS.map((f) => [`${f.section}.${f.key}`, f]));
  const sections = new Set(FIELDS.map((f) => f.section));
  const doc = flattenSections(rawDoc, sections);
  for (const [section, value] of Object.entries(doc)) {
    if (!sections.has(section)) {
      throw new ConfigError(`config: unknown section [${section}]; allowed: ${[...sections].join(', ')}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(`config: ${section} must be a [${section}] table`);
    }
    for (const key of Object.keys(value)) {
      if (!known.has(`${section}.${key}`)) {
        const allowed = FIELDS.filter((f) => f.section === section).map((f) => f.key);
        throw new ConfigError(`config: unknown key ${section}.${key}; allowed in [${section}]: ${allowed.join(', ')}`);
      }
    }
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const field of FIELDS) {
    const fromEnv = env[envName(field.section, field.key)];
    const fileValue = (doc[field.section] as Record<string, unknown> | undefined)?.[field.key];
    const value =
      fromEnv !== undefined ? coerce(field, fromEnv, true) : fileValue !== undefined ? coerce(field, fileValue, false) : field.default;
    const [top, sub] = field.section.split('.') as [string, string | undefined];
    const table = (out[top] ??= {});
    if (sub) ((table[sub] ??= {}) as Record<string, unknown>)[field.key] = value;
    else table[field.key] = value;
  }
  const config = out as unknown as Config;
  // With no explicit public URL, a changed port should still print working links.
  const urlGiven = env[envName('server', 'url')] !== undefined || (rawDoc.server as Record<string, unknown> | undefined)?.url !== undefined;
  if (!urlGiven) config.server.url = `http://localhost:${config.server.port}`;
  config.server.data_dir = path.resolve(config.server.data_dir);
  return config;
}

/** [economy.earn] arrives as doc.economy.earn: lift known nested tables to sections of their own. */
function flattenSections(doc: Record<string, unknown>, sections: Set<string>): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [section, value] of Object.entries(doc)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      flat[section] = value;
      continue;
    }
    const own: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      if (sections.has(`${section}.${key}`)) {
        if (typeof inner !== 'object' || inner === null || Array.isArray(inner)) throw new ConfigError(`config: ${section}.${key} must be a [${section}.${key}] table`);
        flat[`${section}.${key}`] = inner;
      } else {
        own[key] = inner;
      }
    }
    flat[section] = own;
  }
  return flat;
}

/** The defaults, for tests and tools that need a config without a file or environment. */
export const defaultConfig = (overrides: Record<string, Record<string, unknown>> = {}): Config => buildConfig(overrides, {});

export const configFields = (): readonly Field[] => FIELDS;
