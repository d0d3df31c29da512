// Rates configuration from the environment. Every bad value fails at start with a ConfigError
// naming the setting; docs/rates.md lists the settings and defaults.

import type { Decimal } from '../core/money.ts';
import { parseDecimal } from '../core/money.ts';
import { isBalanceCurrency, isCryptoAsset } from '../core/assets.ts';
import { ConfigError } from '../core/errors.ts';
import type { Env, Mode } from '../core/mode.ts';
import { integerSetting } from '../core/mode.ts';
import { BITSTAMP_BASE_URL } from './bitstamp-source.ts';
import { COINBASE_BASE_URL } from './coinbase-source.ts';
import { COINGECKO_BASE_URL } from './coingecko-source.ts';
import { KRAKEN_BASE_URL } from './kraken-source.ts';
import {
  RATE_CACHE_SECONDS_DEFAULT, RATE_MAX_AGE_SECONDS_DEFAULT, RATE_MAX_AGE_SECONDS_MAX, RATE_OUTLIER_PERCENT_DEFAULT,
  RATE_OUTLIER_PERCENT_MAX, RATE_TIMEOUT_MS_DEFAULT, RATE_TIMEOUT_MS_MAX, RATE_TIMEOUT_MS_MIN,
} from './limits.ts';
import { InvalidPriceError, parsePriceText } from './price-text.ts';
import type { PairKey } from './rate-source.ts';
import { staticRateTable } from './static-source.ts';
import type { StaticRateTable } from './static-source.ts';

export const NetworkRateSources = ['kraken', 'coinbase', 'bitstamp', 'coingecko'] as const;
export type NetworkRateSource = (typeof NetworkRateSources)[number];
export type RateSourceName = NetworkRateSource | 'static';

export type { Env, Mode } from '../core/mode.ts';

export interface RatesConfig {
  readonly sources: readonly RateSourceName[];
  readonly baseUrls: Readonly<Record<NetworkRateSource, string>>;
  readonly coingeckoApiKey?: string;
  readonly minSources: number;
  /** Outlier tolerance in hundredths of a percent (COFFER_RATE_OUTLIER_PERCENT × 100). */
  readonly outlierBasisPoints: bigint;
  readonly maxAgeMs: number;
  readonly cacheTtlMs: number;
  readonly timeoutMs: number;
  readonly staticRates: StaticRateTable;
}

const URL_SETTINGS: Readonly<Record<NetworkRateSource, readonly [string, string]>> = {
  kraken: ['COFFER_RATE_KRAKEN_URL', KRAKEN_BASE_URL],
  coinbase: ['COFFER_RATE_COINBASE_URL', COINBASE_BASE_URL],
  bitstamp: ['COFFER_RATE_BITSTAMP_URL', BITSTAMP_BASE_URL],
  coingecko: ['COFFER_RATE_COINGECKO_URL', COINGECKO_BASE_URL],
};

/** Rates are always configured (every deposit needs one), so this never returns null. */
export function ratesConfigFromEnv(env: Env, mode: Mode): RatesConfig {
  const sources = parseSources(env, mode);
  const minSources = integerSetting(env, 'COFFER_RATE_MIN_SOURCES', Math.min(2, sources.length), 1, sources.length,
    `the ${sources.length} configured source(s)`);
  const maxAgeSeconds = integerSetting(env, 'COFFER_RATE_MAX_AGE_SECONDS', RATE_MAX_AGE_SECONDS_DEFAULT, 1, RATE_MAX_AGE_SECONDS_MAX);
  const cacheSeconds = integerSetting(env, 'COFFER_RATE_CACHE_SECONDS', Math.min(RATE_CACHE_SECONDS_DEFAULT, maxAgeSeconds), 0, maxAgeSeconds,
    `COFFER_RATE_MAX_AGE_SECONDS (${maxAgeSeconds})`);
  const timeoutMs = integerSetting(env, 'COFFER_RATE_TIMEOUT_MS', RATE_TIMEOUT_MS_DEFAULT, RATE_TIMEOUT_MS_MIN, RATE_TIMEOUT_MS_MAX);
  const baseUrls = Object.fromEntries(NetworkRateSources.map((name) => {
    const [setting, fallback] = URL_SETTINGS[name];
    return [name, sources.includes(name) ? parseBaseUrl(env, setting, fallback, mode) : fallback];
  })) as Record<NetworkRateSource, string>;
  const apiKey = env['COFFER_RATE_COINGECKO_API_KEY']?.trim();
  return {
    sources,
    baseUrls,
    ...(apiKey ? { coingeckoApiKey: apiKey } : {}),
    minSources,
    outlierBasisPoints: parseOutlier(env),
    maxAgeMs: maxAgeSeconds * 1000,
    cacheTtlMs: cacheSeconds * 1000,
    timeoutMs,
    staticRates: sources.includes('static') ? parseStaticRates(env['COFFER_STATIC_RATES']) : staticRateTable(),
  };
}

