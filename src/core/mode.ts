// How Coffer runs: sandbox (no chain, simulated payments), a test network, or live. Shared by
// every `*ConfigFromEnv`.

import { ConfigError } from './errors.ts';

export const Modes = ['sandbox', 'regtest', 'testnet', 'live'] as const;
export type Mode = (typeof Modes)[number];

/** The environment (or the flat settings of the config file) as configuration reads it. */
export type Env = Readonly<Record<string, string | undefined>>;


/**
 * A whole-number setting in [min, max]; unset or empty gives `fallback`; anything else names the
 * setting. `maxText` says what the maximum is when it comes from another setting.
 */
export function integerSetting(env: Env, name: string, fallback: number, min: number, max: number, maxText = String(max)): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw new ConfigError(name, `must be a whole number, got "${text.slice(0, 40)}"`);
  const value = Number(text);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${maxText}, got ${text.slice(0, 40)}`);
  return value;
}
