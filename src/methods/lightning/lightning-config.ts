// Lightning configuration from the environment. Absent COFFER_LIGHTNING_BACKEND means lightning is
// not configured (null). Every bad value throws ConfigError naming the setting, so the server
// refuses to start rather than fail on the first deposit.

import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.ts';
import type { Bolt11Network } from './bolt11.ts';
import { LightningLimits } from './limits.ts';
import { integerSetting as integer } from '../../core/mode.ts';
import type { Mode } from '../../core/mode.ts';

export interface LndConfig {
  readonly kind: 'lnd';
  readonly restUrl: string;
  readonly macaroonHex: string;
  readonly tlsCertPem?: string;
}

export interface ClnConfig {
  readonly kind: 'cln';
  readonly restUrl: string;
  readonly rune: string;
  readonly tlsCertPem?: string;
}

export interface LightningConfig {
  readonly backend: LndConfig | ClnConfig;
  /** Network the node must be on; invoices for another network are refused. */
  readonly network: Bolt11Network;
  /** Expected node key (hex); when absent the key the node reports at start-up is used. */
  readonly nodeKey?: string;
  readonly pollIntervalMs: number;
  readonly requestTimeoutMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const MODE_NETWORK: Readonly<Record<Mode, Bolt11Network>> = { sandbox: 'bcrt', regtest: 'bcrt', testnet: 'tb', live: 'bc' };

function required(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') throw new ConfigError(name, 'is required for this lightning backend');
  return value;
}

function restUrl(env: Env, name: string): string {
  const text = required(env, name);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(name, 'must be a URL like https://127.0.0.1:8080');
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && !local) throw new ConfigError(name, 'plain http is only allowed for a node on this host; use https');
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must be an http(s) URL');
  return url.origin + url.pathname.replace(/\/$/, '');
}

function readText(name: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(name, `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** PEM inline, or a path to a PEM file. */
function tlsCert(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return undefined;
  const pem = value.startsWith('-----BEGIN') ? value : readText(name, value);
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(name, 'is not a PEM certificate');
  return pem;
}

/** Hex macaroon, or a path to the binary macaroon file (e.g. invoice.macaroon). */
function macaroon(env: Env): string {
  const name = 'COFFER_LND_MACAROON';
  const value = required(env, name);
  if (/^(?:[0-9a-f]{2}){16,}$/i.test(value)) return value.toLowerCase();
  let bytes: Buffer;
  try {
    bytes = readFileSync(value);
  } catch {
    throw new ConfigError(name, 'must be the macaroon as hex or a readable path to the macaroon file');
  }
  if (bytes.length === 0) throw new ConfigError(name, `${value} is empty`);
  return bytes.toString('hex');
}

function network(env: Env, mode: Mode): Bolt11Network {
  const value = env['COFFER_LIGHTNING_NETWORK']?.trim();
  if (value === undefined || value === '') return MODE_NETWORK[mode];
  const byName: Readonly<Record<string, Bolt11Network>> = { bitcoin: 'bc', mainnet: 'bc', testnet: 'tb', testnet4: 'tb', signet: 'tbs', regtest: 'bcrt' };
  const chosen = byName[value];
  if (chosen === undefined) throw new ConfigError('COFFER_LIGHTNING_NETWORK', 'must be one of mainnet, testnet, testnet4, signet, regtest');
  if (mode === 'live' && chosen !== 'bc') throw new ConfigError('COFFER_LIGHTNING_NETWORK', 'live mode needs a mainnet node');
  if (mode !== 'live' && chosen === 'bc') throw new ConfigError('COFFER_LIGHTNING_NETWORK', `${mode} mode cannot use a mainnet node`);
  return chosen;
}

export function lightningConfigFromEnv(env: Env, mode: Mode): LightningConfig | null {
  const kind = env['COFFER_LIGHTNING_BACKEND']?.trim().toLowerCase();
  if (kind === undefined || kind === '' || kind === 'none') return null;
  let backend: LndConfig | ClnConfig;
  if (kind === 'lnd') {
    const cert = tlsCert(env, 'COFFER_LND_TLS_CERT');
    backend = { kind, restUrl: restUrl(env, 'COFFER_LND_REST_URL'), macaroonHex: macaroon(env), ...(cert !== undefined ? { tlsCertPem: cert } : {}) };
  } else if (kind === 'cln') {
    const cert = tlsCert(env, 'COFFER_CLN_TLS_CERT');
    const rune = required(env, 'COFFER_CLN_RUNE');
    if (!/^[A-Za-z0-9_=-]+$/.test(rune)) throw new ConfigError('COFFER_CLN_RUNE', 'is not a rune (base64url text)');
    backend = { kind, restUrl: restUrl(env, 'COFFER_CLN_REST_URL'), rune, ...(cert !== undefined ? { tlsCertPem: cert } : {}) };
  } else {
    throw new ConfigError('COFFER_LIGHTNING_BACKEND', 'must be lnd or cln');
  }
  const nodeKey = env['COFFER_LIGHTNING_NODE_KEY']?.trim().toLowerCase();
  if (nodeKey !== undefined && nodeKey !== '' && !/^0[23][0-9a-f]{64}$/.test(nodeKey)) {
    throw new ConfigError('COFFER_LIGHTNING_NODE_KEY', 'must be a 33-byte compressed public key in hex (66 characters)');
  }
  return {
    backend,
    network: network(env, mode),
    ...(nodeKey !== undefined && nodeKey !== '' ? { nodeKey } : {}),
    pollIntervalMs: integer(env, 'COFFER_LIGHTNING_POLL_MS', LightningLimits.pollIntervalMsDefault, LightningLimits.pollIntervalMsMin, 600_000),
    requestTimeoutMs: integer(env, 'COFFER_LIGHTNING_TIMEOUT_MS', LightningLimits.requestTimeoutMsDefault, 100, 120_000),
  };
}
