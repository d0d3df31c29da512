// The bitcoin method as the composition root builds it (runtime.buildMethods), against a bcoin
// regtest node: real adapter, spec with the configured confirmations and confirmation tiers.

import type { Clock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { KnownMethodSpecs as DefaultMethodSpecs } from '../../src/methods/registry.ts';
import type { MethodSpec } from '../../src/core/methods.ts';
import { bitcoinConfigFromEnv } from '../../src/methods/bitcoin/config.ts';
import { createBitcoinMethod } from '../../src/methods/bitcoin/create-bitcoin-method.ts';
import type { BitcoinMethod } from '../../src/methods/bitcoin/create-bitcoin-method.ts';
import { confirmationTiers } from '../../src/runtime.ts';
import { MethodRegistry } from '../../src/usecases/method-registry.ts';
import { testTpub } from './bcoin-wallet.ts';

export interface BitcoinRegistry {
  readonly registry: MethodRegistry;
  readonly adapter: BitcoinMethod;
}

/** Registry with the real bitcoin adapter; `env` adds settings such as COFFER_CONFIRMATION_TIERS. */
export async function bitcoinRegistry(rpcUrl: string, clock: Clock, seedByte: number, env: Record<string, string> = {}): Promise<BitcoinRegistry> {
  const fullEnv = { COFFER_BITCOIN_RPC_URL: rpcUrl, COFFER_BITCOIN_XPUB: testTpub(seedByte), COFFER_BITCOIN_POLL_INTERVAL_MS: '25',
    // A replaced payment is reported gone after half a second here (tests wait for it); the
    // lagging-replica test runs with the default grace.
    COFFER_BITCOIN_MEMPOOL_GONE_GRACE_MS: '500', ...env };
  const config = bitcoinConfigFromEnv(fullEnv, 'regtest');
  if (!config) throw new Error('bitcoin not configured');
  const adapter = await createBitcoinMethod(config, { clock, log: silentLogger });
  const base = DefaultMethodSpecs.find((s) => s.id === 'bitcoin') as MethodSpec;
  const spec: MethodSpec = { ...base, confirmations: config.confirmations, network: config.network };
  const registry = new MethodRegistry();
  registry.add({ spec, adapter, tiers: confirmationTiers(fullEnv, spec) });
  return { registry, adapter };
}
