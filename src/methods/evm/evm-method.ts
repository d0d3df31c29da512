// The EVM payment-method adapter: one adapter for every configured EVM chain and token. It
// allocates deposit addresses from the operator's xpub and runs one watcher loop per chain.
// Settlement (crediting, rates, reversals) is not here: the watcher reports facts.

import { CofferError, ConfigError } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type {
  IndexAllocator, MethodHealth, PaymentMethodAdapter, PaymentTarget, TargetRequest, Watcher, WatcherContext,
} from '../../core/payment-method.ts';
import { deriveEvmAddress, deriveEvmAheadAfter, eip681Uri } from './address.ts';
import { ChainReader } from './chain-reader.ts';
import { ChainWatcher } from './chain-watcher.ts';
import type { EvmChainConfig, EvmConfig } from './config.ts';
import { DECIMALS_SELECTOR, decodeUint } from './erc20.ts';
import { JsonRpcClient } from './json-rpc.ts';

export interface EvmMethodDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
}

export interface EvmMethodAdapter extends PaymentMethodAdapter {
  /** Per-chain JSON-RPC clients (call counters are read by benchmarks and metrics). */
  readonly readers: ReadonlyMap<number, ChainReader>;
}

/** Checks every chain and token against its node; any mismatch refuses to start, naming the setting. */
async function checkBackends(config: EvmConfig, readers: ReadonlyMap<number, ChainReader>): Promise<void> {
  for (const chain of config.chains) {
    const reader = readers.get(chain.chainId) as ChainReader;
    let reported: number;
    try {
      reported = await reader.chainId();
    } catch (error) {
      throw new ConfigError(chain.rpcUrlSetting, `cannot reach the JSON-RPC node for chain ${chain.chainId} (${(error as Error).message})`);
    }
    if (reported !== chain.chainId) {
      throw new ConfigError(chain.rpcUrlSetting, `node reports chain id ${reported}, expected ${chain.chainId}`);
    }
    for (const method of config.methods.filter((m) => m.chainId === chain.chainId && m.token !== null)) {
      const token = method.token as string;
      if ((await reader.code(token)) === '0x') {
        throw new ConfigError(method.tokenSetting, `no contract at ${token} on chain ${chain.chainId}`);
      }
      let decimals: bigint | null = null;
      try {
        decimals = decodeUint(await reader.ethCall(token, DECIMALS_SELECTOR));
      } catch {
        decimals = null;
      }
      if (decimals !== BigInt(method.decimals)) {
        throw new ConfigError(method.tokenSetting, `contract ${token} reports decimals ${decimals ?? 'unknown'}, configured ${method.decimals}`);
      }
    }
  }
}

export async function createEvmMethod(config: EvmConfig, deps: EvmMethodDeps): Promise<EvmMethodAdapter> {
  const readers = new Map<number, ChainReader>(
    config.chains.map((c) => [c.chainId, new ChainReader(new JsonRpcClient(c.rpcUrl, deps.fetch ?? fetch, { batchSize: c.batchSize }))]),
  );
  await checkBackends(config, readers);
  let watchers: ChainWatcher[] = [];
  let health: MethodHealth = { ok: true, detail: 'watcher not started', updatedAt: deps.clock.now() };

  const aggregate = (): MethodHealth => {
    if (watchers.length === 0) return health;
    const parts = watchers.map((w) => w.health);
    const heights = parts.map((p) => p.height).filter((h): h is number => h !== undefined);
    return {
      ok: parts.every((p) => p.ok),
      detail: parts.map((p) => p.detail ?? '').join('; '),
      // One height only makes sense for one chain; several chains report theirs in `detail`.
      ...(watchers.length === 1 && heights.length === 1 ? { height: heights[0] as number } : {}),
      updatedAt: deps.clock.now(),
    };
  };

  return {
    rail: 'evm',
    methodIds: config.methods.map((m) => m.methodId),
    readers,

    async createTarget(request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget> {
      const method = config.methods.find((m) => m.methodId === request.method.id);
      if (method === undefined) throw new CofferError('unsupported_payment_method', `${request.method.id} is not configured`);
      const index = await indexes.next(config.walletId);
      const address = deriveEvmAddress(config.wallet, index);
      deriveEvmAheadAfter(config.wallet, index);
      const uri = eip681Uri({
        address, chainId: method.chainId, amountUnits: request.priceUnits,
        ...(method.token !== null ? { tokenContract: method.token } : {}),
      });
      // targetKey is the lowercase 0x address: one spelling for matching logs and transactions.
      return { targetKey: address.toLowerCase(), address, uri, chainId: method.chainId, walletId: config.walletId, derivationIndex: index };
    },

    createWatcher(ctx: WatcherContext): Watcher {
      const abort = new AbortController();
      let runs: Promise<void>[] = [];
      const onHealth = (): void => {
        health = aggregate();
        ctx.heartbeat(health);
      };
      return {
        async start(): Promise<void> {
          watchers = config.chains.map((chain: EvmChainConfig) =>
            new ChainWatcher(chain, config.methods, readers.get(chain.chainId) as ChainReader, ctx));
          for (const w of watchers) await w.load();
          ctx.signal.addEventListener('abort', () => abort.abort(), { once: true });
          runs = watchers.map((w) => w.run(abort.signal, onHealth));
        },
        async stop(): Promise<void> {
          abort.abort();
          await Promise.all(runs);
        },
      };
    },

    health: () => aggregate(),
  };
}

