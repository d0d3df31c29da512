// Test wallet keys for the bitcoin method on regtest, an in-memory IndexAllocator, and helpers
// to build the adapter against a BcoinRegtest node and register targets with a watcher context.

import { HDKey } from '@scure/bip32';
import { silentLogger } from '../../src/core/logger.ts';
import { systemClock } from '../../src/core/clock.ts';
import { KnownMethodSpecs as DefaultMethodSpecs } from '../../src/methods/registry.ts';
import type { IndexAllocator, PaymentTarget } from '../../src/core/payment-method.ts';
import { bitcoinConfigFromEnv } from '../../src/methods/bitcoin/config.ts';
import { createBitcoinMethod } from '../../src/methods/bitcoin/create-bitcoin-method.ts';
import type { BitcoinMethod } from '../../src/methods/bitcoin/create-bitcoin-method.ts';
import type { MemoryWatcherContext } from './memory-watcher-context.ts';

const TPUB_VERSIONS = { private: 0x04358394, public: 0x043587cf };
const BITCOIN_SPEC = DefaultMethodSpecs.find((s) => s.id === 'bitcoin');

/** Account-level tpub (m/84'/1'/0') of a fixed test seed. */
export function testTpub(seedByte = 0x42): string {
  return HDKey.fromMasterSeed(new Uint8Array(32).fill(seedByte), TPUB_VERSIONS).derive("m/84'/1'/0'").publicExtendedKey;
}

export class CountingIndexes implements IndexAllocator {
  readonly #next = new Map<string, number>();
  async next(walletId: string): Promise<number> {
    const index = this.#next.get(walletId) ?? 0;
    this.#next.set(walletId, index + 1);
    return index;
  }
}

export async function regtestMethod(url: string, env: Record<string, string> = {}): Promise<BitcoinMethod> {
  const config = bitcoinConfigFromEnv({
    COFFER_BITCOIN_RPC_URL: url, COFFER_BITCOIN_XPUB: testTpub(), COFFER_BITCOIN_POLL_INTERVAL_MS: '25', COFFER_BITCOIN_MEMPOOL_GONE_GRACE_MS: '500', ...env,
  }, 'regtest');
  if (!config) throw new Error('bitcoin not configured');
  return createBitcoinMethod(config, { clock: systemClock, log: silentLogger });
}

let invoiceSeq = 0;

/** Allocates a target for an invoice and starts watching it in `ctx`. */
export async function watchNewTarget(method: BitcoinMethod, indexes: IndexAllocator, ctx: MemoryWatcherContext, priceSat: bigint | null): Promise<PaymentTarget> {
  if (!BITCOIN_SPEC) throw new Error('no bitcoin spec');
  const invoiceId = `inv_${++invoiceSeq}`;
  const target = await method.createTarget({
    invoiceId, method: BITCOIN_SPEC, priceUnits: priceSat, expiresAt: new Date(Date.now() + 3_600_000), description: `Deposit ${invoiceId}`,
  }, indexes);
  ctx.addTarget({ methodId: 'bitcoin', targetKey: target.targetKey, invoiceId, watchUntil: new Date(Date.now() + 86_400_000) });
  return target;
}
