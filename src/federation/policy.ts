import { type Actor, atLeast } from '../community/roles.js';
import { DomainError, ValidationError, forbidden } from '../core/errors.js';
import { nowIso } from '../core/time.js';
import type { Db } from '../db/schema.js';
import type { FederationBlockRow } from './federation.table.js';

/** The longest note an admin may keep with a block, in characters. */
export const BLOCK_REASON_MAX = 500;
import { hostOf } from './host.js';

export interface PolicyConfig {
  mode: 'blocklist' | 'allowlist';
  blocked_domains: string[];
  allowed_domains: string[];
}

/** A domain matches itself and its subdomains; "*.example" only the subdomains. */
function matches(host: string, pattern: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return host === pattern || host.endsWith(`.${pattern}`);
}


/**
 * Who we talk to: the config's blocklist or allowlist, plus the blocks admins add from
 * the admin pages (whole domains or single remote accounts). Checked on every inbound
 * request before anything is stored, and on every outbound address.
 */
export class FederationPolicy {
  private blocks: FederationBlockRow[] | undefined;

  constructor(
    private readonly db: Db,
    private readonly config: PolicyConfig,
  ) {}

  async load(): Promise<void> {
    this.blocks = await this.db.selectFrom('federation_blocks').selectAll().orderBy('created_at', 'desc').execute();
  }

  /** Synchronous after load(): it runs on every inbound request and every delivery address. */
  allowsHost(host: string | null): boolean {
    if (!host) return false;
    const h = host.toLowerCase();
    const bare = h.replace(/:\d+$/, '');
    const any = (patterns: string[]) => patterns.some((p) => matches(h, p) || matches(bare, p));
    if (this.config.mode === 'allowlist' && !any(this.config.allowed_domains)) return false;
    if (any(this.config.blocked_domains)) return false;
    return !(this.blocks ?? []).some((b) => b.kind === 'domain' && (matches(h, b.value) || matches(bare, b.value)));
  }

  allowsActor(iri: string): boolean {
    if (!this.allowsHost(hostOf(iri))) return false;
    return !(this.blocks ?? []).some((b) => b.kind === 'actor' && b.value === iri);
  }

  list(): FederationBlockRow[] {
    return this.blocks ?? [];
  }

  async block(by: Actor, input: { kind: string; value: string; reason: string }): Promise<void> {
    if (!atLeast(by.role, 'admin')) throw forbidden('Only admins can block servers and accounts.');
    const kind = input.kind === 'actor' ? 'actor' : input.kind === 'domain' ? 'domain' : null;
    let value = input.value.trim();
    if (kind === 'domain') value = value.toLowerCase().replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    const valid = kind === 'domain' ? /^(\*\.)?[a-z0-9.-]+(:\d+)?$/.test(value) : kind === 'actor' && hostOf(value) !== null && /^https?:/.test(value);
    if (!valid) throw new DomainError('invalid_block', 422, 'Give a domain such as spam.example, or the full address of an account (https://…).');
    // Said, not cut: the admin's note is kept whole or refused.
    if (input.reason.trim().length > BLOCK_REASON_MAX) throw new ValidationError({ reason: `Keep the note under ${BLOCK_REASON_MAX} characters.` });
    await this.db
      .insertInto('federation_blocks')
      .values({ kind: kind!, value, reason: input.reason.trim(), created_by: by.id, created_at: nowIso() })
      .onConflict((oc) => oc.columns(['kind', 'value']).doUpdateSet({ reason: input.reason.trim() }))
      .execute();
    await this.load();
  }

  async unblock(by: Actor, kind: string, value: string): Promise<void> {
    if (!atLeast(by.role, 'admin')) throw forbidden('Only admins can lift blocks.');
    await this.db.deleteFrom('federation_blocks').where('kind', '=', kind as 'domain').where('value', '=', value).execute();
    await this.load();
  }
}
