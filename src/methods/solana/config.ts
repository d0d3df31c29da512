// Solana USDC configuration from the environment. Variables (docs/configuration.md):
//   COFFER_SOLANA_RPC_URL            JSON-RPC endpoint; unset = the usdc_solana rail is off
//   COFFER_SOLANA_OWNER              the operator's wallet address (the Solana Pay recipient)
//   COFFER_SOLANA_TOKEN_ACCOUNT      its USDC associated token account (optional with OWNER; with
//                                    it alone, the owner is read from the chain at start)
//   COFFER_SOLANA_USDC_MINT          default: Circle's USDC mint of the cluster
//   COFFER_SOLANA_CLUSTER            mainnet-beta (live) | devnet | testnet (testnet) | localnet (regtest)
//   COFFER_SOLANA_COMMITMENT         finalized (default) | confirmed: when a payment is credited
//   COFFER_SOLANA_POLL_INTERVAL_MS, COFFER_SOLANA_STALE_AFTER_MS
// Everything that can be checked without the node is checked here; the node checks (the mint is
// a 6-decimal token, the token account is the owner's ATA, the cluster's genesis hash) run at start.

import { ConfigError } from '../../core/errors.ts';
import type { Env, Mode } from '../../core/mode.ts';
import { integerSetting } from '../../core/mode.ts';
import { isPublicKey } from './keys.ts';
import { POLL_INTERVAL_MS_DEFAULT, POLL_INTERVAL_MS_MAX, STALE_AFTER_MS_DEFAULT } from './limits.ts';

/** The rail's one method id (Bitrefill's name). */
export const SOLANA_METHOD_ID = 'usdc_solana';

export const SolanaClusters = ['mainnet-beta', 'devnet', 'testnet', 'localnet'] as const;
export type SolanaCluster = (typeof SolanaClusters)[number];

export const SolanaCommitments = ['finalized', 'confirmed'] as const;
export type SolanaCommitment = (typeof SolanaCommitments)[number];

/**
 * Circle's USDC mints (developers.circle.com "USDC contract addresses": Solana mainnet and
 * devnet). Testnet and localnet have none: the mint must be configured there.
 */
export const UsdcMints: Readonly<Partial<Record<SolanaCluster, string>>> = {
  'mainnet-beta': 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
  devnet: '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU',
};

/**
 * Genesis hashes (getGenesisHash) of the public clusters, checked at start so a devnet URL never
 * serves a live deployment. Source: the `--expected-genesis-hash` of each cluster's validator
 * example in the Solana docs "Clusters" page (docs.solanalabs.com/clusters/available).
 */
export const GenesisHashes: Readonly<Partial<Record<SolanaCluster, string>>> = {
  'mainnet-beta': '5eykt4UsFv8P8NJdTREpY1vzqKqZKvdpKuc147dw2N9d',
  devnet: 'EtWTRABZaYq6iMfeYKouRu166VU2xqa1wcaWoxPkrZBG',
  testnet: '4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY',
};

/** Which clusters each mode may use: live money only on mainnet, test money never there. */
const ClustersByMode: Readonly<Record<Exclude<Mode, 'sandbox'>, readonly SolanaCluster[]>> = {
  live: ['mainnet-beta'],
  testnet: ['devnet', 'testnet'],
  regtest: ['localnet'],
};

/** The network name invoices carry (`payment.network`), per cluster. */
export const ClusterNetworks: Readonly<Record<SolanaCluster, string>> = {
  'mainnet-beta': 'solana', devnet: 'solana-devnet', testnet: 'solana-testnet', localnet: 'solana-localnet',
};

export const SolanaSettings = {
  rpcUrl: 'COFFER_SOLANA_RPC_URL',
  owner: 'COFFER_SOLANA_OWNER',
  tokenAccount: 'COFFER_SOLANA_TOKEN_ACCOUNT',
  mint: 'COFFER_SOLANA_USDC_MINT',
  cluster: 'COFFER_SOLANA_CLUSTER',
  commitment: 'COFFER_SOLANA_COMMITMENT',
  pollIntervalMs: 'COFFER_SOLANA_POLL_INTERVAL_MS',
  staleAfterMs: 'COFFER_SOLANA_STALE_AFTER_MS',
} as const;

export interface SolanaConfig {
  readonly rpcUrl: string;
  readonly cluster: SolanaCluster;
  readonly network: string;
  /** The operator's wallet; null until read from the token account at start. */
  readonly owner: string | null;
  readonly tokenAccount: string | null;
  readonly mint: string;
  readonly commitment: SolanaCommitment;
  readonly pollIntervalMs: number;
  readonly staleAfterMs: number;
}

function text(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function publicKey(env: Env, name: string): string | undefined {
  const value = text(env, name);
  if (value !== undefined && !isPublicKey(value)) throw new ConfigError(name, `"${value}" is not a base58 Solana public key`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const value = text(env, name) ?? fallback;
  if (!(values as readonly string[]).includes(value)) throw new ConfigError(name, `must be one of ${values.join(', ')}, got "${value}"`);
  return value as T;
}

/** Null when the rail is off (no RPC URL, or sandbox mode, which simulates every method). */
export function solanaConfigFromEnv(env: Env, mode: Mode): SolanaConfig | null {
  if (mode === 'sandbox') return null;
  const rpcUrl = text(env, SolanaSettings.rpcUrl);
  if (rpcUrl === undefined) return null;
  if (!/^https?:\/\/\S+$/.test(rpcUrl)) throw new ConfigError(SolanaSettings.rpcUrl, 'must be an http(s) URL');
  const allowed = ClustersByMode[mode];
  const cluster = oneOf(env, SolanaSettings.cluster, SolanaClusters, allowed[0] as SolanaCluster);
  if (!allowed.includes(cluster)) {
    throw new ConfigError(SolanaSettings.cluster, `"${cluster}" is not allowed in ${mode} mode (use ${allowed.join(' or ')})`);
  }
  const owner = publicKey(env, SolanaSettings.owner) ?? null;
  const tokenAccount = publicKey(env, SolanaSettings.tokenAccount) ?? null;
  if (owner === null && tokenAccount === null) {
    throw new ConfigError(SolanaSettings.owner, `set the operator's wallet address (or ${SolanaSettings.tokenAccount}) to receive USDC`);
  }
  const mint = publicKey(env, SolanaSettings.mint) ?? UsdcMints[cluster];
  if (mint === undefined) throw new ConfigError(SolanaSettings.mint, `cluster ${cluster} has no default USDC mint: set it`);
  return {
    rpcUrl, cluster, network: ClusterNetworks[cluster], owner, tokenAccount, mint,
    commitment: oneOf(env, SolanaSettings.commitment, SolanaCommitments, 'finalized'),
    pollIntervalMs: integerSetting(env, SolanaSettings.pollIntervalMs, POLL_INTERVAL_MS_DEFAULT, 10, POLL_INTERVAL_MS_MAX),
    staleAfterMs: integerSetting(env, SolanaSettings.staleAfterMs, STALE_AFTER_MS_DEFAULT, 1_000, 24 * 3_600_000),
  };
}
