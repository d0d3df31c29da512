// Environment-variable form of the EVM configuration (the simple case). Variables:
//   COFFER_EVM_XPUB                      account xpub (m/44'/60'/0'); unset = EVM methods off
//   COFFER_EVM_RPC_URL_<CHAINID>         JSON-RPC URL per chain, e.g. COFFER_EVM_RPC_URL_8453
//   COFFER_ETHEREUM_RPC_URL, COFFER_BASE_RPC_URL, COFFER_ARBITRUM_RPC_URL, COFFER_POLYGON_RPC_URL
//                                        aliases for the network's chain id in this mode
//   COFFER_EVM_CONFIRMATIONS_<CHAINID>, COFFER_EVM_BLOCK_RANGE_MAX_<CHAINID>,
//   COFFER_EVM_START_BLOCK_<CHAINID>, COFFER_EVM_GONE_AFTER_BLOCKS_<CHAINID>
//   COFFER_EVM_FINALITY_<CHAINID>        confirmations | safe | finalized
//   COFFER_EVM_FORWARDED_<CHAINID>      auto | traces | balances | off (ETH sent by contracts)
//   COFFER_EVM_PROVIDER_<CHAINID>        own-node | alchemy | infura | quicknode | public (request presets)
//   COFFER_EVM_LOGS_RANGE_<CHAINID>, COFFER_EVM_BATCH_SIZE_<CHAINID>   initial request shapes (adapt)
//   COFFER_EVM_POLL_INTERVAL_MS, COFFER_EVM_STALE_AFTER_MS   (every chain)
//   COFFER_EVM_METHODS                   comma list; unset = every method that is fully configured
//   COFFER_EVM_CHAIN_<METHODID>          chain id override, e.g. COFFER_EVM_CHAIN_ETHEREUM=31337
//   COFFER_EVM_TOKEN_<METHODID>          <contract>:<decimals>[:<symbol>], e.g. for USDC_BASE

import { ConfigError } from '../../core/errors.ts';
import { integerSetting } from '../../core/mode.ts';
import type { Env, Mode } from '../../core/mode.ts';
import { defaultChainId, evmConfigFromSettings } from './config.ts';
import { EvmMethods } from './methods.ts';
import type { EvmConfig, EvmSettings, FinalityMode, ForwardedMode, ProviderPreset, SettingNames } from './config.ts';


const NetworkAliases = ['ethereum', 'base', 'arbitrum', 'polygon'] as const;

/** A whole number when set (core's parser); its range is checked by evmConfigFromSettings, which names the variable. */
function envInt(env: Env, name: string): number | undefined {
  return set(env, name) === undefined ? undefined : integerSetting(env, name, 0, 0, Number.MAX_SAFE_INTEGER);
}

