// An in-memory WatcherContext for adapter tests: records what a watcher emits and keeps its
// durable state in a Map. Settlement itself is tested through the real store elsewhere; this
// lets a method's watcher be driven against a real node without a database.

import type { Observation } from '../../src/core/observation.ts';
import type { KnownPayment, MethodHealth, WatchedTarget, WatcherContext } from '../../src/core/payment-method.ts';
import { systemClock } from '../../src/core/clock.ts';
import type { Clock } from '../../src/core/clock.ts';
import { silentLogger } from '../../src/core/logger.ts';

export class MemoryWatcherContext implements WatcherContext {
  readonly clock: Clock;
  readonly log = silentLogger;
  readonly #abort = new AbortController();
  readonly signal = this.#abort.signal;
  readonly emitted: Observation[] = [];
  readonly latest = new Map<string, Observation>();
  readonly health: MethodHealth[] = [];
  readonly #targets: WatchedTarget[] = [];
  readonly #state = new Map<string, string>();
  #waiters: Array<() => void> = [];

  constructor(clock: Clock = systemClock) {
    this.clock = clock;
  }

  addTarget(target: WatchedTarget): void {
    this.#targets.push(target);
  }

  async emit(observations: readonly Observation[]): Promise<void> {
    for (const observation of observations) {
      this.emitted.push(observation);
      this.latest.set(observation.paymentKey, observation);
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  async targets(after: number): Promise<{ targets: WatchedTarget[]; cursor: number }> {
    return { targets: this.#targets.slice(after), cursor: this.#targets.length };
  }

  async knownPayments(methodIds: readonly string[]): Promise<KnownPayment[]> {
    return [...this.latest.values()]
      .filter((o) => methodIds.includes(o.methodId))
      .map((o) => ({
        methodId: o.methodId, paymentKey: o.paymentKey, targetKey: o.targetKey, txid: o.txid,
        amountUnits: o.amountUnits, state: o.state, confirmations: o.confirmations, credited: false,
        ...(o.blockHash !== undefined ? { blockHash: o.blockHash } : {}),
        ...(o.blockHeight !== undefined ? { blockHeight: o.blockHeight } : {}),
      }));
  }

  readonly state = {
    get: async (key: string): Promise<string | null> => this.#state.get(key) ?? null,
    set: async (key: string, value: string): Promise<void> => { this.#state.set(key, value); },
  };

  heartbeat(health: MethodHealth): void {
    this.health.push(health);
  }

  /** Resolves once `predicate` holds over what was emitted, or rejects after `timeoutMs`. */
  async waitFor(predicate: (ctx: this) => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('MemoryWatcherContext.waitFor: timed out');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 100));
        this.#waiters.push(() => { clearTimeout(timer); resolve(); });
      });
    }
  }

  abort(): void {
    this.#abort.abort();
  }
}
