// EVM configuration: which chains (chain id, JSON-RPC URL, confirmations, range limits) and which
// method ids (native coin or an ERC-20 contract with its decimals) this deployment accepts.
// Two entry points build the same typed EvmConfig: evmConfigFromEnv (environment variables, the
// simple case) and evmConfigFromSettings (the structured form a JSON config file carries).

import { createHash } from 'node:crypto';
import { ConfigError } from '../../core/errors.ts';
import type { CryptoAsset } from '../../core/assets.ts';
import { PRICE_PRECISION_MAX } from '../../core/assets.ts';
import type { MethodSpec } from '../../core/methods.ts';
import type { Mode } from '../../core/mode.ts';
import { isValidChecksum, parseEvmWalletKey, toChecksumAddress } from './address.ts';
import type { EvmWalletKey } from './address.ts';
import {
  BLOCK_RANGE_MAX_DEFAULT, BLOCK_RANGE_MAX_LIMIT, CONFIRMATIONS_MAX, HASH_WINDOW_MAX, HASH_WINDOW_MIN,
  POLL_INTERVAL_MS_DEFAULT, RPC_BATCH_MAX, STALE_AFTER_MS_DEFAULT,
} from './limits.ts';
import { EvmMethods } from './methods.ts';
import type { EvmMethodDefault } from './methods.ts';

/**
 * When a payment on a chain is final: after `confirmations` blocks (every chain), or once its
 * block is at or below the node's `safe` / `finalized` block (post-merge Ethereum, the OP stack
 * (Base), Arbitrum Nitro, Polygon PoS since its milestones). docs/evm.md has the per-chain notes.
 */
export const FinalityModes = ['confirmations', 'safe', 'finalized'] as const;
export type FinalityMode = (typeof FinalityModes)[number];

/**
 * How ETH sent to a deposit address by a contract (an inner call) is found: `auto` asks the node
 * at start for call traces and uses them, else balances; `traces` only call traces; `balances`
 * only the balance check of open deposit addresses (a node or provider without debug/trace
 * methods); `off` neither (only top-level transfers). docs/evm.md "ETH sent by contracts".
 */
export const ForwardedModes = ['auto', 'traces', 'balances', 'off'] as const;
export type ForwardedMode = (typeof ForwardedModes)[number];

/**
 * Request shapes to start from, per kind of endpoint (what the provider documents; the follower
 * adapts from there on every refusal, so a wrong preset costs a few refused requests, not a stuck
 * chain). Sources: Alchemy eth_getLogs docs (2,000-block range, 10K logs; free tier 10 blocks, see
 * the "up to a 10 block range" error) and batch docs (max 1,000 calls, fewer recommended); Infura
 * eth_getLogs constraints (10,000 results, live range cap 10,000, INFURA/infura#237); QuickNode
 * eth_getLogs (10,000-block range limit; free plans 5); public endpoints: sqd.dev/learn/eth-getlogs-limits
 * (1rpc.io 50 blocks, merkle 1,000) and chainstack's recommendation (2,000).
 */
export const ProviderPresets = {
  'own-node': { logsRange: 5_000, batchSize: 100 },
  alchemy: { logsRange: 2_000, batchSize: 50 },
  infura: { logsRange: 2_000, batchSize: 50 },
  quicknode: { logsRange: 5_000, batchSize: 50 },
  public: { logsRange: 50, batchSize: 10 },
} as const satisfies Record<string, { logsRange: number; batchSize: number }>;
export type ProviderPreset = keyof typeof ProviderPresets;
export const ProviderPresetNames = Object.keys(ProviderPresets) as ProviderPreset[];

/**
 * Default poll interval per known chain: about one block on slow chains, and a range of ~12
 * blocks per step on Arbitrum (~4 blocks/s), so an idle chain costs ~0.2 requests per block
 * (docs/benchmarks.md "EVM at mainnet shape"). Other chains (local, test) poll every second.
 */
const PollIntervalMsByChain: Readonly<Record<number, number>> = {
  1: 4_000, 11155111: 4_000, 8453: 2_000, 84532: 2_000, 137: 2_000, 80002: 2_000, 42161: 3_000, 421614: 3_000,
};

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
  /** When a payment is final on this chain: confirmations (default) or the node's safe/finalized tag. */
  readonly finality: FinalityMode;
  /** How ETH forwarded by contracts is found (call traces, balances, auto-detected, or not at all). */
  readonly forwarded: ForwardedMode;
  /** The preset the request shapes start from. */
  readonly provider: ProviderPreset;
  /** Blocks per eth_getLogs call to start with (adapts; a provider's stated limit caps it). */
  readonly logsRangeInitial: number;
  /** JSON-RPC calls per HTTP batch to start with (adapts). */
  readonly batchSize: number;
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
    readonly finality?: FinalityMode;
    readonly forwarded?: ForwardedMode;
    readonly provider?: ProviderPreset;
    readonly logsRange?: number;
    readonly batchSize?: number;
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


/** Testnet chain ids by network (Sepolia and its L2 / Polygon Amoy counterparts). */
const TestnetChainIds: Readonly<Record<string, number>> = {
  ethereum: 11155111, base: 84532, arbitrum: 421614, polygon: 80002,
};

