// Watches a lightning node for settled invoices and reports them as Observations. Two sources feed
// one serial queue: the node's settlement stream (latency) and a poll with the stored cursor
// (correctness, and catch-up after a restart or a dropped stream). Settlements are numbered 1, 2,
// 3... by the node (settle_index / pay_index) and both sources deliver them in that order, so the
// watcher applies each index once: anything at or below the last applied index is a duplicate and
// is skipped. The cursor is stored only after emit() has committed.

import type { Observation } from '../../core/observation.ts';
import type { MethodHealth, Watcher, WatcherContext } from '../../core/payment-method.ts';
import type { BackendInvoice, LightningBackend, SettleCursor } from './lightning-backend.ts';
import { LightningLimits } from './lightning-limits.ts';

export interface LightningWatcherOptions {
  readonly methodId: string;
  readonly pollIntervalMs: number;
  /** Also reported through the context's heartbeat; the adapter's health() reads it. */
  readonly onHealth: (health: MethodHealth) => void;
}

const STATE_SETTLE_INDEX = 'settle_index';
const STATE_SCAN_FROM = 'scan_from';

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class LightningWatcher implements Watcher {
  readonly #ctx: WatcherContext;
  readonly #backend: LightningBackend;
  readonly #options: LightningWatcherOptions;
  readonly #stop = new AbortController();
  #cursor: SettleCursor = { settleIndex: 0, scanFrom: 0 };
  /** Payment hash → invoice id of every lightning target Coffer handed out. */
  readonly #targets = new Map<string, string>();
  #targetsAfter = 0;
  #queue: Promise<void> = Promise.resolve();
  #loops: Array<Promise<void>> = [];
  /** Bumped whenever applying fails, so items already queued from that stream are dropped. */
  #generation = 0;
  #pollWake: (() => void) | null = null;

  constructor(ctx: WatcherContext, backend: LightningBackend, options: LightningWatcherOptions) {
    this.#ctx = ctx;
    this.#backend = backend;
    this.#options = options;
  }

  get cursor(): SettleCursor {
    return this.#cursor;
  }

  async start(): Promise<void> {
    const settle = await this.#ctx.state.get(STATE_SETTLE_INDEX);
    const scan = await this.#ctx.state.get(STATE_SCAN_FROM);
    this.#cursor = { settleIndex: settle === null ? 0 : Number(settle), scanFrom: scan === null ? 0 : Number(scan) };
    await this.#refreshTargets();
    const stopOnContextAbort = (): void => this.#stop.abort();
    this.#ctx.signal.addEventListener('abort', stopOnContextAbort, { once: true });
    this.#loops = [this.#pollLoop(), this.#streamLoop()];
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled(this.#loops);
    await this.#queue.catch(() => undefined);
  }

  /** Asks the poll loop to run now (used after a stream drop, and by tests). */
  pollNow(): void {
    this.#pollWake?.();
  }

  async #pollLoop(): Promise<void> {
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      let more = false;
      try {
        more = await this.#pollOnce(signal);
        this.#healthy();
      } catch (error) {
        if (signal.aborted) break;
        this.#report({ ok: false, detail: `lightning node poll failed: ${errorText(error)}`, height: this.#cursor.settleIndex, updatedAt: this.#ctx.clock.now() });
        this.#ctx.log.warn({ err: errorText(error) }, 'lightning poll failed');
      }
      if (more) continue;
      await new Promise<void>((resolve) => {
        this.#pollWake = resolve;
        void sleep(this.#options.pollIntervalMs, signal).then(resolve);
      });
      this.#pollWake = null;
    }
  }

  async #pollOnce(signal: AbortSignal): Promise<boolean> {
    const page = await this.#backend.settledSince(this.#cursor, signal);
    await this.#enqueue(async () => {
      for (const invoice of page.settled) await this.#apply(invoice);
      if (page.scanFrom > this.#cursor.scanFrom) {
        await this.#ctx.state.set(STATE_SCAN_FROM, String(page.scanFrom));
        this.#cursor = { ...this.#cursor, scanFrom: page.scanFrom };
      }
    });
    return page.more;
  }

  async #streamLoop(): Promise<void> {
    const signal = this.#stop.signal;
    let backoffMs: number = LightningLimits.reconnectMsMin;
    while (!signal.aborted) {
      const connection = new AbortController();
      const stopConnection = (): void => connection.abort();
      signal.addEventListener('abort', stopConnection, { once: true });
      const generation = this.#generation;
      try {
        await this.#backend.subscribeSettled(this.#cursor.settleIndex, (invoice) => {
          backoffMs = LightningLimits.reconnectMsMin;
          void this.#enqueue(async () => {
            if (generation !== this.#generation) return;
            await this.#apply(invoice);
          }).catch((error: unknown) => {
            // A failed apply must not let later stream items skip past it: drop this stream and
            // reconnect from the stored cursor; the poll retries too.
            if (generation === this.#generation) this.#generation += 1;
            this.#ctx.log.warn({ err: errorText(error) }, 'lightning settlement not applied; reconnecting stream');
            connection.abort();
          });
        }, connection.signal);
      } catch (error) {
        if (!signal.aborted) this.#ctx.log.warn({ err: errorText(error) }, 'lightning settlement stream dropped');
      } finally {
        signal.removeEventListener('abort', stopConnection);
      }
      if (signal.aborted) break;
      this.pollNow();
      await sleep(backoffMs, signal);
      backoffMs = Math.min(backoffMs * 2, LightningLimits.reconnectMsMax);
    }
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Applies one settlement once; runs only inside the serial queue. */
  async #apply(invoice: BackendInvoice): Promise<void> {
    const index = invoice.settleIndex;
    if (index === null || invoice.state !== 'settled' || index <= this.#cursor.settleIndex) return;
    if (!this.#targets.has(invoice.paymentHash)) await this.#refreshTargets();
    if (this.#targets.has(invoice.paymentHash)) {
      await this.#ctx.emit([this.#observation(invoice)]);
    } else {
      // Another application's invoice on a shared node: not Coffer's to credit.
      this.#ctx.log.debug({ paymentHash: invoice.paymentHash }, 'settled invoice is not a Coffer target; skipped');
    }
    await this.#ctx.state.set(STATE_SETTLE_INDEX, String(index));
    this.#cursor = { ...this.#cursor, settleIndex: index };
  }

  #observation(invoice: BackendInvoice): Observation {
    return {
      methodId: this.#options.methodId,
      targetKey: invoice.paymentHash,
      paymentKey: invoice.paymentHash,
      amountUnits: invoice.receivedMsat,
      state: 'confirmed',
      confirmations: 1,
      txid: invoice.paymentHash,
    };
  }

  async #refreshTargets(): Promise<void> {
    for (;;) {
      const { targets, cursor } = await this.#ctx.targets(this.#targetsAfter);
      for (const target of targets) {
        if (target.methodId === this.#options.methodId) this.#targets.set(target.targetKey, target.invoiceId);
      }
      if (cursor === this.#targetsAfter || targets.length === 0) {
        this.#targetsAfter = cursor;
        return;
      }
      this.#targetsAfter = cursor;
    }
  }

  #healthy(): void {
    this.#report({ ok: true, height: this.#cursor.settleIndex, updatedAt: this.#ctx.clock.now() });
  }

  #report(health: MethodHealth): void {
    this.#options.onHealth(health);
    this.#ctx.heartbeat(health);
  }
}
