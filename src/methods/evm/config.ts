// EVM configuration: which chains (chain id, JSON-RPC URL, confirmations, range limits) and which
// method ids (native coin or an ERC-20 contract with its decimals) this deployment accepts.
// Two entry points build the same typed EvmConfig: evmConfigFromEnv (environment variables, the
// simple case) and evmConfigFromSettings (the structured form a JSON config file carries).

import { createHash } from 'node:crypto';
import { ConfigError } from '../../core/errors.ts';
import type { CryptoAsset } from '../../core/assets.ts';
import { PRICE_PRECISION_MAX } from '../../core/assets.ts';
import { DefaultMethodSpecs } from '../../core/methods.ts';
import type { MethodSpec } from '../../core/methods.ts';
import { isValidChecksum, parseEvmWalletKey, toChecksumAddress } from './address.ts';
import type { EvmWalletKey } from './address.ts';
import {
  BLOCK_RANGE_MAX_DEFAULT, BLOCK_RANGE_MAX_LIMIT, CONFIRMATIONS_MAX, HASH_WINDOW_MAX, HASH_WINDOW_MIN,
  POLL_INTERVAL_MS_DEFAULT, STALE_AFTER_MS_DEFAULT,
} from './limits.ts';

export type EvmMode = 'sandbox' | 'regtest' | 'testnet' | 'live';

export interface EvmChainConfig {
  readonly chainId: number;
  readonly rpcUrl: string;
  /** Confirmations before a payment on this chain is final (the count reported is always exact). */
  readonly confirmations: number;
  readonly blockRangeMax: number;
  readonly pollIntervalMs: number;
  readonly staleAfterMs: number;
  /** First block to scan when no state exists yet; null = the head at first start. */
  readonly startBlock: number | null;
  /** Block hashes kept for reorg detection (the reorg horizon). */
  readonly hashWindow: number;
  /** Blocks a reorged-out payment may stay absent from chain and mempool before it is `gone`. */
  readonly goneAfterBlocks: number;
  /** Setting that named the RPC URL, for start errors. */
  readonly rpcUrlSetting: string;
}

export interface EvmMethodConfig {
  readonly methodId: string;
  readonly chainId: number;
  readonly asset: CryptoAsset;
  readonly symbol: string;
  readonly decimals: number;
  /** Lowercase ERC-20 contract, or null for the chain's native coin. */
  readonly token: string | null;
  readonly tokenSetting: string;
}

export interface EvmConfig {
  readonly xpub: string;
  readonly wallet: EvmWalletKey;
  /** IndexAllocator wallet id: one derivation sequence per xpub, shared by every EVM method. */
  readonly walletId: string;
  readonly chains: readonly EvmChainConfig[];
  readonly methods: readonly EvmMethodConfig[];
}

/** The structured (config file) form. Everything optional has a documented default. */
export interface EvmSettings {
  readonly xpub: string;
  readonly chains: readonly {
    readonly chainId: number;
    readonly rpcUrl: string;
    readonly confirmations?: number;
    readonly blockRangeMax?: number;
    readonly pollIntervalMs?: number;
    readonly staleAfterMs?: number;
    readonly startBlock?: number;
    readonly goneAfterBlocks?: number;
  }[];
  /** Absent = every EVM method id whose chain is configured and whose token contract is known. */
  readonly methods?: readonly {
    readonly id: string;
    readonly chainId?: number;
    readonly token?: { readonly contract: string; readonly decimals: number; readonly symbol?: string };
  }[];
}

/** How settings are named in errors: env variable names or config file paths. */
export interface SettingNames {
  readonly xpub: string;
  chain(chainId: number, field: string): string;
  method(methodId: string, field: string): string;
  readonly methods: string;
}

export function fileSettingNames(prefix = 'evm'): SettingNames {
  return {
    xpub: `${prefix}.xpub`,
    chain: (chainId, field) => `${prefix}.chains[chainId=${chainId}].${field}`,
    method: (id, field) => `${prefix}.methods[id=${id}].${field}`,
    methods: `${prefix}.methods`,
  };
}

const EvmSpecs = DefaultMethodSpecs.filter((s) => s.family === 'evm');

