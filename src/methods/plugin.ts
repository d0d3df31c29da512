// The one shape of a payment rail. Each rail is a folder, methods/<rail>/, whose plugin.ts exports
// one RailPlugin: the method ids it serves and their specs, how it reads and checks its own
// settings, how it builds its adapter (targets + watcher, and the optional capabilities it
// declares), and how the sandbox simulates it. methods/registry.ts lists the plugins; the
// composition root, the sandbox, the website and the docs read that list and nothing else.

import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { MethodSpec } from '../core/methods.ts';
import type { Env, Mode } from '../core/mode.ts';
import type { IndexAllocator, PaymentMethodAdapter, PaymentTarget, TargetRequest } from '../core/payment-method.ts';

/** Where a rail reads its settings: the environment, the mode, and the optional config file's sections. */
export interface RailSettingsSource {
  readonly env: Env;
  readonly mode: Mode;
  readonly file: Readonly<Record<string, unknown>>;
}

export interface RailDeps {
  readonly clock: Clock;
  readonly log: Logger;
}

/** A rail as configured: its adapter and the specs of the methods it serves, as this deployment set them. */
export interface BuiltRail {
  readonly adapter: PaymentMethodAdapter;
  readonly specs: readonly MethodSpec[];
}

/** How the sandbox serves a rail: realistic targets on a named test network, payments simulated. */
export interface RailSandbox {
  /** The method's spec as the sandbox serves it (its test network, test token). */
  spec(spec: MethodSpec): MethodSpec;
  /** A target as the live rail would show it, to a fixed public test wallet (nothing is watched). */
  target(request: TargetRequest, indexes: IndexAllocator, clock: Clock): Promise<PaymentTarget>;
  /** A simulated payment's natural key and txid, from a 32-byte hex hash. */
  payment(spec: MethodSpec, targetKey: string, hash: string): { readonly paymentKey: string; readonly txid: string };
}

/**
 * A rail. `Config` is whatever its `configure` returns; only the same plugin's `create` ever sees
 * it, so the registry lists plugins as RailPlugin (of unknown config).
 */
export interface RailPlugin<Config = unknown> {
  /** The folder name. Adapters report it; watcher leases and durable state are kept under it. */
  readonly rail: string;
  /** The settings that turn it on, for messages: 'COFFER_BITCOIN_*'. */
  readonly settings: string;
  /** Its method ids and their default specs (Bitrefill's names). */
  readonly methods: readonly MethodSpec[];
  /**
   * Reads and checks its settings; null when the rail is off (not configured, or sandbox mode).
   * A bad value throws ConfigError naming the setting.
   */
  configure(source: RailSettingsSource): Config | null;
  /**
   * Builds the adapter, checking the backend (reachable, right network) with ConfigError naming the
   * setting. A plugin loads its backend's modules here, with import(), so a process where the rail
   * is off (sandbox mode, or not configured) never loads them: start-up time (docs/benchmarks.md).
   */
  create(config: Config, deps: RailDeps): Promise<BuiltRail>;
  readonly sandbox: RailSandbox;
}

/** The default spec of `id` among a rail's methods (a programming error when absent). */
export function specOf(methods: readonly MethodSpec[], id: string): MethodSpec {
  const spec = methods.find((s) => s.id === id);
  if (!spec) throw new Error(`no method ${id} in this rail`);
  return spec;
}
