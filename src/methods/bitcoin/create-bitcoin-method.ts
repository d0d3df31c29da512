// The bitcoin payment-method adapter: checks the node at start (reachable, credentials, same
// network as the wallet key), allocates a fresh BIP84 address per invoice from a persistent
// index, and creates the watcher. It never holds a private key and never touches storage.

import type { Clock } from '../../core/clock.ts';
import { CofferError, ConfigError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import type {
  IndexAllocator, MethodHealth, PaymentMethodAdapter, PaymentTarget, RescanCapability, TargetRequest, WalletStatusCapability, WatcherContext,
} from '../../core/payment-method.ts';
import { deriveAheadAfter, deriveP2wpkh } from './address.ts';
import { bip21Uri } from './bip21.ts';
import { CHAIN_STATE_KEY, decodeChainState, encodeChainState } from './chain-state.ts';
import { BitcoinSettings } from './config.ts';
import type { BitcoinConfig } from './config.ts';
import { NODE_CHAIN_NAMES } from './network.ts';
import { BitcoinRpc, BitcoinRpcError } from './rpc-client.ts';
import type { BlockchainInfo } from './rpc-client.ts';
import { BITCOIN_METHOD_ID, BitcoinWatcher } from './watcher.ts';

export interface BitcoinMethodDeps {
  readonly clock: Clock;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
}

export interface BitcoinMethod extends PaymentMethodAdapter {
  createWatcher(context: WatcherContext): BitcoinWatcher;
  readonly capabilities: {
    /** `coffer rescan`: rewinds the block cursor to a height. */
    readonly rescan: RescanCapability;
    /** Where derivation stands in this process, for `coffer wallet status` and the gap-limit warning. */
    readonly walletStatus: WalletStatusCapability;
  };
}

async function checkNode(rpc: BitcoinRpc, config: BitcoinConfig, log: Logger): Promise<BlockchainInfo> {
  let info: BlockchainInfo;
  try {
    info = await rpc.getBlockchainInfo();
  } catch (error) {
    if (error instanceof BitcoinRpcError && error.kind === 'unauthorized') {
      const setting = config.rpcCookieFile !== null && !new URL(config.rpcUrl).username ? BitcoinSettings.rpcCookie : BitcoinSettings.rpcUrl;
      throw new ConfigError(setting, `the bitcoin node refused the credentials: ${error.message}`);
    }
    if (error instanceof BitcoinRpcError && error.kind === 'unreachable') {
      throw new ConfigError(BitcoinSettings.rpcUrl, `${error.message}; is the node running and is its RPC port open to this host?`);
    }
    throw new ConfigError(BitcoinSettings.rpcUrl, `the node at ${rpc.endpoint} did not answer getblockchaininfo like Bitcoin Core: ${(error as Error).message}`);
  }
  const expected = NODE_CHAIN_NAMES[config.network];
  if (!expected.includes(info.chain)) {
    throw new ConfigError(BitcoinSettings.rpcUrl, `the node at ${rpc.endpoint} is on chain "${info.chain}" but the wallet key and COFFER_MODE are for ${config.network} (${expected.join('/')})`);
  }
  if (info.pruned) log.warn({ endpoint: rpc.endpoint }, 'bitcoin node is pruned: rescans cannot go below its prune height');
  if (info.initialblockdownload) log.warn({ endpoint: rpc.endpoint, blocks: info.blocks }, 'bitcoin node is still syncing: payments are found once it reaches the tip');
  return info;
}

export async function createBitcoinMethod(config: BitcoinConfig, deps: BitcoinMethodDeps): Promise<BitcoinMethod> {
  const log = deps.log.child({ method: BITCOIN_METHOD_ID });
  const rpc = new BitcoinRpc({
    url: config.rpcUrl, cookieFile: config.rpcCookieFile, fetch: deps.fetch ?? globalThis.fetch, replyMaxBytes: config.rpcReplyMaxBytes,
  });
  const info = await checkNode(rpc, config, log);
  const wallet = config.wallet;
  log.info({ endpoint: rpc.endpoint, chain: info.chain, height: info.blocks, walletId: wallet.walletId, origin: wallet.origin }, 'bitcoin method ready');

  let health: MethodHealth = { ok: true, height: info.blocks, updatedAt: deps.clock.now() };
  const indexOfAddress = new Map<string, number>();
  let firstIssued: number | null = null;
  let highestIssued: number | null = null;
  let highestPaid: number | null = null;
  function warnOnGap(index: number): void {
    // Counted within this process's run: addresses issued since the last one seen paid.
    const lastPaid = highestPaid ?? (firstIssued ?? index) - 1;
    const unpaid = index - lastPaid;
    if (unpaid > config.gapLimit) {
      log.warn({ index, highestPaidIndex: highestPaid, unpaidSinceLastPaid: unpaid, gapLimit: config.gapLimit },
        `bitcoin: more unpaid addresses than the gap limit (${BitcoinSettings.gapLimit}); raise the gap limit of the wallet that holds the key or it may not see later payments`);
    }
  }

  return {
    rail: 'bitcoin',
    methodIds: [BITCOIN_METHOD_ID],

    async createTarget(request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget> {
      if (request.method.id !== BITCOIN_METHOD_ID) throw new CofferError('unsupported_payment_method', `bitcoin adapter cannot serve ${request.method.id}`);
      const index = await indexes.next(wallet.walletId);
      const { address } = deriveP2wpkh(wallet, index);
      indexOfAddress.set(address, index);
      firstIssued ??= index;
      highestIssued = Math.max(highestIssued ?? index, index);
      warnOnGap(index);
      // Off the request path, on a worker thread: the next invoices find their child key derived.
      deriveAheadAfter(wallet, index);
      const lightning = await request.lightningFallback;
      return {
        targetKey: address, address, walletId: wallet.walletId, derivationIndex: index,
        uri: bip21Uri({ address, amountSat: request.priceUnits, label: request.description, ...(lightning ? { lightning } : {}) }),
      };
    },

    createWatcher(context: WatcherContext): BitcoinWatcher {
      return new BitcoinWatcher(context, {
        rpc, network: config.network, confirmations: config.confirmations, reorgHorizon: config.reorgHorizon,
        pollIntervalMs: config.pollIntervalMs, startHeight: config.startHeight, mempoolGoneGraceMs: config.mempoolGoneGraceMs,
        onHealth: (h) => { health = h; },
        onPaid: (targetKey) => {
          const index = indexOfAddress.get(targetKey);
          if (index !== undefined && index > (highestPaid ?? -1)) highestPaid = index;
        },
      });
    },

    health: () => health,

    capabilities: {
      walletStatus: {
        walletStatus: () => ({
          walletId: wallet.walletId, fingerprint: wallet.fingerprint, highestIssuedIndex: highestIssued, highestPaidIndex: highestPaid,
          gapLimit: config.gapLimit,
        }),
      },
      rescan: {
        async rescanState(fromHeight: number): Promise<{ key: string; value: string; tipHeight: number }> {
          const tipHeight = (await rpc.getBlockchainInfo()).blocks;
          if (!Number.isSafeInteger(fromHeight) || fromHeight < 0 || fromHeight > tipHeight) {
            throw new CofferError('invalid_param', `rescan height must be a block height from 0 to the node's tip ${tipHeight}`);
          }
          // The last fully processed block is the one below: the watcher connects fromHeight next
          // (the genesis block pays nothing spendable, so 0 starts at 1, as the start height does).
          const below = Math.max(0, fromHeight - 1);
          const [hash] = await rpc.getBlockHashes([below]);
          return { key: CHAIN_STATE_KEY, value: encodeChainState({ height: below, hashes: [hash as string] }), tipHeight };
        },

        stateHeight: (value: string): number => decodeChainState(value)?.height ?? -1,
      },
    },
  };
}