/** Testnet chain ids by network (Sepolia and its L2 / Polygon Amoy counterparts). */
const TestnetChainIds: Readonly<Record<string, number>> = {
  ethereum: 11155111, base: 84532, arbitrum: 421614, polygon: 80002,
};

export function defaultChainId(spec: MethodSpec, mode: EvmMode): number {
  if (mode === 'testnet') return TestnetChainIds[spec.network] ?? (spec.chainId as number);
  return spec.chainId as number;
}

function intSetting(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function urlSetting(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new ConfigError(name, 'must be an http(s) URL');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'must be an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must be an http(s) URL');
  return value;
}

function contractSetting(name: string, value: unknown): string {
  if (typeof value !== 'string' || !isValidChecksum(value)) {
    throw new ConfigError(name, `must be a 0x contract address with a valid EIP-55 checksum (or all lowercase), got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase();
}

function buildChain(raw: EvmSettings['chains'][number], names: SettingNames, confirmationsDefault: number): EvmChainConfig {
  const chainId = intSetting(names.chain(Number(raw.chainId), 'chainId'), raw.chainId, 1, Number.MAX_SAFE_INTEGER);
  const n = (field: string): string => names.chain(chainId, field);
  const confirmations = raw.confirmations === undefined ? confirmationsDefault
    : intSetting(n('confirmations'), raw.confirmations, 1, CONFIRMATIONS_MAX);
  return {
    chainId,
    rpcUrl: urlSetting(n('rpcUrl'), raw.rpcUrl),
    confirmations,
    blockRangeMax: raw.blockRangeMax === undefined ? BLOCK_RANGE_MAX_DEFAULT
      : intSetting(n('blockRangeMax'), raw.blockRangeMax, 1, BLOCK_RANGE_MAX_LIMIT),
    pollIntervalMs: raw.pollIntervalMs === undefined ? POLL_INTERVAL_MS_DEFAULT
      : intSetting(n('pollIntervalMs'), raw.pollIntervalMs, 10, 600_000),
    staleAfterMs: raw.staleAfterMs === undefined ? STALE_AFTER_MS_DEFAULT
      : intSetting(n('staleAfterMs'), raw.staleAfterMs, 1_000, 86_400_000),
    startBlock: raw.startBlock === undefined ? null : intSetting(n('startBlock'), raw.startBlock, 0, Number.MAX_SAFE_INTEGER),
    hashWindow: Math.min(HASH_WINDOW_MAX, Math.max(HASH_WINDOW_MIN, confirmations * 2)),
    goneAfterBlocks: raw.goneAfterBlocks === undefined ? confirmations
      : intSetting(n('goneAfterBlocks'), raw.goneAfterBlocks, 1, CONFIRMATIONS_MAX),
    rpcUrlSetting: n('rpcUrl'),
  };
}

function buildMethod(
  spec: MethodSpec, chainId: number, token: { contract: string; decimals: number; symbol?: string } | undefined,
  mode: EvmMode, names: SettingNames,
): EvmMethodConfig | null {
  const tokenSetting = names.method(spec.id, 'token');
  if (spec.contractAddress === undefined) {
    if (token !== undefined) throw new ConfigError(tokenSetting, `${spec.id} is the chain's native coin and takes no token contract`);
    return { methodId: spec.id, chainId, asset: spec.asset, symbol: spec.asset, decimals: 18, token: null, tokenSetting };
  }
  if (token === undefined) {
    // Mainnet contract addresses mean nothing on a testnet or a local chain: only live mode
    // (on the method's own chain) falls back to them.
    if (mode !== 'live' || chainId !== spec.chainId) return null;
    return { methodId: spec.id, chainId, asset: spec.asset, symbol: spec.asset, decimals: spec.unitScale, token: spec.contractAddress.toLowerCase(), tokenSetting };
  }
  return {
    methodId: spec.id, chainId, asset: spec.asset,
    symbol: token.symbol ?? spec.asset,
    decimals: intSetting(names.method(spec.id, 'token.decimals'), token.decimals, 0, 36),
    token: contractSetting(names.method(spec.id, 'token.contract'), token.contract),
    tokenSetting,
  };
}

/** Validates the structured form; throws ConfigError naming the setting. */
export function evmConfigFromSettings(
  settings: EvmSettings, mode: EvmMode, names: SettingNames = fileSettingNames(),
  /** When false, listed methods whose chain or contract is missing are skipped instead of refused. */
  methodsListed: boolean = settings.methods !== undefined,
): EvmConfig {
  let wallet: EvmWalletKey;
  try {
    wallet = parseEvmWalletKey(String(settings.xpub ?? ''));
  } catch (error) {
    throw new ConfigError(names.xpub, (error as Error).message);
  }
  if (!Array.isArray(settings.chains) || settings.chains.length === 0) {
    throw new ConfigError(names.chain(0, 'rpcUrl'), 'no EVM chain is configured (an RPC URL per chain id is required)');
  }
  const chainIds = new Set(settings.chains.map((c) => c.chainId));
  const methods: EvmMethodConfig[] = [];
  const explicit = methodsListed;
  const wanted = settings.methods ?? EvmSpecs.map((s) => ({ id: s.id }));
  for (const entry of wanted) {
    const spec = EvmSpecs.find((s) => s.id === entry.id);
    if (spec === undefined) throw new ConfigError(names.methods, `unknown EVM method id ${JSON.stringify(entry.id)}`);
    if (methods.some((m) => m.methodId === spec.id)) throw new ConfigError(names.methods, `${spec.id} is listed twice`);
    const chainId = 'chainId' in entry && entry.chainId !== undefined
      ? intSetting(names.method(spec.id, 'chainId'), entry.chainId, 1, Number.MAX_SAFE_INTEGER)
      : defaultChainId(spec, mode);
    if (!chainIds.has(chainId)) {
      if (explicit) throw new ConfigError(names.chain(chainId, 'rpcUrl'), `${spec.id} needs chain ${chainId}, which has no RPC URL`);
      continue;
    }
    const method = buildMethod(spec, chainId, 'token' in entry ? entry.token : undefined, mode, names);
    if (method === null) {
      if (explicit) throw new ConfigError(names.method(spec.id, 'token'), `${spec.id} needs its token contract and decimals on chain ${chainId}`);
      continue;
    }
    const nativeClash = methods.find((m) => m.token === null && method.token === null && m.chainId === method.chainId);
    if (nativeClash !== undefined) throw new ConfigError(names.method(spec.id, 'chainId'), `chain ${chainId} already has its native coin as ${nativeClash.methodId}`);
    const clash = methods.find((m) => m.token !== null && m.token === method.token && m.chainId === method.chainId);
    if (clash !== undefined) throw new ConfigError(method.tokenSetting, `same contract as ${clash.methodId} on chain ${chainId}`);
    methods.push(method);
  }
  if (methods.length === 0) throw new ConfigError(names.methods, 'no EVM method is usable with the configured chains');
  const chains = settings.chains.map((raw) => {
    const specs = methods.filter((m) => m.chainId === raw.chainId).map((m) => EvmSpecs.find((s) => s.id === m.methodId) as MethodSpec);
    const confirmationsDefault = Math.max(1, ...specs.map((s) => s.confirmations));
    return buildChain(raw, names, confirmationsDefault);
  });
  if (new Set(chains.map((c) => c.chainId)).size !== chains.length) {
    throw new ConfigError(names.chain(0, 'chainId'), 'a chain id is configured twice');
  }
  const walletId = `evm:${createHash('sha256').update(wallet.text).digest('hex').slice(0, 16)}`;
  // Chains no method uses are dropped: there is nothing to watch on them.
  return { xpub: wallet.text, wallet, walletId, chains: chains.filter((c) => methods.some((m) => m.chainId === c.chainId)).sort((a, b) => a.chainId - b.chainId), methods };
}

/** MethodSpecs as this deployment configured them (chain id, contract, decimals, confirmations). */
export function evmMethodSpecs(config: EvmConfig): MethodSpec[] {
  return config.methods.map((m) => {
    const spec = EvmSpecs.find((s) => s.id === m.methodId) as MethodSpec;
    const chain = config.chains.find((c) => c.chainId === m.chainId) as EvmChainConfig;
    return {
      ...spec,
      chainId: m.chainId,
      unitScale: m.decimals,
      pricePrecision: Math.min(spec.pricePrecision, m.decimals, PRICE_PRECISION_MAX),
      confirmations: chain.confirmations,
      ...(m.token === null ? {} : { contractAddress: toChecksumAddress(m.token) }),
    };
  });
}
