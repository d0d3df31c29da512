// Periodic jobs of the worker role: the expiry sweeper, retries of held payments and the
// idempotency-key purge. Each loop runs one pass at a time and survives its own errors.

import { Limits } from '../core/limits.ts';
import type { Deps } from './deps.ts';
import { expireInvoices, retryHeldPayments } from './expire-invoices.ts';
import { purgeIdempotency } from './idempotency.ts';

interface Loop {
  readonly name: string;
  readonly intervalMs: number;
  readonly run: () => Promise<unknown>;
}

export class WorkerLoops {
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #inFlight = new Set<Promise<unknown>>();
  #stopped = false;

  constructor(private readonly deps: Deps, private readonly extra: readonly Loop[] = []) {}

  start(): void {
    const loops: Loop[] = [
      { name: 'expire-invoices', intervalMs: Limits.expirySweepIntervalMs, run: () => expireInvoices(this.deps) },
      { name: 'retry-held-payments', intervalMs: Limits.heldRetryIntervalMs, run: () => retryHeldPayments(this.deps) },
      { name: 'purge-idempotency', intervalMs: 60 * 60 * 1000, run: () => purgeIdempotency(this.deps) },
      ...this.extra,
    ];
    for (const loop of loops) {
      let busy = false;
      const timer = setInterval(() => {
        if (busy || this.#stopped) return;
        busy = true;
        const pass = loop.run()
          .catch((error: unknown) => this.deps.log.error({ err: error, loop: loop.name }, 'worker pass failed; will retry'))
          .finally(() => { busy = false; this.#inFlight.delete(pass); });
        this.#inFlight.add(pass);
      }, loop.intervalMs);
      timer.unref();
      this.#timers.push(timer);
    }
  }

  /** Stops scheduling and waits for passes in flight, so nothing is left half-done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.allSettled([...this.#inFlight]);
  }
}
