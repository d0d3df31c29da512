// Watches a lightning node for settled invoices and reports them as Observations. Two sources feed
// one serial queue: the node's settlement stream (latency) and a poll with the stored cursor
// (correctness, and catch-up after a restart or a dropped stream). Settlements are numbered 1, 2,
// 3... by the node (settle_index / pay_index). The stored cursor is a watermark: every settlement
// at or below it is applied. It moves one step at a time, or over a gap once the poll confirms
// nothing below a point is still missing (SettledPage.confirmedThrough); settlements applied above
// a gap are remembered in memory so a repeat is skipped (after a restart a repeat is emitted again
// and the store's payment key makes it a no-op). The cursor is stored only after emit() commits.
// Before a settlement is reported, the BOLT11 the node returns with it must verify (signer, hash,
// amount, network) and the amount received must cover it; a refused one is logged with where it
// came from and never credited.

import type { Observation } from '../../core/observation.ts';
import type { MethodHealth, Watcher, WatcherContext } from '../../core/payment-method.ts';
import { RemoteFailureKind, RemoteRequestError, RequestPacer, sleepUnlessAborted } from '../request-policy.ts';
import { verifyBolt11, type Bolt11Network } from './bolt11.ts';
import { LightningBackendError, type BackendInvoice, type LightningBackend, type SettleCursor, type SettlementPoller } from './lightning-backend.ts';
import { LightningLimits } from './limits.ts';

export interface LightningWatcherOptions {
  readonly methodId: string;
  readonly pollIntervalMs: number;
  /** Every settled BOLT11 must be signed by this key, for this network. */
  readonly nodeKey: string;
  readonly network: Bolt11Network;
  /** Also reported through the context's heartbeat; the adapter's health() reads it. */
  readonly onHealth: (health: MethodHealth) => void;
}

const STATE_SETTLE_INDEX = 'settle_index';
const STATE_SCAN_FROM = 'scan_from';


