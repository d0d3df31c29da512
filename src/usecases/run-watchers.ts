// Runs each method's watcher with a WatcherContext backed by the store. Every observation goes
// through applyObservations; watcher state (heights, cursors) is durable; a lease row per watcher
// lets several processes run the watcher role while one watches at a time, handing over on
// failure. Exactly-once never depends on the lease: it comes from the payment key.

import { randomUUID } from 'node:crypto';
import type { MethodHealth, PaymentMethodAdapter, Watcher, WatcherContext } from '../core/payment-method.ts';
import { Limits } from '../core/limits.ts';
import type { Deps } from './deps.ts';
import { applyObservations } from './apply-observations.ts';

export interface WatcherStatus {
  readonly name: string;
  readonly running: boolean;
  readonly health: MethodHealth | null;
}

/** The name a watcher's lease and durable state are kept under. */
export function watcherName(adapter: PaymentMethodAdapter): string {
  return `${adapter.rail}:${[...adapter.methodIds].sort().join(',')}`;
}

function contextFor(deps: Deps, adapter: PaymentMethodAdapter, name: string, signal: AbortSignal, onHealth: (h: MethodHealth) => void): WatcherContext {
  const log = deps.log.child({ watcher: name });
  return {
    clock: deps.clock, log, signal,
    emit: async (observations) => {
      for (let i = 0; i < observations.length; i += Limits.observationBatchMax) {
        await applyObservations(deps, observations.slice(i, i + Limits.observationBatchMax));
      }
    },
    targets: (after) => deps.store.invoices.watchedTargets(adapter.methodIds, after, deps.clock.now(), Limits.watchedTargetsBatchMax),
    knownPayments: (methodIds) => deps.store.payments.known(methodIds, Limits.reorgHorizonConfirmations, Limits.knownPaymentsMax),
    state: {
      get: (key) => deps.store.watcherState.get(name, key),
      set: (key, value) => deps.store.watcherState.set(name, key, value, deps.clock.now()),
    },
    heartbeat: onHealth,
  };
}

export class WatcherSupervisor {
  readonly #holder = `proc_${randomUUID()}`;
  readonly #running = new Map<string, { watcher: Watcher; abort: AbortController }>();
  readonly #health = new Map<string, MethodHealth>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(private readonly deps: Deps) {}

  /** Starts every watcher whose lease this process can take, and keeps renewing. */
  async start(): Promise<void> {
    await this.#tick();
    this.#timer = setInterval(() => { void this.#tick(); }, Limits.leaseRenewMs);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    for (const adapter of this.deps.methods.adapters()) {
      if (!adapter.createWatcher || this.#stopped) continue;
      const name = watcherName(adapter);
      try {
        const now = this.deps.clock.now();
        const held = await this.deps.store.leases.acquire(`watcher:${name}`, this.#holder, now, new Date(now.getTime() + Limits.leaseMs));
        if (held && !this.#running.has(name)) await this.#startOne(adapter, name);
        if (!held && this.#running.has(name)) await this.#stopOne(name);
      } catch (error) {
        this.deps.log.error({ err: error, watcher: name }, 'watcher lease or start failed; will retry');
      }
    }
  }

  async #startOne(adapter: PaymentMethodAdapter, name: string): Promise<void> {
    const abort = new AbortController();
    const watcher = adapter.createWatcher!(contextFor(this.deps, adapter, name, abort.signal, (h) => this.#health.set(name, h)));
    this.#running.set(name, { watcher, abort });
    await watcher.start();
    this.deps.log.info({ watcher: name }, 'watcher started');
  }

  async #stopOne(name: string): Promise<void> {
    const entry = this.#running.get(name);
    if (!entry) return;
    this.#running.delete(name);
    entry.abort.abort();
    await entry.watcher.stop();
    await this.deps.store.leases.release(`watcher:${name}`, this.#holder).catch(() => {});
  }

  status(): WatcherStatus[] {
    return this.deps.methods.adapters().filter((a) => a.createWatcher).map((a) => {
      const name = watcherName(a);
      return { name, running: this.#running.has(name), health: this.#health.get(name) ?? null };
    });
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await Promise.all([...this.#running.keys()].map((name) => this.#stopOne(name)));
  }
}
