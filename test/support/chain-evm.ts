// The EVM method as the composition root builds it (evmConfigFromSettings → createEvmMethod →
// evmMethodSpecs into the registry), against the EDR nodes of an EvmFixture. Each world gets its
// own xpub so addresses one world used (and, e.g., gave reverting code) never reach another.

import type { Clock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';
import { evmConfigFromSettings, evmMethodSpecs } from '../../src/methods/evm/config.ts';
import { createEvmMethod } from '../../src/methods/evm/evm-method.ts';
import type { EvmMethodAdapter } from '../../src/methods/evm/evm-method.ts';
import { MethodRegistry } from '../../src/usecases/method-registry.ts';
import { ABANDON_MNEMONIC, testXpub } from './evm-fixture.ts';
import type { EvmFixture } from './evm-fixture.ts';

export interface EvmRegistry {
  readonly registry: MethodRegistry;
  readonly adapter: EvmMethodAdapter;
  /** The supervisor's name for this adapter's watcher (where its cursors are stored). */
  readonly watcherName: string;
}

export async function evmRegistry(fx: EvmFixture, clock: Clock, walletTag: string): Promise<EvmRegistry> {
  const config = evmConfigFromSettings({ ...fx.settings, xpub: testXpub(`${ABANDON_MNEMONIC} ${walletTag}`) }, 'regtest');
  const adapter = await createEvmMethod(config, { clock, log: silentLogger });
  const registry = new MethodRegistry();
  for (const spec of evmMethodSpecs(config)) registry.add({ spec, adapter, tiers: [] });
  return { registry, adapter, watcherName: `evm:${[...adapter.methodIds].sort().join(',')}` };
}