function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The request policy's view of a node failure: a 429 waits as told, anything else backs off. */
function remoteError(error: unknown): RemoteRequestError {
  const kind = error instanceof LightningBackendError && error.kind === 'rate_limited' ? RemoteFailureKind.rateLimited : RemoteFailureKind.unavailable;
  return new RemoteRequestError(kind, errorText(error), error instanceof LightningBackendError ? error.retryAfterMs : null);
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
  /** Settlement indexes above the watermark already applied (above a gap). */
  readonly #appliedAbove = new Set<number>();
  #poller: SettlementPoller;
  /** Paces the poll against a node that rate-limits or fails (Retry-After, backoff). */
  readonly #pacer = new RequestPacer();

  constructor(ctx: WatcherContext, backend: LightningBackend, options: LightningWatcherOptions) {
    this.#ctx = ctx;
    this.#backend = backend;
    this.#options = options;
    this.#poller = this.#newPoller();
  }

  #newPoller(): SettlementPoller {
    // Read when the poller decides what to look up: a target is stored before its invoice is
    // handed out, so before it can settle; the targets stored since the last read are added.
    return this.#backend.poller((source, reason) => this.#badInput(source, reason), async () => {
      await this.#refreshTargets();
      return (hash) => this.#targets.has(hash);
    });
  }

  #badInput(source: string, reason: string): void {
    this.#ctx.log.error({ source, reason }, 'lightning node sent something Coffer refused; not credited');
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
      const paced = this.#pacer.delayMs(Date.now());
      if (paced > 0) await sleepUnlessAborted(paced, signal);
      if (signal.aborted) break;
      let waitMs: number = this.#options.pollIntervalMs;
      try {
        // An unfinished sweep (a backlog) continues after a short pause: bounded work per call.
        if (await this.#pollOnce(signal)) waitMs = LightningLimits.sweepPauseMs;
        this.#pacer.succeeded();
        this.#healthy();
      } catch (error) {
        if (signal.aborted) break;
        const remote = remoteError(error);
        const backoffMs = this.#pacer.failed(remote, Date.now());
        // A rate limit is retried when the node said; other failures no sooner than the interval.
        waitMs = remote.kind === RemoteFailureKind.rateLimited ? backoffMs : Math.max(backoffMs, this.#options.pollIntervalMs);
        this.#report({ ok: false, detail: `lightning node poll failed: ${errorText(error)}`, height: this.#cursor.settleIndex, updatedAt: this.#ctx.clock.now() });
        this.#ctx.log.warn({ source: `${this.#backend.kind} poll`, err: errorText(error), retryInMs: waitMs }, 'lightning poll failed');
      }
      await new Promise<void>((resolve) => {
        this.#pollWake = resolve;
        void sleepUnlessAborted(waitMs, signal).then(resolve);
      });
      this.#pollWake = null;
    }
  }

  async #pollOnce(signal: AbortSignal): Promise<boolean> {
    const page = await this.#poller.next(this.#cursor, signal);
    try {
      await this.#enqueue(async () => {
        for (const invoice of page.settled) await this.#apply(invoice, 'poll');
        await this.#advanceTo(page.confirmedThrough);
        if (!page.more && page.scanFrom > this.#cursor.scanFrom) {
          await this.#ctx.state.set(STATE_SCAN_FROM, String(page.scanFrom));
          this.#cursor = { ...this.#cursor, scanFrom: page.scanFrom };
        }
      });
    } catch (error) {
      // The poller has moved past what could not be applied: start a fresh sweep from the
      // stored cursor so it is read again (and nothing is confirmed over it).
      this.#poller = this.#newPoller();
      throw error;
    }
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
            await this.#apply(invoice, 'stream');
          }).catch((error: unknown) => {
            // A failed apply must not let later stream items skip past it: drop this stream and
            // reconnect from the stored cursor; the poll retries too.
            if (generation === this.#generation) this.#generation += 1;
            this.#ctx.log.warn({ err: errorText(error) }, 'lightning settlement not applied; reconnecting stream');
            connection.abort();
          });
        }, connection.signal, (source, reason) => this.#badInput(source, reason));
      } catch (error) {
        if (!signal.aborted) this.#ctx.log.warn({ err: errorText(error) }, 'lightning settlement stream dropped');
      } finally {
        signal.removeEventListener('abort', stopConnection);
      }
      if (signal.aborted) break;
      this.pollNow();
      await sleepUnlessAborted(backoffMs, signal);
      backoffMs = Math.min(backoffMs * 2, LightningLimits.reconnectMsMax);
    }
  }

  #enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Applies one settlement once; runs only inside the serial queue. */
  async #apply(invoice: BackendInvoice, source: 'stream' | 'poll'): Promise<void> {
    const index = invoice.settleIndex;
    if (index === null || invoice.state !== 'settled' || index <= this.#cursor.settleIndex || this.#appliedAbove.has(index)) return;
    if (!this.#targets.has(invoice.paymentHash)) await this.#refreshTargets();
    if (this.#targets.has(invoice.paymentHash)) {
      const refusal = this.#refusal(invoice);
      if (refusal === null) await this.#ctx.emit([this.#observation(invoice)]);
      else this.#ctx.log.error({ source: `${this.#backend.kind} ${source}`, settleIndex: index, paymentHash: invoice.paymentHash, reason: refusal },
        'lightning settlement refused: the node\'s invoice does not match; not credited');
    } else {
      // Another application's invoice on a shared node: not Coffer's to credit.
      this.#ctx.log.debug({ paymentHash: invoice.paymentHash }, 'settled invoice is not a Coffer target; skipped');
    }
    this.#appliedAbove.add(index);
    await this.#advanceTo(this.#cursor.settleIndex);
  }

  /** Why a settled Coffer invoice must not be credited, or null when it checks out. */
  #refusal(invoice: BackendInvoice): string | null {
    try {
      verifyBolt11(invoice.bolt11, { nodeKey: this.#options.nodeKey, amountMsat: invoice.amountMsat, paymentHash: invoice.paymentHash, network: this.#options.network });
    } catch (error) {
      return `BOLT11: ${errorText(error)}`;
    }
    if (invoice.amountMsat !== null && invoice.receivedMsat < invoice.amountMsat) return `received ${invoice.receivedMsat} msat < invoice ${invoice.amountMsat} msat`;
    if (invoice.receivedMsat <= 0n) return 'settled with nothing received';
    return null;
  }

  /**
   * Moves the watermark to `confirmed` (when higher) and then over every applied index that
   * follows it without a gap; stores it when it moved.
   */
  async #advanceTo(confirmed: number): Promise<void> {
    let mark = Math.max(this.#cursor.settleIndex, confirmed);
    if (this.#appliedAbove.size > LightningLimits.appliedAboveMax) {
      // A gap this long is not a late settlement: step over it (a repeat after this is harmless,
      // the store's payment key makes it a no-op).
      let lowest = Number.MAX_SAFE_INTEGER;
      for (const index of this.#appliedAbove) lowest = Math.min(lowest, index);
      mark = Math.max(mark, lowest);
    }
    while (this.#appliedAbove.has(mark + 1)) mark += 1;
    for (const index of this.#appliedAbove) if (index <= mark) this.#appliedAbove.delete(index);
    if (mark === this.#cursor.settleIndex) return;
    await this.#ctx.state.set(STATE_SETTLE_INDEX, String(mark));
    this.#cursor = { ...this.#cursor, settleIndex: mark };
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
