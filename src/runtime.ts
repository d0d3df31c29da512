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
import { SandboxMethod, sandboxSpecs } from './methods/sandbox/sandbox-method.ts';
import { bitcoinConfigFromEnv } from './methods/bitcoin/config.ts';
import { createBitcoinMethod } from './methods/bitcoin/create-bitcoin-method.ts';
import { lightningConfigFromEnv } from './methods/lightning/lightning-config.ts';
import { createLightningMethod } from './methods/lightning/lightning-method.ts';
import { evmConfigFromEnv } from './methods/evm/config-env.ts';
import { evmConfigFromSettings, evmMethodSpecs } from './methods/evm/config.ts';
import type { EvmSettings } from './methods/evm/config.ts';
import { createEvmMethod } from './methods/evm/evm-method.ts';
import { solanaConfigFromEnv } from './methods/solana/config.ts';
import { createSolanaMethod, SOLANA_METHOD_ID, solanaMethodSpec } from './methods/solana/solana-method.ts';
import { TRON_METHOD_ID, tronConfigFromEnv } from './methods/tron/config.ts';
import { createTronMethod, tronMethodSpec } from './methods/tron/tron-method.ts';
import { ConfigError } from './core/errors.ts';
import type { Env } from './core/mode.ts';
import type { MethodSpec } from './core/methods.ts';
import { parseDecimal } from './core/money.ts';
import type { ConfirmationTier } from './usecases/method-registry.ts';
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

function defaultSpec(id: string): MethodSpec {
  const spec = DefaultMethodSpecs.find((s) => s.id === id);
  if (!spec) throw new Error(`no default spec for ${id}`);
  return spec;
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

export async function buildMethods(config: Config, clock: Clock, log: Logger): Promise<MethodRegistry> {
  const registry = new MethodRegistry();
  if (config.mode === 'sandbox') {
    const specs = sandboxSpecs(DefaultMethodSpecs);
    const sandbox = new SandboxMethod(specs, clock);
    for (const spec of specs) registry.add({ spec, adapter: sandbox, tiers: confirmationTiers(config.env, spec) });
    return registry;
  }
  const bitcoin = bitcoinConfigFromEnv(config.env, config.mode);
  if (bitcoin) {
    const adapter = await createBitcoinMethod(bitcoin, { clock, log });
    const spec: MethodSpec = { ...defaultSpec('bitcoin'), confirmations: bitcoin.confirmations, network: bitcoin.network };
    registry.add({ spec, adapter, tiers: confirmationTiers(config.env, spec) });
  }
  const lightning = lightningConfigFromEnv(config.env, config.mode);
  if (lightning) {
    const adapter = await createLightningMethod(lightning, { clock, log });
    const spec = defaultSpec('lightning');
    registry.add({ spec, adapter, tiers: [] });
  }
  const evm = config.file['evm'] !== undefined
    ? evmConfigFromSettings(config.file['evm'] as EvmSettings, config.mode)
    : evmConfigFromEnv(config.env, config.mode);
  if (evm) {
    const adapter = await createEvmMethod(evm, { clock, log });
    for (const spec of evmMethodSpecs(evm)) registry.add({ spec, adapter, tiers: confirmationTiers(config.env, spec) });
  }
  const solana = solanaConfigFromEnv(config.env, config.mode);
  if (solana) {
    const adapter = await createSolanaMethod(solana, { clock, log });
    const spec = solanaMethodSpec(defaultSpec(SOLANA_METHOD_ID), solana);
    registry.add({ spec, adapter, tiers: confirmationTiers(config.env, spec) });
  }
  const tron = tronConfigFromEnv(config.env, config.mode);
  if (tron) {
    const adapter = await createTronMethod(tron, { clock, log });
    const spec = tronMethodSpec(defaultSpec(TRON_METHOD_ID), tron);
    registry.add({ spec, adapter, tiers: confirmationTiers(config.env, spec) });
  }
  if (registry.ids().length === 0) {
    log.warn({ mode: config.mode }, 'no payment method is configured: set COFFER_BITCOIN_*, COFFER_LIGHTNING_*, COFFER_EVM_*, COFFER_SOLANA_* or COFFER_TRON_* (see docs/configuration.md)');
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
