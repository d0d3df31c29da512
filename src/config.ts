// Environment (+ optional JSON config file) → typed, validated Config. A bad setting stops the
// server at start with a ConfigError naming it. docs/configuration.md lists every setting.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BalanceCurrencies, CurrencyScale } from './core/assets.ts';
import type { BalanceCurrency } from './core/assets.ts';
import { ConfigError } from './core/errors.ts';
import { Limits } from './core/limits.ts';
import { Modes } from './core/mode.ts';
import type { Env, Mode } from './core/mode.ts';
import { integerSetting as integer } from './core/mode.ts';
import { parseDecimal } from './core/money.ts';

export const Roles = ['api', 'watcher', 'worker'] as const;
export type Role = (typeof Roles)[number];

export const LogLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface Config {
  readonly mode: Mode;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly databasePoolSize: number;
  /** PostgreSQL: run hot-path statements as named prepared statements (off for poolers that cannot keep them). */
  readonly databasePreparedStatements: boolean;
  readonly adminToken: string | null;
  readonly rateLimitPerMinute: number;
  readonly logLevel: string;
  readonly roles: readonly Role[];
  readonly invoiceExpiryMs: number;
  readonly monitoringWindowMs: number;
  readonly depositMinMinor: Readonly<Record<BalanceCurrency, bigint>>;
  readonly depositMaxMinor: Readonly<Record<BalanceCurrency, bigint>>;
  readonly trustProxy: boolean;
  /** Base of every absolute URL Coffer writes (meta._next), without a trailing slash. */
  readonly publicUrl: string;
  /** Everything the settings were read from (env over the config file's flat settings), for method configs. */
  readonly env: Env;
  /** Structured sections of the config file (chains, tokens, webhook endpoints), validated by their owners. */
  readonly file: Readonly<Record<string, unknown>>;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return raw as T;
}

/** "USD=100000,EUR=100000,BTC=10" → minor units per currency, over the defaults. */
function amounts(env: Env, name: string, defaults: Record<BalanceCurrency, string>): Record<BalanceCurrency, bigint> {
  const text: Record<BalanceCurrency, string> = { ...defaults };
  for (const part of (env[name] ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [currency, value] = part.split('=');
    if (!currency || value === undefined || !(BalanceCurrencies as readonly string[]).includes(currency)) {
      throw new ConfigError(name, `expected CURRENCY=amount pairs like "USD=100000,BTC=10", got "${part}"`);
    }
    text[currency as BalanceCurrency] = value;
  }
  const out = {} as Record<BalanceCurrency, bigint>;
  for (const currency of BalanceCurrencies) {
    try {
      out[currency] = parseDecimal(text[currency], CurrencyScale[currency]);
    } catch {
      throw new ConfigError(name, `${currency} amount "${text[currency]}" is not a decimal with at most ${CurrencyScale[currency]} decimals`);
    }
  }
  return out;
}

function readConfigFile(path: string | undefined): { settings: Env; sections: Record<string, unknown> } {
  if (!path) return { settings: {}, sections: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError('COFFER_CONFIG', `cannot read ${path} as JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError('COFFER_CONFIG', `${path} must hold a JSON object`);
  const { settings = {}, ...sections } = parsed as { settings?: unknown } & Record<string, unknown>;
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new ConfigError('COFFER_CONFIG', '"settings" must be an object of NAME: "value"');
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new ConfigError(key, 'config file settings must be strings, numbers or booleans');
    flat[key] = String(value);
  }
  return { settings: flat, sections };
}

/**
 * COFFER_PUBLIC_URL, or http://HOST:PORT when unset (a wildcard HOST written as loopback). Never
 * derived from a request's Host header, which any client sets.
 */
function publicUrl(env: Env, host: string, port: number): string {
  const raw = env['COFFER_PUBLIC_URL'];
  if (raw === undefined || raw === '') {
    const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${port}`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('COFFER_PUBLIC_URL', `must be an absolute URL like https://pay.example.com, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('COFFER_PUBLIC_URL', `must be an http:// or https:// URL, got "${raw}"`);
  if (url.search || url.hash || url.username || url.password) throw new ConfigError('COFFER_PUBLIC_URL', 'must not carry a query, fragment or credentials');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

export function loadConfig(processEnv: Env): Config {
  const file = readConfigFile(processEnv['COFFER_CONFIG']);
  // The environment wins over the file, so one setting can be overridden without editing it.
  const env: Env = { ...file.settings, ...processEnv };
  const mode = oneOf(env, 'COFFER_MODE', Modes, 'sandbox');
  const databaseUrl = env['DATABASE_URL'] || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) throw new ConfigError('DATABASE_URL', 'must be a postgres:// URL (leave it unset for SQLite)');
  const adminToken = env['COFFER_ADMIN_TOKEN'] || null;
  if (adminToken !== null && adminToken.length < 16) throw new ConfigError('COFFER_ADMIN_TOKEN', 'must be at least 16 characters');
  const roles = (env['COFFER_ROLES'] ?? Roles.join(',')).split(',').map((r) => r.trim()).filter(Boolean);
  for (const role of roles) if (!(Roles as readonly string[]).includes(role)) throw new ConfigError('COFFER_ROLES', `unknown role "${role}"; use any of ${Roles.join(', ')}`);
  const dataDir = resolve(env['COFFER_DATA_DIR'] || './data');
  const host = env['HOST'] || '127.0.0.1';
  const port = integer(env, 'PORT', 3000, 0, 65535);
  return {
    mode, dataDir, databaseUrl, adminToken, host, port,
    publicUrl: publicUrl(env, host, port),
    databasePoolSize: integer(env, 'COFFER_DB_POOL_SIZE', 10, 1, 200),
    databasePreparedStatements: oneOf(env, 'COFFER_DB_PREPARED_STATEMENTS', ['true', 'false'], 'true') === 'true',
    rateLimitPerMinute: integer(env, 'COFFER_RATE_LIMIT', 600, 0, 10_000_000),
    logLevel: oneOf(env, 'COFFER_LOG_LEVEL', LogLevels, 'info'),
    roles: roles as Role[],
    invoiceExpiryMs: integer(env, 'COFFER_INVOICE_EXPIRY_SECONDS', Limits.invoiceExpiryMsDefault / 1000, 60, 7 * 24 * 3600) * 1000,
    monitoringWindowMs: integer(env, 'COFFER_MONITORING_WINDOW_HOURS', Limits.monitoringWindowMsDefault / 3_600_000, 0, 24 * 365) * 3_600_000,
    depositMinMinor: amounts(env, 'COFFER_DEPOSIT_MIN', { USD: '0.01', EUR: '0.01', BTC: '0.00000001' }),
    depositMaxMinor: amounts(env, 'COFFER_DEPOSIT_MAX', { USD: '100000', EUR: '100000', BTC: '10' }),
    trustProxy: oneOf(env, 'COFFER_TRUST_PROXY', ['true', 'false'], 'false') === 'true',
    env, file: file.sections,
  };
}

export function sqlitePath(config: Config): string {
  return join(config.dataDir, 'coffer.db');
}