function set(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

/** Collects chain id → [rpc url, the variable that set it] from numeric and alias variables. */
function rpcUrls(env: Env, mode: Mode): Map<number, { url: string; setting: string }> {
  const urls = new Map<number, { url: string; setting: string }>();
  const add = (chainId: number, url: string, setting: string): void => {
    const prior = urls.get(chainId);
    if (prior !== undefined && prior.url !== url) {
      throw new ConfigError(setting, `chain ${chainId} already has a different RPC URL from ${prior.setting}`);
    }
    urls.set(chainId, { url, setting });
  };
  for (const [name, value] of Object.entries(env)) {
    const match = /^COFFER_EVM_RPC_URL_(\d+)$/.exec(name);
    if (match !== null && value !== undefined && value.trim() !== '') add(Number(match[1]), value.trim(), name);
  }
  for (const network of NetworkAliases) {
    const name = `COFFER_${network.toUpperCase()}_RPC_URL`;
    const url = set(env, name);
    const method = EvmMethods.find((m) => m.spec.network === network);
    if (url !== undefined && method !== undefined) add(defaultChainId(method, mode), url, name);
  }
  return urls;
}

function parseToken(name: string, raw: string): { contract: string; decimals: number; symbol?: string } {
  const [contract, decimals, symbol, ...rest] = raw.split(':');
  if (contract === undefined || decimals === undefined || !/^\d+$/.test(decimals) || rest.length > 0) {
    throw new ConfigError(name, 'must be <contract>:<decimals>[:<symbol>], e.g. 0x8335…2913:6');
  }
  return { contract, decimals: Number(decimals), ...(symbol !== undefined && symbol !== '' ? { symbol } : {}) };
}

/** Returns null when EVM methods are off (no xpub, or sandbox mode, which simulates every method). */
export function evmConfigFromEnv(env: Env, mode: Mode): EvmConfig | null {
  if (mode === 'sandbox') return null;
  const xpub = set(env, 'COFFER_EVM_XPUB');
  if (xpub === undefined) return null;
  const urls = rpcUrls(env, mode);
  const chains: EvmSettings['chains'][number][] = [...urls.entries()].map(([chainId, { url }]) => {
    const v = (prefix: string): number | undefined => envInt(env, `${prefix}_${chainId}`);
    const confirmations = v('COFFER_EVM_CONFIRMATIONS');
    const blockRangeMax = v('COFFER_EVM_BLOCK_RANGE_MAX');
    const startBlock = v('COFFER_EVM_START_BLOCK');
    const goneAfterBlocks = v('COFFER_EVM_GONE_AFTER_BLOCKS');
    const pollIntervalMs = envInt(env, 'COFFER_EVM_POLL_INTERVAL_MS');
    const staleAfterMs = envInt(env, 'COFFER_EVM_STALE_AFTER_MS');
    const logsRange = v('COFFER_EVM_LOGS_RANGE');
    const batchSize = v('COFFER_EVM_BATCH_SIZE');
    // Checked against the allowed values by evmConfigFromSettings, which names the variable.
    const finality = set(env, `COFFER_EVM_FINALITY_${chainId}`) as FinalityMode | undefined;
    const provider = set(env, `COFFER_EVM_PROVIDER_${chainId}`) as ProviderPreset | undefined;
    const forwarded = set(env, `COFFER_EVM_FORWARDED_${chainId}`) as ForwardedMode | undefined;
    return {
      ...(forwarded !== undefined ? { forwarded } : {}),
      ...(logsRange !== undefined ? { logsRange } : {}),
      ...(batchSize !== undefined ? { batchSize } : {}),
      ...(finality !== undefined ? { finality } : {}),
      ...(provider !== undefined ? { provider } : {}),
      chainId, rpcUrl: url,
      ...(confirmations !== undefined ? { confirmations } : {}),
      ...(blockRangeMax !== undefined ? { blockRangeMax } : {}),
      ...(startBlock !== undefined ? { startBlock } : {}),
      ...(goneAfterBlocks !== undefined ? { goneAfterBlocks } : {}),
      ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
      ...(staleAfterMs !== undefined ? { staleAfterMs } : {}),
    };
  });
  const listed = set(env, 'COFFER_EVM_METHODS');
  const ids = listed === undefined
    ? EvmMethods.map((m) => m.spec.id)
    : listed.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const methods = ids.map((id) => {
    const key = id.toUpperCase();
    const chainId = envInt(env, `COFFER_EVM_CHAIN_${key}`);
    const tokenRaw = set(env, `COFFER_EVM_TOKEN_${key}`);
    return {
      id,
      ...(chainId !== undefined ? { chainId } : {}),
      ...(tokenRaw !== undefined ? { token: parseToken(`COFFER_EVM_TOKEN_${key}`, tokenRaw) } : {}),
    };
  });
  const names: SettingNames = {
    xpub: 'COFFER_EVM_XPUB',
    chain: (chainId, field) => {
      const byField: Record<string, string> = {
        rpcUrl: urls.get(chainId)?.setting ?? `COFFER_EVM_RPC_URL_${chainId}`,
        chainId: `COFFER_EVM_RPC_URL_${chainId}`,
        confirmations: `COFFER_EVM_CONFIRMATIONS_${chainId}`,
        blockRangeMax: `COFFER_EVM_BLOCK_RANGE_MAX_${chainId}`,
        startBlock: `COFFER_EVM_START_BLOCK_${chainId}`,
        goneAfterBlocks: `COFFER_EVM_GONE_AFTER_BLOCKS_${chainId}`,
        pollIntervalMs: 'COFFER_EVM_POLL_INTERVAL_MS',
        staleAfterMs: 'COFFER_EVM_STALE_AFTER_MS',
        finality: `COFFER_EVM_FINALITY_${chainId}`,
        forwarded: `COFFER_EVM_FORWARDED_${chainId}`,
        provider: `COFFER_EVM_PROVIDER_${chainId}`,
        logsRange: `COFFER_EVM_LOGS_RANGE_${chainId}`,
        batchSize: `COFFER_EVM_BATCH_SIZE_${chainId}`,
      };
      return byField[field] ?? `COFFER_EVM_*_${chainId}`;
    },
    method: (id, field) => (field === 'chainId' ? `COFFER_EVM_CHAIN_${id.toUpperCase()}` : `COFFER_EVM_TOKEN_${id.toUpperCase()}`),
    methods: 'COFFER_EVM_METHODS',
  };
  if (chains.length === 0) {
    throw new ConfigError('COFFER_EVM_RPC_URL_<CHAINID>', 'COFFER_EVM_XPUB is set but no chain has an RPC URL');
  }
  return evmConfigFromSettings({ xpub, chains, methods }, mode, names, listed !== undefined);
}
