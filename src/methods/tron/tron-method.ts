// The usdt_trc20 payment-method adapter: USDT on Tron, watch-only. Deposit addresses come from the
// operator's xpub at coin type 195 (shown as T… addresses); the chain is followed through
// java-tron's Ethereum-compatible JSON-RPC (/jsonrpc) by the EVM rail's follower
// (evm/chain-watcher.ts: bounded ranges, eth_getLogs of the configured contract only, adaptive
// request sizes, reorg walk-back, receipts checked before a payment counts). Start-up checks the
// node (chain id, the contract is a 6-decimal token) and refuses to start on a mismatch, naming the
// setting. Coffer never holds a private key. docs/tron.md has the JSON-RPC methods and limits.

import { createHash } from 'node:crypto';
import { CofferError, ConfigError } from '../../core/errors.ts';
import type { Clock } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { MethodSpec } from '../../core/methods.ts';
import type {
  IndexAllocator, MethodHealth, PaymentMethodAdapter, PaymentTarget, RescanCapability, TargetRequest, Watcher, WatcherContext,
} from '../../core/payment-method.ts';
import { ChainCursor } from '../evm/chain-cursor.ts';
import { ChainReader } from '../evm/chain-reader.ts';
import { ChainWatcher } from '../evm/chain-watcher.ts';
import type { EvmChainConfig } from '../evm/config.ts';
import { DECIMALS_SELECTOR, decodeUint } from '../evm/erc20.ts';
import { JsonRpcClient } from '../evm/json-rpc.ts';
import { deriveTronAddress, deriveTronAheadAfter } from './address.ts';
import type { TronConfig } from './config.ts';
import { TRON_METHOD_ID, tronMethodConfig, TronSettings, USDT_DECIMALS } from './config.ts';

export interface TronMethodDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
}

export interface TronMethodAdapter extends PaymentMethodAdapter {
  readonly reader: ChainReader;
  /** The chain id the node reported at start. */
  readonly chainId: number;
  readonly capabilities: {
    /** `coffer rescan --method usdt_trc20`: the follower's cursor rewound to a height. */
    readonly rescan: RescanCapability;
  };
}

/** The method spec as this configuration serves it: network = the chain name, contract in T… form. */
export function tronMethodSpec(base: MethodSpec, config: TronConfig): MethodSpec {
  return { ...base, network: config.chainName, confirmations: config.chain.confirmations, contractAddress: config.contractBase58 };
}

/** The node is the configured network, and the contract is a token with USDT's decimals. */
async function checkNode(config: TronConfig, reader: ChainReader): Promise<number> {
  let chainId: number;
  try {
    chainId = await reader.chainId();
  } catch (error) {
    throw new ConfigError(TronSettings.rpcUrl, `cannot reach the java-tron JSON-RPC node (${(error as Error).message})`);
  }
  if (config.expectedChainId !== null && chainId !== config.expectedChainId) {
    throw new ConfigError(TronSettings.rpcUrl, `node reports chain id ${chainId} (0x${chainId.toString(16)}), expected ${config.expectedChainId} for ${config.network}`);
  }
  if ((await reader.code(config.contract)) === '0x') {
    throw new ConfigError(TronSettings.contract, `no contract at ${config.contractBase58} on ${config.chainName}`);
  }
  let decimals: bigint | null;
  try {
    decimals = decodeUint(await reader.ethCall(config.contract, DECIMALS_SELECTOR));
  } catch {
    decimals = null;
  }
  if (decimals !== BigInt(USDT_DECIMALS)) {
    throw new ConfigError(TronSettings.contract, `${config.contractBase58} is not a ${USDT_DECIMALS}-decimal token (decimals() ${decimals ?? 'has no answer'})`);
  }
  return chainId;
}

/**
 * fetch with TronGrid's API key header on every request: "Production requests should include
 * TRON-PRO-API-KEY"; without it requests are "severely rate-limited or rejected" (TRON developer
 * docs, TronGrid "API key" and "Rate limits").
 */
function withApiKey(fetchFn: typeof fetch, apiKey: string | null): typeof fetch {
  if (apiKey === null) return fetchFn;
  return (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('TRON-PRO-API-KEY', apiKey);
    return fetchFn(input, { ...init, headers });
  };
}

export async function createTronMethod(config: TronConfig, deps: TronMethodDeps): Promise<TronMethodAdapter> {
  const rpc = new JsonRpcClient(config.chain.rpcUrl, withApiKey(deps.fetch ?? fetch, config.apiKey), { batchSize: config.chain.batchSize });
  const reader = new ChainReader(rpc);
  const chainId = await checkNode(config, reader);
  const chain: EvmChainConfig = { ...config.chain, chainId };
  const methods = [tronMethodConfig(config, chainId)];
  // One derivation sequence per xpub, as on EVM (the id never shows the key itself).
  const walletId = `tron:${createHash('sha256').update(config.wallet.text).digest('hex').slice(0, 16)}`;
  const stateKeyPrefix = `tron:${config.chainName}`;
  let watcher: ChainWatcher | null = null;
  const idle: MethodHealth = { ok: true, detail: 'watcher not started', updatedAt: deps.clock.now() };

  return {
    rail: 'tron',
    methodIds: [TRON_METHOD_ID],
    reader,
    chainId,

    async createTarget(request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget> {
      if (request.method.id !== TRON_METHOD_ID) throw new CofferError('unsupported_payment_method', `${request.method.id} is not configured`);
      const index = await indexes.next(walletId);
      const { address, hex } = deriveTronAddress(config.wallet, index);
      deriveTronAheadAfter(config.wallet, index);
      // Tron has no payment-URI standard wallets agree on: the QR carries the bare address, which
      // every Tron wallet scans; the amount and the contract are shown beside it.
      return { targetKey: hex, address, uri: address, walletId, derivationIndex: index };
    },

    createWatcher(ctx: WatcherContext): Watcher {
      const abort = new AbortController();
      let run: Promise<void> = Promise.resolve();
      return {
        async start(): Promise<void> {
          const current = new ChainWatcher(chain, methods, reader, ctx, {
            paymentKeyPrefix: config.chainName, stateKeyPrefix,
          });
          watcher = current;
          await current.load();
          ctx.signal.addEventListener('abort', () => abort.abort(), { once: true });
          run = current.run(abort.signal, () => ctx.heartbeat(current.health));
        },
        async stop(): Promise<void> {
          abort.abort();
          await run;
        },
      };
    },

    health: () => watcher?.health ?? idle,

    capabilities: {
      rescan: {
        async rescanState(fromHeight: number): Promise<{ key: string; value: string; tipHeight: number }> {
          const tipHeight = await reader.blockNumber();
          if (!Number.isSafeInteger(fromHeight) || fromHeight < 1 || fromHeight > tipHeight) {
            throw new CofferError('invalid_param', `rescan height must be a block height from 1 to the node's tip ${tipHeight}`);
          }
          // The follower's cursor as if the block below had just been processed: the next start reads
          // from `fromHeight`, with that block's hash to link to (a reorg below it is still caught).
          const below = fromHeight - 1;
          const header = await reader.header(below);
          if (header === null) throw new CofferError('service_unavailable', `the node has no block ${below}`);
          const cursor = new ChainCursor(chain.hashWindow, below);
          cursor.record(below, header.hash);
          return { key: `${stateKeyPrefix}:cursor`, value: cursor.serialize(), tipHeight };
        },

        stateHeight: (value: string): number => ChainCursor.parse(value, chain.hashWindow).last ?? -1,
      },
    },
  };
}
