#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { createHearth } from './app.js';
import { formatHandle } from './community/handle.js';
import { isRole } from './community/roles.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { DomainError, ValidationError } from './core/errors.js';
import { formatTime } from './core/format.js';
import { collectOnceQuiet } from './core/idle-memory.js';
import { logger } from './core/logger.js';
import { DatabaseMissingError, databaseFile, openDatabase } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import type { Db } from './db/schema.js';
import { createServices } from './services.js';

const HELP = `Hearth: a self-hosted, federated community server.

Usage: hearth <command> [options]

Commands:
  serve                         start the server (runs pending migrations first)
  migrate                       run pending database migrations and exit
  member create <handle> --role owner|admin|moderator|member [--display-name NAME] [--password-stdin]
                                create an active member; prints a one-time password
                                unless --password-stdin reads one from standard input
  member list                   list members with their role and status
  member reset-password <handle> [--password-stdin]
                                set a new password and end the member's sessions
  voucher verify <CODE>         look a reward voucher up (its short code, or the token
                                in its QR code): what it is, for whom, until when; uses
                                nothing; exits 1 if it is unknown, already used or expired
  voucher use <CODE>            mark a voucher used, once; exits 1 if it cannot be
  economy audit [--repair]      recompute every balance and kept standing total (earned
                                per period, badge counts, reputation) from the ledger and
                                name each difference; exits 1 if there is one. --repair
                                rebuilds the standing totals from the ledger first

Configuration comes from config.toml (--config FILE or HEARTH_CONFIG names another
file); every key section.key can be overridden by HEARTH_SECTION_KEY, e.g.
HEARTH_SERVER_PORT=8099. Only serve and migrate create the database; every other command
works on an existing one (the server's data directory, server.data_dir).
`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/**
 * Runs `fn` on the server's database. Only `migrate` (and `serve`) may create it: any other
 * command run where there is none would answer from an empty community (a real voucher
 * "unknown", a member "not found"), so it stops with DatabaseMissingError instead.
 */
async function withServices<T>(config: Config, fn: (s: ReturnType<typeof createServices>, db: Db) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  const database = openDatabase(databaseFile(config.server.data_dir), { create: options.create ?? false });
  try {
    await migrateToLatest(database.db);
    return await fn(createServices(database.db, config), database.db);
  } finally {
    await database.close();
  }
}

async function serve(config: Config): Promise<void> {
  const hearth = await createHearth(config);
  const server: Server = hearth.app.listen(config.server.port, config.server.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new ConfigError(`server.port: port ${config.server.port} is already in use; choose another with HEARTH_SERVER_PORT`) : err),
    );
  });
  logger.info(`Hearth "${config.community.name}" is serving ${config.server.url} (listening on ${config.server.host}:${config.server.port})`);
  const setup = hearth.setupPath();
  if (setup) {
    // Printed on standard output on purpose: it is the owner's way in on first run.
    process.stdout.write(`\nNo owner yet. Open this one-time link to create the owner account:\n  ${config.server.url}${setup}\n\n`);
  }
  // Deliveries queued before a crash or restart go out now.
  hearth.federation?.start();
  let requests = 0;
  server.on('request', () => requests++);
  // Hand back what start-up grew once the server is quiet (core/idle-memory.ts).
  const collector = collectOnceQuiet(() => requests);
  const purge = setInterval(() => hearth.services.sessions.purgeExpired().catch((err) => logger.warn('session purge failed', err)), 3600_000);
  purge.unref();
  // Daily digests: checked every quarter hour, each member gets at most one a day.
  const digest = hearth.services.digest.available
    ? setInterval(() => hearth.services.digest.run().catch((err) => logger.warn('digest run failed', err)), 15 * 60_000)
    : null;
  digest?.unref();
  const stop = (signal: string) => {
    logger.info(`${signal}: shutting down`);
    clearInterval(purge);
    if (digest) clearInterval(digest);
    collector.stop();
    server.close(() => {
      hearth.close().finally(() => process.exit(0));
    });
    // Idle keep-alive connections must not hold the shutdown open.
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function memberCommand(config: Config, args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      'display-name': { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
    },
  });
  const [sub, handle] = positionals;
  if (sub === 'list') {
    await withServices(config, async (s) => {
      const members = await s.members.list();
      if (members.length === 0) process.stdout.write('No members yet.\n');
      for (const m of members) process.stdout.write(`${m.handle.padEnd(30)} ${m.role.padEnd(10)} ${m.status.padEnd(10)} ${m.display_name}\n`);
    });
    return;
  }
  if ((sub === 'create' || sub === 'reset-password') && handle) {
    const generated = !values['password-stdin'];
    const password = generated ? randomBytes(15).toString('base64url') : await readStdin();
    await withServices(config, async (s) => {
      if (sub === 'create') {
        const role = values.role ?? 'member';
        if (!isRole(role)) throw new UsageError('--role must be owner, admin, moderator or member');
        const m = await s.members.create({ handle, displayName: values['display-name'], password, role });
        process.stdout.write(`Created ${m.role} ${formatHandle(m)}.\n`);
      } else {
        const m = await s.members.getByHandle(handle);
        await s.members.resetPassword(m.id, password);
        process.stdout.write(`New password set for ${formatHandle(m)}; their sessions have ended.\n`);
      }
    });
    if (generated) process.stdout.write(`One-time password (shown once, change it after logging in): ${password}\n`);
    return;
  }
  throw new UsageError('usage: hearth member create <handle> --role ROLE [--password-stdin] | member list | member reset-password <handle>');
}

