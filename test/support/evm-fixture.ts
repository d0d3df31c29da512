// Shared setup for EVM adapter suites: two real nodes (chain 1 and chain 8453; EDR in-process or
// anvil as a child process) with the test tokens and the ETH forwarder deployed, an adapter
// configured for them, and helpers to allocate watched targets.

import { HDKey } from '@scure/bip32';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import type { Hex } from 'viem';
import { silentLogger } from '../../src/core/logger.ts';
import { systemClock } from '../../src/core/clock.ts';
import { KnownMethodSpecs as DefaultMethodSpecs } from '../../src/methods/registry.ts';
import type { IndexAllocator, PaymentTarget } from '../../src/core/payment-method.ts';
import { evmConfigFromSettings } from '../../src/methods/evm/config.ts';
import type { EvmConfig, EvmSettings } from '../../src/methods/evm/config.ts';
import { createEvmMethod } from '../../src/methods/evm/evm-method.ts';
import type { EvmMethodAdapter } from '../../src/methods/evm/evm-method.ts';
import { startEvmNode } from './evm-node.ts';
import type { EvmNode } from './evm-node.ts';
import { startAnvilNode } from './anvil-node.ts';
import { startProviderFront } from './evm-provider-front.ts';
import { deployForwarder, deploySpoofer, deployToken } from './evm-chain.ts';
import type { MemoryWatcherContext } from './memory-watcher-context.ts';

export const ABANDON_MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

export function testXpub(mnemonic = ABANDON_MNEMONIC): string {
  const enc = new TextEncoder();
  const seed = pbkdf2(sha512, enc.encode(mnemonic.normalize('NFKD')), enc.encode('mnemonic'), { c: 2048, dkLen: 64 });
  return HDKey.fromMasterSeed(seed).derive("m/44'/60'/0'").publicExtendedKey;
}

export class CountingIndexes implements IndexAllocator {
  #next = new Map<string, number>();
  async next(walletId: string): Promise<number> {
    const n = this.#next.get(walletId) ?? 0;
    this.#next.set(walletId, n + 1);
    return n;
  }
}

export type EvmNodeKind = 'edr' | 'anvil';

/** anvil's `safe` is head - slots, `finalized` head - 2 x slots (anvil --slots-in-an-epoch). */
export const ANVIL_SLOTS_IN_EPOCH = 3;

export interface EvmFixture {
  readonly kind: EvmNodeKind;
  readonly l1: EvmNode;
  readonly base: EvmNode;
  readonly usdc: Hex;
  readonly usdt: Hex;
  readonly fakeUsdc: Hex;
  readonly spoofer: Hex;
  readonly forwarder: Hex;
  readonly baseUsdc: Hex;
  readonly settings: EvmSettings;
  readonly config: EvmConfig;
  readonly adapter: EvmMethodAdapter;
  readonly indexes: CountingIndexes;
  close(): Promise<void>;
}

export interface EvmFixtureOptions {
  readonly confirmations?: number;
  readonly pollIntervalMs?: number;
  readonly node?: EvmNodeKind;
  /** Coffer reaches both nodes through a front that offers no debug_/trace_ methods (many public endpoints). */
  readonly noTraces?: boolean;
}

export async function startEvmFixture(options: EvmFixtureOptions = {}): Promise<EvmFixture> {
  const kind = options.node ?? 'edr';
  const start = (chainId: number): Promise<EvmNode> => kind === 'edr' ? startEvmNode({ chainId })
    : startAnvilNode({ chainId, args: ['--slots-in-an-epoch', String(ANVIL_SLOTS_IN_EPOCH)] });
  const [l1, base] = await Promise.all([start(1), start(8453)]);
  try {
    return await deployAndConfigure(kind, l1, base, options);
  } catch (error) {
    // Never leave a node (anvil is a child process) running after a failed setup.
    await l1.close();
    await base.close();
    throw error;
  }
}

async function deployAndConfigure(kind: EvmNodeKind, l1: EvmNode, base: EvmNode, options: EvmFixtureOptions): Promise<EvmFixture> {
  const usdc = await deployToken(l1, 'USDC', 6);
  const usdt = await deployToken(l1, 'USDT', 6);
  const fakeUsdc = await deployToken(l1, 'USDC', 6);
  const spoofer = await deploySpoofer(l1);
  const forwarder = await deployForwarder(l1);
  const baseUsdc = await deployToken(base, 'USDC', 6);
  const confirmations = options.confirmations ?? 4;
  const pollIntervalMs = options.pollIntervalMs ?? 20;
  const fronts = options.noTraces === true
    ? await Promise.all([l1, base].map((n) => startProviderFront({ upstream: n.url, shape: 'public', logsRangeMax: 10_000, refuseMethods: /^(debug|trace)_/ })))
    : [];
  const [l1Url, baseUrl] = fronts.length === 0 ? [l1.url, base.url] : fronts.map((f) => f.url);
  const settings: EvmSettings = {
    xpub: testXpub(),
    chains: [
      { chainId: 1, rpcUrl: l1Url as string, confirmations, pollIntervalMs, goneAfterBlocks: 2 },
      // On anvil, chain 8453 is final by the node's `finalized` tag (head - 2 x slots), not by count.
      { chainId: 8453, rpcUrl: baseUrl as string, confirmations, pollIntervalMs, goneAfterBlocks: 2, ...(kind === 'anvil' ? { finality: 'finalized' as const } : {}) },
    ],
    methods: [
      { id: 'ethereum' },
      { id: 'usdc_erc20', token: { contract: usdc, decimals: 6 } },
      { id: 'usdt_erc20', token: { contract: usdt, decimals: 6 } },
      { id: 'eth_base' },
      { id: 'usdc_base', token: { contract: baseUsdc, decimals: 6 } },
    ],
  };
  const config = evmConfigFromSettings(settings, 'regtest');
  const adapter = await createEvmMethod(config, { clock: systemClock, log: silentLogger });
  return {
    kind, l1, base, usdc, usdt, fakeUsdc, spoofer, forwarder, baseUsdc, settings, config, adapter, indexes: new CountingIndexes(),
    close: async () => {
      await adapter.close?.();
      for (const f of fronts) await f.close();
      await l1.close();
      await base.close();
    },
  };
}

/** Allocates a target for `methodId` and registers it as watched in `ctx`. */
export async function watchTarget(fx: EvmFixture, ctx: MemoryWatcherContext, methodId: string, priceUnits: bigint | null = null): Promise<PaymentTarget> {
  const spec = DefaultMethodSpecs.find((s) => s.id === methodId);
  if (spec === undefined) throw new Error(`unknown method ${methodId}`);
  const invoiceId = `inv-${methodId}-${Math.random().toString(36).slice(2)}`;
  const target = await fx.adapter.createTarget(
    { invoiceId, method: spec, priceUnits, expiresAt: new Date(Date.now() + 3_600_000), description: 'test deposit' }, fx.indexes,
  );
  ctx.addTarget({ methodId, targetKey: target.targetKey, invoiceId, watchUntil: new Date(Date.now() + 86_400_000) });
  return target;
}