export function defaultChainId(method: EvmMethodDefault, mode: Mode): number {
  if (mode === 'testnet') return TestnetChainIds[method.spec.network] ?? method.chainId;
  return method.chainId;
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

function choiceSetting<T extends string>(name: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

function buildChain(raw: EvmSettings['chains'][number], names: SettingNames, confirmationsDefault: number): EvmChainConfig {
  const chainId = intSetting(names.chain(Number(raw.chainId), 'chainId'), raw.chainId, 1, Number.MAX_SAFE_INTEGER);
  const n = (field: string): string => names.chain(chainId, field);
  const confirmations = raw.confirmations === undefined ? confirmationsDefault
    : intSetting(n('confirmations'), raw.confirmations, 1, CONFIRMATIONS_MAX);
  const provider = raw.provider === undefined ? 'own-node' : choiceSetting(n('provider'), raw.provider, ProviderPresetNames);
  const preset = ProviderPresets[provider];
  const blockRangeMax = raw.blockRangeMax === undefined ? BLOCK_RANGE_MAX_DEFAULT
    : intSetting(n('blockRangeMax'), raw.blockRangeMax, 1, BLOCK_RANGE_MAX_LIMIT);
  const finality = raw.finality === undefined ? 'confirmations' : choiceSetting(n('finality'), raw.finality, FinalityModes);
  // With a tag, payments are held one short of the count until the tag passes them: 1 would credit at once.
  if (finality !== 'confirmations' && confirmations < 2) throw new ConfigError(n('confirmations'), `must be at least 2 with finality ${finality}`);
  return {
    finality,
    forwarded: raw.forwarded === undefined ? 'auto' : choiceSetting(n('forwarded'), raw.forwarded, ForwardedModes),
    provider,
    logsRangeInitial: raw.logsRange === undefined ? preset.logsRange : intSetting(n('logsRange'), raw.logsRange, 1, BLOCK_RANGE_MAX_LIMIT),
    batchSize: raw.batchSize === undefined ? preset.batchSize : intSetting(n('batchSize'), raw.batchSize, 1, RPC_BATCH_MAX),
    chainId,
    rpcUrl: urlSetting(n('rpcUrl'), raw.rpcUrl),
    confirmations,
    blockRangeMax,
    pollIntervalMs: raw.pollIntervalMs === undefined ? (PollIntervalMsByChain[chainId] ?? POLL_INTERVAL_MS_DEFAULT)
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
  { spec, chainId: mainnetChainId }: EvmMethodDefault, chainId: number, token: { contract: string; decimals: number; symbol?: string } | undefined,
  mode: Mode, names: SettingNames,
): EvmMethodConfig | null {
  const tokenSetting = names.method(spec.id, 'token');
  if (spec.contractAddress === undefined) {
    if (token !== undefined) throw new ConfigError(tokenSetting, `${spec.id} is the chain's native coin and takes no token contract`);
    return { methodId: spec.id, chainId, asset: spec.asset, symbol: spec.asset, decimals: 18, token: null, tokenSetting };
  }
  if (token === undefined) {
    // Mainnet contract addresses mean nothing on a testnet or a local chain: only live mode
    // (on the method's own chain) falls back to them.
    if (mode !== 'live' || chainId !== mainnetChainId) return null;
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
  settings: EvmSettings, mode: Mode, names: SettingNames = fileSettingNames(),
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
  const wanted = settings.methods ?? EvmMethods.map((m) => ({ id: m.spec.id }));
  for (const entry of wanted) {
    const known = EvmMethods.find((m) => m.spec.id === entry.id);
    if (known === undefined) throw new ConfigError(names.methods, `unknown EVM method id ${JSON.stringify(entry.id)}`);
    const spec = known.spec;
    if (methods.some((m) => m.methodId === spec.id)) throw new ConfigError(names.methods, `${spec.id} is listed twice`);
    const chainId = 'chainId' in entry && entry.chainId !== undefined
      ? intSetting(names.method(spec.id, 'chainId'), entry.chainId, 1, Number.MAX_SAFE_INTEGER)
      : defaultChainId(known, mode);
    if (!chainIds.has(chainId)) {
      if (explicit) throw new ConfigError(names.chain(chainId, 'rpcUrl'), `${spec.id} needs chain ${chainId}, which has no RPC URL`);
      continue;
    }
    const method = buildMethod(known, chainId, 'token' in entry ? entry.token : undefined, mode, names);
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
    const specs = methods.filter((m) => m.chainId === raw.chainId).map((m) => (EvmMethods.find((d) => d.spec.id === m.methodId) as EvmMethodDefault).spec);
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

/** MethodSpecs as this deployment configured them (contract, decimals, confirmations; each target carries its chain id). */
export function evmMethodSpecs(config: EvmConfig): MethodSpec[] {
  return config.methods.map((m) => {
    const spec = (EvmMethods.find((d) => d.spec.id === m.methodId) as EvmMethodDefault).spec;
    const chain = config.chains.find((c) => c.chainId === m.chainId) as EvmChainConfig;
    return {
      ...spec,
      unitScale: m.decimals,
      pricePrecision: Math.min(spec.pricePrecision, m.decimals, PRICE_PRECISION_MAX),
      confirmations: chain.confirmations,
      ...(m.token === null ? {} : { contractAddress: toChecksumAddress(m.token) }),
    };
  });
}
