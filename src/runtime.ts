// Composition: config → database, rates, payment methods and the use-case Deps; and the
// long-running parts a `serve` process starts (HTTP, watchers, workers) with graceful shutdown.

import pino from 'pino';
import type { Config } from './config.ts';
import { sqlitePath } from './config.ts';
import { systemClock } from './core/clock.ts';
import type { Clock } from './core/clock.ts';
import type { Logger } from './core/logger.ts';
import { DefaultMethodSpecs } from './core/methods.ts';
import type { RateProvider } from './core/rate.ts';
import { migrate, openDatabase } from './storage/database.ts';
import { Store } from './storage/store.ts';
import { createRateProvider } from './rates/create-rate-provider.ts';
import { ratesConfigFromEnv } from './rates/rates-config.ts';
import { SandboxMethod } from './methods/sandbox/sandbox-method.ts';
import type { Deps } from './usecases/deps.ts';
import { MethodRegistry } from './usecases/method-registry.ts';

export interface Runtime {
  readonly config: Config;
  readonly deps: Deps;
  close(): Promise<void>;
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination: 1 | 2 = 1): Logger {
  return pino({ level: config.logLevel, base: { service: 'coffer' } }, pino.destination(destination)) as unknown as Logger;
}

export async function buildMethods(config: Config, clock: Clock, log: Logger): Promise<MethodRegistry> {
  const registry = new MethodRegistry();
  if (config.mode === 'sandbox') {
    const sandbox = new SandboxMethod(DefaultMethodSpecs, clock);
    for (const spec of DefaultMethodSpecs) registry.add({ spec, adapter: sandbox, tiers: [] });
    return registry;
  }
  log.warn({ mode: config.mode }, 'no live payment methods are configured yet in this build');
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
      config, deps,
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
