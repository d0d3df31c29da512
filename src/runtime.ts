// Composition: config → database, rates, payment methods and the use-case Deps; and the
// long-running parts a `serve` process starts (HTTP, watchers, workers) with graceful shutdown.

import pino from 'pino';
import type { Config } from './config.ts';
import { sqlitePath } from './config.ts';
import { systemClock } from './core/clock.ts';
import type { Clock } from './core/clock.ts';
import type { Logger } from './core/logger.ts';
import type { RateProvider } from './core/rate.ts';
import { migrate, openDatabase } from './storage/database.ts';
import { Store } from './storage/store.ts';
import { createRateProvider } from './rates/create-rate-provider.ts';
import { ratesConfigFromEnv } from './rates/rates-config.ts';
import { SandboxMethod, sandboxSpecs } from './methods/sandbox/sandbox-method.ts';
import { KnownMethodSpecs, Rails } from './methods/registry.ts';
import type { RailPlugin } from './methods/plugin.ts';
import { ConfigError } from './core/errors.ts';
import type { Env } from './core/mode.ts';
import type { MethodSpec } from './core/methods.ts';
import { parseDecimal } from './core/money.ts';
import type { ConfirmationTier } from './usecases/method-registry.ts';
import type { Deps } from './usecases/deps.ts';
import { MethodRegistry } from './usecases/method-registry.ts';
import { createUseCases } from './usecases/use-cases.ts';
import type { UseCases } from './usecases/use-cases.ts';

export interface Runtime {
  readonly config: Config;
  /** For the composition root and the loops that live in usecases/ (watchers, workers). */
  readonly deps: Deps;
  /** What http, web, cli and webhooks are given: use cases, never the Store. */
  readonly useCases: UseCases;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination: 1 | 2 = 1): Logger {
  return pino({ level: config.logLevel, base: { service: 'coffer' } }, pino.destination(destination)) as unknown as Logger;
}

/**
 * COFFER_CONFIRMATION_TIERS="bitcoin>0.5=3,bitcoin>5=6,ethereum>10=12": above an amount (in
 * whole units of the method's asset) a payment needs more confirmations.
 */
export function confirmationTiers(env: Env, spec: MethodSpec): ConfirmationTier[] {
  const setting = 'COFFER_CONFIRMATION_TIERS';
  const tiers: ConfirmationTier[] = [];
  for (const part of (env[setting] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z0-9_]+)>([0-9.]+)=(\d+)$/.exec(part);
    if (!match) throw new ConfigError(setting, `expected entries like "bitcoin>0.5=3", got "${part}"`);
    if (match[1] !== spec.id) continue;
    try {
      tiers.push({ amountUnits: parseDecimal(match[2]!, spec.unitScale), confirmations: Number(match[3]) });
    } catch {
      throw new ConfigError(setting, `"${match[2]}" is not an amount of ${spec.asset}`);
    }
  }
  return tiers;
}

/** What turns the rails on, for messages: "COFFER_BITCOIN_*, COFFER_LIGHTNING_*, ... or COFFER_SOLANA_*". */
export function railSettingsText(rails: readonly RailPlugin[] = Rails): string {
  const names = rails.map((r) => r.settings);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/**
 * The configured methods. Sandbox mode serves every method of every rail through the sandbox;
 * otherwise each rail in the registry reads its own settings and, when on, builds its adapter
 * (its start-up checks throw ConfigError naming the setting). Amount tiers apply to every method
 * but those that settle at once.
 */
export async function buildMethods(config: Config, clock: Clock, log: Logger, rails: readonly RailPlugin[] = Rails): Promise<MethodRegistry> {
  const registry = new MethodRegistry(KnownMethodSpecs);
  const tiersOf = (spec: MethodSpec): ConfirmationTier[] => (spec.settlesAtOnce === true ? [] : confirmationTiers(config.env, spec));
  if (config.mode === 'sandbox') {
    const sandbox = new SandboxMethod(rails, clock);
    for (const spec of sandboxSpecs(rails)) registry.add({ spec, adapter: sandbox, tiers: tiersOf(spec) });
    return registry;
  }
  for (const plugin of rails) {
    const railConfig = plugin.configure({ env: config.env, mode: config.mode, file: config.file });
    if (railConfig === null) continue;
    const { adapter, specs } = await plugin.create(railConfig, { clock, log });
    for (const spec of specs) registry.add({ spec, adapter, tiers: tiersOf(spec) });
  }
  if (registry.ids().length === 0) {
    log.warn({ mode: config.mode }, `no payment method is configured: set ${railSettingsText(rails)} (see docs/configuration.md)`);
  }
  return registry;
}

export interface RuntimeOverrides {
  readonly clock?: Clock;
  readonly log?: Logger;
  readonly rates?: RateProvider;
  readonly methods?: MethodRegistry;
  /** PostgreSQL schema (tests). */
  readonly schema?: string;
}

export async function openRuntime(config: Config, overrides: RuntimeOverrides = {}): Promise<Runtime> {
  const clock = overrides.clock ?? systemClock;
  const log = overrides.log ?? createLogger(config);
  const db = await openDatabase({
    databaseUrl: config.databaseUrl ?? undefined, sqlitePath: sqlitePath(config), poolSize: config.databasePoolSize,
    preparedStatements: config.databasePreparedStatements,
    ...(overrides.schema ? { schema: overrides.schema } : {}),
  });
  try {
    const applied = await migrate(db);
    if (applied.length > 0) log.info({ applied }, 'database migrated');
    const store = new Store(db);
    const rates = overrides.rates ?? createRateProvider(ratesConfigFromEnv(config.env, config.mode), { clock, log });
    const methods = overrides.methods ?? await buildMethods(config, clock, log);
    const deps: Deps = {
      store, clock, log, rates, methods,
      settings: {
        invoiceExpiryMs: config.invoiceExpiryMs, monitoringWindowMs: config.monitoringWindowMs,
        depositMaxMinor: config.depositMaxMinor, depositMinMinor: config.depositMinMinor, sandbox: config.mode === 'sandbox',
      },
    };
    return {
      config, deps, useCases: createUseCases(deps),
      close: async () => {
        for (const adapter of methods.adapters()) await adapter.close?.();
        await store.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
