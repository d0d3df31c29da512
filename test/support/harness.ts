// Test harness: a real store on SQLite (temp file) or PostgreSQL (a fresh schema dropped after),
// the sandbox methods, static rates, a manual clock, and the Fastify app for inject().
// Every storage and settlement suite runs once per dialect: `forEachDialect`.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { KnownMethodSpecs as DefaultMethodSpecs, Rails } from '../../src/methods/registry.ts';
import type { RateProvider } from '../../src/core/rate.ts';
import { migrate, openDatabase } from '../../src/storage/database.ts';
import type { Db } from '../../src/storage/database.ts';
import { Store } from '../../src/storage/store.ts';
import { SandboxMethod, sandboxSpecs } from '../../src/methods/sandbox/sandbox-method.ts';
import { createStaticSource, staticRateTable } from '../../src/rates/static-source.ts';
import { parsePriceText } from '../../src/rates/price-text.ts';
import { RateAggregator } from '../../src/rates/rate-aggregator.ts';
import { MethodRegistry } from '../../src/usecases/method-registry.ts';
import type { ConfirmationTier } from '../../src/usecases/method-registry.ts';
import type { Deps, SettlementSettings } from '../../src/usecases/deps.ts';
import { createUseCases } from '../../src/usecases/use-cases.ts';
import type { UseCases } from '../../src/usecases/use-cases.ts';
import { createAccount } from '../../src/usecases/manage-accounts.ts';
import { buildApp } from '../../src/http/app.ts';
import type { AppOptions } from '../../src/http/app.ts';

export type Dialect = 'sqlite' | 'postgres';

export const TEST_DATABASE_URL = process.env['TEST_DATABASE_URL'] ?? '';

/** The dialects this run covers: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export function dialects(): Dialect[] {
  return TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDb {
  readonly db: Db;
  readonly store: Store;
  readonly dialect: Dialect;
  /** Connection facts another process needs to open the same database. */
  readonly location: { sqlitePath?: string; databaseUrl?: string; schema?: string };
  close(): Promise<void>;
}

export async function openTestDb(dialect: Dialect): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-test-'));
    const sqlitePath = join(dir, 'coffer.db');
    const db = await openDatabase({ sqlitePath });
    await migrate(db);
    return {
      db, store: new Store(db), dialect, location: { sqlitePath },
      close: async () => { await db.close(); rmSync(dir, { recursive: true, force: true }); },
    };
  }
  const schema = `coffer_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 12 });
  await migrate(db);
  return {
    db, store: new Store(db), dialect, location: { databaseUrl: TEST_DATABASE_URL, schema },
    close: async () => {
      await db.close();
      const dropper = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await dropper.connect();
      await dropper.query(`drop schema ${schema} cascade`);
      await dropper.end();
    },
  };
}

/** The sandbox's static rate table, with overrides such as { 'BTC/USD': '50000' }. */
export function staticRates(table: Record<string, string> = {}): RateProvider {
  const overrides = Object.fromEntries(Object.entries(table).map(([pair, text]) => [pair, parsePriceText(text)]));
  return new RateAggregator({
    sources: [createStaticSource(staticRateTable(overrides))], minSources: 1, outlierBasisPoints: 500n, cacheTtlMs: 0, maxAgeMs: 60_000,
  }, { clock: { now: () => new Date() }, log: silentLogger });
}

export const defaultSettings: SettlementSettings = {
  invoiceExpiryMs: 30 * 60 * 1000,
  monitoringWindowMs: 7 * 24 * 3600 * 1000,
  depositMinMinor: { USD: 1n, EUR: 1n, BTC: 1n },
  depositMaxMinor: { USD: 10_000_000n, EUR: 10_000_000n, BTC: 1_000_000_000n },
  sandbox: true,
};

export interface World {
  readonly deps: Deps;
  /** What the app was built with (and what CLI commands and the webhook worker are given). */
  readonly useCases: UseCases;
  readonly clock: ManualClock;
  readonly testDb: TestDb;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly rates?: RateProvider;
  readonly settings?: Partial<SettlementSettings>;
  readonly app?: Partial<AppOptions>;
  readonly tiers?: readonly ConfirmationTier[];
  readonly clock?: ManualClock;
}

export function sandboxRegistry(clock: ManualClock, tiers: readonly ConfirmationTier[] = []): MethodRegistry {
  const registry = new MethodRegistry(DefaultMethodSpecs);
  const sandbox = new SandboxMethod(Rails, clock);
  for (const spec of sandboxSpecs(Rails)) registry.add({ spec, adapter: sandbox, tiers: spec.settlesAtOnce === true ? [] : tiers });
  return registry;
}

export async function openWorld(dialect: Dialect, options: WorldOptions = {}): Promise<World> {
  const testDb = await openTestDb(dialect);
  const clock = options.clock ?? new ManualClock(new Date());
  const deps: Deps = {
    store: testDb.store, clock, log: silentLogger, rates: options.rates ?? staticRates(), methods: sandboxRegistry(clock, options.tiers),
    settings: { ...defaultSettings, ...options.settings },
  };
  const useCases = createUseCases(deps);
  const { app } = await buildApp(useCases, { adminToken: 'test-admin-token-0123456789', rateLimitPerMinute: 0, logLevel: 'silent', ...options.app });
  await app.ready();
  return { deps, useCases, clock, testDb, app, close: async () => { await app.close(); await testDb.close(); } };
}

export interface TestAccount {
  readonly id: string;
  readonly headers: Record<string, string>;
}

export async function businessAccount(deps: Pick<Deps, 'store' | 'clock'>, currency = 'USD'): Promise<TestAccount> {
  const { account, issued } = await createAccount(deps, { type: 'business', currency });
  return { id: account.id, headers: { authorization: 'Basic ' + Buffer.from(`${issued.apiId}:${issued.apiSecret}`).toString('base64'), 'content-type': 'application/json' } };
}

export async function personalAccount(deps: Pick<Deps, 'store' | 'clock'>, currency = 'USD'): Promise<TestAccount> {
  const { account, issued } = await createAccount(deps, { type: 'personal', currency });
  return { id: account.id, headers: { authorization: `Bearer ${issued.apiKey}`, 'content-type': 'application/json' } };
}

/** How many website users are stored: read from the table itself (no store method exists for it). */
export async function countWebUsers(world: World): Promise<number> {
  const row = await world.testDb.db.kysely.selectFrom('web_users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The stored sign-in failure count of a throttle key, null when it has no row: read from the table itself. */
export async function throttleFailures(world: World, key: string): Promise<number | null> {
  const row = await world.testDb.db.kysely.selectFrom('web_login_throttle').select('failures').where('key', '=', key).executeTakeFirst();
  return row ? Number(row.failures) : null;
}
