// usdt_trc20 configuration from the environment. Variables (docs/configuration.md):
//   COFFER_TRON_XPUB              account xpub at m/44'/195'/0'; unset = the rail is off
//   COFFER_TRON_RPC_URL           java-tron's Ethereum-compatible JSON-RPC (…/jsonrpc)
//   COFFER_TRON_API_KEY           sent as the TRON-PRO-API-KEY header (TronGrid; optional)
//   COFFER_TRON_NETWORK           mainnet (live) | nile | shasta (testnet) | local (regtest)
//   COFFER_TRON_CHAIN_ID          the chain id eth_chainId must report (default: the network's;
//                                 required on a local network only if it should be checked)
//   COFFER_TRON_USDT_CONTRACT     T… (or 0x / 41 hex); default Tether's contract on mainnet
//   COFFER_TRON_CONFIRMATIONS     default 20 (Bitrefill's figure for USDT on Tron)
//   COFFER_TRON_FINALITY          confirmations (default) | finalized (java-tron's solidified block)
//   COFFER_TRON_START_BLOCK, COFFER_TRON_BLOCK_RANGE_MAX, COFFER_TRON_LOGS_RANGE,
//   COFFER_TRON_BATCH_SIZE, COFFER_TRON_POLL_INTERVAL_MS, COFFER_TRON_STALE_AFTER_MS
// Everything checkable without the node is checked here; the node checks (chain id, the contract
// is a 6-decimal token) run at start (tron-method.ts). The result drives the EVM rail's chain
// follower (evm/chain-watcher.ts) through an EvmChainConfig: the JSON-RPC is the same protocol.

import { ConfigError } from '../../core/errors.ts';
import type { Env, Mode } from '../../core/mode.ts';
import { integerSetting } from '../../core/mode.ts';
import type { EvmWalletKey } from '../evm/address.ts';
import type { EvmChainConfig, EvmMethodConfig, FinalityMode } from '../evm/config.ts';
import { BLOCK_RANGE_MAX_LIMIT, CONFIRMATIONS_MAX, HASH_WINDOW_MAX, HASH_WINDOW_MIN, RPC_BATCH_MAX } from '../evm/limits.ts';
import { parseTronAddress, parseTronWalletKey, tronFromHex } from './address.ts';
import {
  BATCH_SIZE_DEFAULT, BLOCK_RANGE_MAX_DEFAULT, CONFIRMATIONS_DEFAULT, JAVA_TRON_BLOCK_RANGE_MAX, LOGS_RANGE_DEFAULT,
  POLL_INTERVAL_MS_DEFAULT, STALE_AFTER_MS_DEFAULT,
} from './limits.ts';

export const TRON_METHOD_ID = 'usdt_trc20';
export const USDT_DECIMALS = 6;

export const TronNetworks = ['mainnet', 'nile', 'shasta', 'local'] as const;
export type TronNetwork = (typeof TronNetworks)[number];

/**
 * eth_chainId per network: the last 4 bytes of the genesis block id (java-tron JSON-RPC docs,
 * eth_chainId: mainnet 0x2b6653dc, Nile 0xcd8690dc, Shasta 0x94a9059e).
 */
export const TronChainIds: Readonly<Record<Exclude<TronNetwork, 'local'>, number>> = {
  mainnet: 0x2b6653dc, nile: 0xcd8690dc, shasta: 0x94a9059e,
};

/**
 * The chain's name in payment keys (`<name>:<tx>:<log index>`, the EVM token rail's shape) and
 * in invoices' `network`: never a number, so a Tron payment key can never equal an EVM one.
 */
export const TronChainNames: Readonly<Record<TronNetwork, string>> = {
  mainnet: 'tron', nile: 'tron-nile', shasta: 'tron-shasta', local: 'tron-local',
};

/** Tether's USDT on Tron mainnet (TronScan's verified "Tether USD" contract, 6 decimals). */
export const USDT_MAINNET_CONTRACT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';

const NetworksByMode: Readonly<Record<Exclude<Mode, 'sandbox'>, readonly TronNetwork[]>> = {
  live: ['mainnet'], testnet: ['nile', 'shasta'], regtest: ['local'],
};

export const TronSettings = {
  xpub: 'COFFER_TRON_XPUB',
  rpcUrl: 'COFFER_TRON_RPC_URL',
  apiKey: 'COFFER_TRON_API_KEY',
  network: 'COFFER_TRON_NETWORK',
  chainId: 'COFFER_TRON_CHAIN_ID',
  contract: 'COFFER_TRON_USDT_CONTRACT',
  confirmations: 'COFFER_TRON_CONFIRMATIONS',
  finality: 'COFFER_TRON_FINALITY',
  startBlock: 'COFFER_TRON_START_BLOCK',
  blockRangeMax: 'COFFER_TRON_BLOCK_RANGE_MAX',
  logsRange: 'COFFER_TRON_LOGS_RANGE',
  batchSize: 'COFFER_TRON_BATCH_SIZE',
  pollIntervalMs: 'COFFER_TRON_POLL_INTERVAL_MS',
  staleAfterMs: 'COFFER_TRON_STALE_AFTER_MS',
} as const;

export interface TronConfig {
  readonly network: TronNetwork;
  /** Payment-key prefix and invoice network (`tron`, `tron-nile`, …). */
  readonly chainName: string;
  /** The chain id the node must report; null = not checked (local network without a configured id). */
  readonly expectedChainId: number | null;
  readonly xpub: string;
  readonly wallet: EvmWalletKey;
  /** Lowercase 0x 20-byte hex, as logs carry it. */
  readonly contract: string;
  /** The T… form shown to customers. */
  readonly contractBase58: string;
  /** TronGrid's API key, sent as the TRON-PRO-API-KEY header; null = none. */
  readonly apiKey: string | null;
  /** The follower's chain settings (chainId is filled in from the node at start). */
  readonly chain: Omit<EvmChainConfig, 'chainId'>;
}