function parseSources(env: Env, mode: Mode): RateSourceName[] {
  const setting = 'COFFER_RATE_SOURCES';
  const raw = env[setting]?.trim();
  if (raw === undefined || raw === '') return mode === 'sandbox' || mode === 'regtest' ? ['static'] : [...NetworkRateSources];
  const names = raw.split(',').map((s) => s.trim().toLowerCase());
  const out: RateSourceName[] = [];
  for (const name of names) {
    if (name !== 'static' && !(NetworkRateSources as readonly string[]).includes(name)) {
      throw new ConfigError(setting, `unknown source "${name}"; use ${[...NetworkRateSources, 'static'].join(', ')}`);
    }
    if (out.includes(name as RateSourceName)) throw new ConfigError(setting, `source "${name}" listed twice`);
    out.push(name as RateSourceName);
  }
  if (out.includes('static')) {
    if (mode === 'live') throw new ConfigError(setting, 'the static table is for sandbox and tests; live mode needs market sources');
    if (out.length > 1) throw new ConfigError(setting, 'static cannot be combined with market sources');
  }
  return out;
}

function parseOutlier(env: Env): bigint {
  const setting = 'COFFER_RATE_OUTLIER_PERCENT';
  const raw = env[setting]?.trim() || RATE_OUTLIER_PERCENT_DEFAULT;
  let hundredths: bigint;
  try {
    hundredths = parseDecimal(raw, 2, setting);
  } catch {
    throw new ConfigError(setting, `must be a percentage with at most 2 decimals, like 2 or 0.5, got "${raw.slice(0, 40)}"`);
  }
  if (hundredths <= 0n) throw new ConfigError(setting, 'must be greater than 0');
  if (hundredths > parseDecimal(RATE_OUTLIER_PERCENT_MAX, 2)) throw new ConfigError(setting, `must be at most ${RATE_OUTLIER_PERCENT_MAX}`);
  return hundredths;
}

function parseBaseUrl(env: Env, setting: string, fallback: string, mode: Mode): string {
  const raw = env[setting]?.trim();
  if (raw === undefined || raw === '') return fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(setting, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(setting, 'must be an http(s) URL');
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigError(setting, 'must not carry credentials, a query or a fragment');
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === '[::1]' || url.hostname === 'localhost';
  if (mode === 'live' && url.protocol !== 'https:' && !loopback) throw new ConfigError(setting, 'must use https in live mode');
  return raw.replace(/\/+$/, '');
}

/** "BTC/USD=65000,ETH/USD=3000" laid over the default table. */
export function parseStaticRates(raw: string | undefined): StaticRateTable {
  const setting = 'COFFER_STATIC_RATES';
  if (raw === undefined || raw.trim() === '') return staticRateTable();
  const overrides: Partial<Record<PairKey, Decimal>> = {};
  for (const entry of raw.split(',')) {
    const match = /^\s*([A-Za-z]+)\/([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(entry);
    if (match === null) throw new ConfigError(setting, `entries look like BTC/USD=65000, got "${entry.trim().slice(0, 40)}"`);
    const base = (match[1] ?? '').toUpperCase();
    const quote = (match[2] ?? '').toUpperCase();
    if (!isCryptoAsset(base) || !isBalanceCurrency(quote) || base === quote) throw new ConfigError(setting, `unknown pair ${base}/${quote}`);
    const pair: PairKey = `${base}/${quote}`;
    if (overrides[pair] !== undefined) throw new ConfigError(setting, `${pair} listed twice`);
    try {
      overrides[pair] = parsePriceText(match[3] ?? '');
    } catch (error) {
      if (error instanceof InvalidPriceError) throw new ConfigError(setting, `${pair}: ${error.message}`);
      throw error;
    }
  }
  return staticRateTable(overrides);
}