/**
 * The counter's check from a terminal, in two steps like the web counter: `verify` looks a
 * voucher up and says what it is (exit 1 when it is unknown, used or expired) and uses
 * nothing; `use` marks it used, once.
 */
async function voucherCommand(config: Config, args: string[]): Promise<void> {
  const [sub, input] = args;
  if ((sub !== 'verify' && sub !== 'use') || !input) throw new UsageError('usage: hearth voucher verify <CODE> | hearth voucher use <CODE>');
  await withServices(config, async (s) => {
    const voucher = await s.rewards.find(input);
    if (!voucher) throw new DomainError('unknown_voucher', 404, 'No voucher has that code.');
    // Times on the community's clock, in the pages' style, with the zone named (a terminal has no viewer).
    const tz = config.community.timezone;
    const at = (iso: string) => `${formatTime(iso, tz)} (${tz})`;
    const what = `"${voucher.title}" for ${formatHandle(voucher)} (code ${voucher.code})`;
    if (voucher.used_at) throw new DomainError('already_used', 409, `${what} was already used on ${at(voucher.used_at)}.`);
    if (voucher.expires_at < new Date().toISOString()) throw new DomainError('expired', 409, `${what} expired on ${at(voucher.expires_at)}.`);
    if (sub === 'use') {
      await s.rewards.use(null, voucher.id);
      process.stdout.write(`Valid: ${what}. It is now marked used.\n`);
      return;
    }
    process.stdout.write(`Valid: ${what}, until ${at(voucher.expires_at)}; not used yet. Nothing was used: to use it, run hearth voucher use ${voucher.code}\n`);
  });
}

/**
 * `hearth economy audit [--repair]`: the economy audit (LedgerService.audit) from a
 * terminal. Answers the exit code: 0 when balances and standing agree with the ledger, 1
 * when anything differs (each difference printed). Balances are never repaired here: a
 * wrong balance is a bug to look at, while standing totals are derived and can be rebuilt.
 */
async function economyCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { repair: { type: 'boolean', default: false } } });
  if (positionals[0] !== 'audit' || positionals.length > 1) throw new UsageError('usage: hearth economy audit [--repair]');
  return withServices(config, async (s, db) => {
    if (values.repair) {
      await db.transaction().execute((trx) => s.standingTotals.rebuild(trx));
      process.stdout.write('Standing totals rebuilt from the ledger.\n');
    }
    const audit = await s.ledger.audit();
    for (const m of audit.mismatches) process.stdout.write(`balance of ${m.account}: kept ${m.cached}, the ledger says ${m.computed}\n`);
    for (const m of audit.standing) process.stdout.write(`${m.table} (${m.key}): kept ${m.kept}, ${m.table === 'standing_totals' ? 'the ledger' : 'the achievements'} say${m.table === 'standing_totals' ? 's' : ''} ${m.computed}\n`);
    if (audit.total !== 0) process.stdout.write(`all accounts sum to ${audit.total}, not 0\n`);
    const wrong = audit.mismatches.length + audit.standing.length + (audit.total !== 0 ? 1 : 0);
    process.stdout.write(wrong ? `${wrong} difference(s) found.${audit.standing.length && !values.repair ? ' Standing totals can be rebuilt: hearth economy audit --repair' : ''}\n` : 'Balances and standing agree with the ledger.\n');
    return wrong ? 1 : 0;
  });
}

class UsageError extends Error {}

/** `--config FILE` or `--config=FILE` anywhere after the command: the config file to read (as HEARTH_CONFIG names one). */
function configOption(args: string[]): { file: string | undefined; args: string[] } {
  const out: string[] = [];
  let file: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--config') {
      file = args[++i];
      if (!file) throw new UsageError('--config needs the path of a config.toml');
    } else if (a.startsWith('--config=')) file = a.slice('--config='.length);
    else out.push(a);
  }
  return { file, args: out };
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    const { file, args } = configOption(rest);
    rest.splice(0, rest.length, ...args);
    const config = loadConfig({ file });
    logger.setLevel(config.log.level);
    switch (command) {
      case 'serve':
        await serve(config);
        return -1; // keep running
      case 'migrate':
        await withServices(config, async () => undefined, { create: true });
        process.stdout.write(`Database at ${databaseFile(config.server.data_dir)} is up to date.\n`);
        return 0;
      case 'member':
        await memberCommand(config, rest);
        return 0;
      case 'voucher':
        await voucherCommand(config, rest);
        return 0;
      case 'economy':
        return await economyCommand(config, rest);
      default:
        process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    if (err instanceof ValidationError) {
      process.stderr.write(`${Object.entries(err.fields).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
      return 1;
    }
    if (err instanceof DomainError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    if (err instanceof DatabaseMissingError) {
      process.stderr.write(
        `${err.message} This command works on the server's own data and will not start an empty community.\n` +
          `Run it where the server keeps its data, or point it there: HEARTH_SERVER_DATA_DIR=/path/to/data, or --config /path/to/config.toml (the server's).\n` +
          `To start a new community here, run "hearth migrate" (or "hearth serve") first.\n`,
      );
      return 1;
    }
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && /^ERR_PARSE_ARGS/.test(err.code)) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    logger.error('hearth failed', err);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