function text(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const value = text(env, name) ?? fallback;
  if (!(values as readonly string[]).includes(value)) throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${value.slice(0, 40)}"`);
  return value as T;
}

function wallet(xpub: string): EvmWalletKey {
  try {
    return parseTronWalletKey(xpub);
  } catch (error) {
    throw new ConfigError(TronSettings.xpub, (error as Error).message);
  }
}

function contract(env: Env, network: TronNetwork): string {
  const raw = text(env, TronSettings.contract) ?? (network === 'mainnet' ? USDT_MAINNET_CONTRACT : undefined);
  if (raw === undefined) throw new ConfigError(TronSettings.contract, `the ${network} network has no default USDT contract: set it (T… address)`);
  try {
    return parseTronAddress(raw);
  } catch (error) {
    throw new ConfigError(TronSettings.contract, (error as Error).message);
  }
}

function chainSettings(env: Env): Omit<EvmChainConfig, 'chainId'> {
  const s = TronSettings;
  const confirmations = integerSetting(env, s.confirmations, CONFIRMATIONS_DEFAULT, 1, CONFIRMATIONS_MAX);
  const finality = oneOf<FinalityMode>(env, s.finality, ['confirmations', 'finalized'], 'confirmations');
  if (finality !== 'confirmations' && confirmations < 2) throw new ConfigError(s.confirmations, `must be at least 2 with finality ${finality}`);
  const startBlock = text(env, s.startBlock) === undefined ? null : integerSetting(env, s.startBlock, 0, 0, Number.MAX_SAFE_INTEGER);
  return {
    rpcUrl: text(env, s.rpcUrl) as string,
    rpcUrlSetting: s.rpcUrl,
    confirmations,
    finality,
    provider: 'own-node',
    // TRX itself is not a method here: only TRC-20 transfers are followed, so no forwarded-coin search.
    forwarded: 'off',
    blockRangeMax: integerSetting(env, s.blockRangeMax, BLOCK_RANGE_MAX_DEFAULT, 1, BLOCK_RANGE_MAX_LIMIT),
    logsRangeInitial: integerSetting(env, s.logsRange, LOGS_RANGE_DEFAULT, 1, JAVA_TRON_BLOCK_RANGE_MAX),
    batchSize: integerSetting(env, s.batchSize, BATCH_SIZE_DEFAULT, 1, RPC_BATCH_MAX),
    pollIntervalMs: integerSetting(env, s.pollIntervalMs, POLL_INTERVAL_MS_DEFAULT, 10, 600_000),
    staleAfterMs: integerSetting(env, s.staleAfterMs, STALE_AFTER_MS_DEFAULT, 1_000, 86_400_000),
    startBlock,
    hashWindow: Math.min(HASH_WINDOW_MAX, Math.max(HASH_WINDOW_MIN, confirmations * 2)),
    goneAfterBlocks: confirmations,
  };
}

/** Null when the rail is off (no xpub, or sandbox mode, which simulates every method). */
export function tronConfigFromEnv(env: Env, mode: Mode): TronConfig | null {
  if (mode === 'sandbox') return null;
  const xpub = text(env, TronSettings.xpub);
  if (xpub === undefined) return null;
  const key = wallet(xpub);
  const rpcUrl = text(env, TronSettings.rpcUrl);
  if (rpcUrl === undefined) throw new ConfigError(TronSettings.rpcUrl, `${TronSettings.xpub} is set but no java-tron JSON-RPC URL is (e.g. https://api.trongrid.io/jsonrpc)`);
  if (!/^https?:\/\/\S+$/.test(rpcUrl)) throw new ConfigError(TronSettings.rpcUrl, 'must be an http(s) URL');
  const allowed = NetworksByMode[mode];
  const network = oneOf(env, TronSettings.network, TronNetworks, allowed[0] as TronNetwork);
  if (!allowed.includes(network)) {
    throw new ConfigError(TronSettings.network, `"${network}" is not allowed in ${mode} mode (use ${allowed.join(' or ')})`);
  }
  const known = network === 'local' ? null : TronChainIds[network];
  const chainId = text(env, TronSettings.chainId) === undefined ? known
    : integerSetting(env, TronSettings.chainId, 0, 1, 0xffff_ffff);
  if (known !== null && chainId !== known) {
    throw new ConfigError(TronSettings.chainId, `${network}'s chain id is ${known} (0x${known.toString(16)}), not ${chainId}`);
  }
  const contractHex = contract(env, network);
  const apiKey = text(env, TronSettings.apiKey) ?? null;
  if (apiKey !== null && !/^[\x21-\x7e]{1,200}$/.test(apiKey)) throw new ConfigError(TronSettings.apiKey, 'must be printable ASCII without spaces (an HTTP header value)');
  return {
    apiKey,
    network, chainName: TronChainNames[network], expectedChainId: chainId, xpub: key.text, wallet: key,
    contract: contractHex, contractBase58: tronFromHex(contractHex), chain: chainSettings(env),
  };
}

/** The one method the follower watches: USDT Transfer logs of the configured contract. */
export function tronMethodConfig(config: TronConfig, chainId: number): EvmMethodConfig {
  return {
    methodId: TRON_METHOD_ID, chainId, asset: 'USDT', symbol: 'USDT', decimals: USDT_DECIMALS,
    token: config.contract, tokenSetting: TronSettings.contract,
  };
}
