// The usdc_solana watcher. Every invoice has its own Solana Pay reference key; a wallet paying the
// transfer request attaches it to the transfer instruction, and validators index transactions by
// every account key, so getSignaturesForAddress(reference) finds the invoice's payments (SPEC.md
// "Reference"; solana.com/docs/rpc/http/getsignaturesforaddress, newest first, `before` pages
// back). Each candidate is read with getTransaction (jsonParsed) and verified (transaction.ts).
// There is no cursor to lose: a payment made while Coffer was down is found on the next poll by
// paging the reference's signatures, so restart needs no catch-up logic.
//
// Commitment: signatures are listed at `confirmed` (getSignaturesForAddress does not accept
// `processed`). With the default `finalized`, a confirmed payment is reported `seen` (detected,
// 0 confirmations) and `confirmed` with 1 confirmation once finalized; with `confirmed`, it is
// credited at confirmed. A finalized block is never rolled back, so nothing is ever demoted.

import type { Observation, ObservationState } from '../../core/observation.ts';
import type { MethodHealth, WatcherContext } from '../../core/payment-method.ts';
import { AdaptiveSize, RemoteFailureKind, RemoteRequestError, RequestPacer, sleepUnlessAborted } from '../request-policy.ts';
import type { SolanaCommitment } from './config.ts';
import {
  FINALITY_GRACE_MS, REFERENCE_WORKERS, SIGNATURE_PAGE_MAX, SIGNATURE_PAGE_MIN, SIGNATURE_PAGES_PER_REFERENCE_MAX, TARGET_PAGES_MAX,
} from './limits.ts';
import { failureKind, statedLimit } from './rpc-client.ts';
import type { SolanaRpc } from './rpc-client.ts';
import { verifyPayment } from './transaction.ts';
import type { ParsedTransaction } from './transaction.ts';

export interface SolanaWatchConfig {
  readonly methodId: string;
  readonly mint: string;
  readonly tokenAccount: string;
  readonly commitment: SolanaCommitment;
  readonly pollIntervalMs: number;
  readonly staleAfterMs: number;
}

/** One entry of getSignaturesForAddress's result (the fields used). */
export interface SignatureInfo {
  readonly signature: string;
  readonly slot: number;
  readonly err: unknown;
  readonly blockTime: number | null;
  readonly confirmationStatus: 'processed' | 'confirmed' | 'finalized' | null;
}

interface Reference {
  readonly reference: string;
  watchUntilMs: number;
  /** Signatures settled for good (finalized, or failed/not ours when final): never re-read. */
  readonly done: Set<string>;
  /** paymentKey → state last emitted, so an unchanged payment is not re-emitted every poll. */
  readonly emitted: Map<string, ObservationState>;
  /** Where a listing cut short by the page budget continues on the next poll. */
  resumeBefore: string | undefined;
}

export class SolanaWatcher {
  readonly #config: SolanaWatchConfig;
  readonly #rpc: SolanaRpc;
  readonly #ctx: WatcherContext;
  readonly #references = new Map<string, Reference>();
  #targetCursor = 0;
  readonly #page = new AdaptiveSize({ initial: SIGNATURE_PAGE_MAX, min: SIGNATURE_PAGE_MIN, max: SIGNATURE_PAGE_MAX });
  readonly #pacer = new RequestPacer();
  #lastSuccessMs: number;
  /** The slot getSlot last returned (at the configured commitment), even when the poll then failed. */
  #nodeSlot: number | null = null;
  health: MethodHealth = { ok: true, detail: 'starting' };

  constructor(config: SolanaWatchConfig, rpc: SolanaRpc, ctx: WatcherContext) {
    this.#config = config;
    this.#rpc = rpc;
    this.#ctx = ctx;
    this.#lastSuccessMs = ctx.clock.now().getTime();
  }

  /** Signatures per getSignaturesForAddress page now (adapts to the provider). */
  get pageSize(): number {
    return this.#page.value;
  }

  async load(): Promise<void> {
    await this.#refreshTargets();
  }

  /** Polls until `signal` aborts; failures are paced by the shared request policy. */
  async run(signal: AbortSignal, onHealth: () => void): Promise<void> {
    while (!signal.aborted) {
      let waitMs = this.#config.pollIntervalMs;
      try {
        await this.step();
        this.#pacer.succeeded();
      } catch (error) {
        const remote = error instanceof RemoteRequestError ? error : null;
        waitMs = this.#pacer.failed(remote, Date.now());
        this.#ctx.log[remote?.kind === RemoteFailureKind.rateLimited ? 'info' : 'warn'](
          { err: (error as Error).message, waitMs }, 'solana watcher poll failed');
        this.#setUnhealthyIfStale(`${remote?.kind ?? 'error'}: ${(error as Error).message}; retry in ${waitMs} ms`);
      }
      onHealth();
      await sleepUnlessAborted(waitMs, signal);
    }
  }

  /** One poll: every watched reference is listed and its new transactions verified. */
  async step(): Promise<void> {
    await this.#refreshTargets();
    const slot = await this.#rpc.call('getSlot', [{ commitment: this.#config.commitment }]) as number;
    if (Number.isSafeInteger(slot) && slot >= 0) this.#nodeSlot = slot;
    const nowMs = this.#ctx.clock.now().getTime();
    for (const ref of [...this.#references.values()]) {
      if (nowMs > ref.watchUntilMs + FINALITY_GRACE_MS) this.#references.delete(ref.reference);
    }
    // References are read by a few workers at once: one round trip per reference in a row would
    // make a poll over many open invoices take minutes on a remote provider. A reference whose
    // requests fail never holds back the others (DESIGN §6): its error is thrown after the poll,
    // for the pacer. A rate limit stops every worker at once.
    const queue = [...this.#references.values()];
    let failure: unknown = null;
    let limited: unknown = null;
    const work = async (): Promise<void> => {
      for (let ref = queue.shift(); ref !== undefined && limited === null; ref = queue.shift()) {
        try {
          const observations = await this.#scan(ref);
          if (observations.length > 0) await this.#ctx.emit(observations);
          for (const o of observations) ref.emitted.set(o.paymentKey, o.state);
        } catch (error) {
          if (failureKind(error) === RemoteFailureKind.rateLimited) limited = error;
          else failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(REFERENCE_WORKERS, queue.length) }, work));
    if (limited !== null) throw limited;
    if (failure !== null) throw failure;
    this.#lastSuccessMs = this.#ctx.clock.now().getTime();
    // Every reference was listed after the node was at `slot`: the poll covered the chain up to it.
    this.health = { ok: true, detail: `slot ${slot}, ${this.#references.size} references`, height: slot, nodeHeight: slot, updatedAt: this.#ctx.clock.now() };
  }

  #setUnhealthyIfStale(detail: string): void {
    const now = this.#ctx.clock.now();
    const stale = now.getTime() - this.#lastSuccessMs > this.#config.staleAfterMs;
    // `height` stays the last slot a whole poll covered; `nodeHeight` is the last slot seen, so the
    // console shows how many slots the failing polls have fallen behind.
    this.health = {
      ...this.health, ok: !stale, detail: stale ? detail : `paced: ${detail}`, updatedAt: now,
      ...(this.#nodeSlot === null ? {} : { nodeHeight: this.#nodeSlot }),
    };
  }

  async #refreshTargets(): Promise<void> {
    for (let page = 0; page < TARGET_PAGES_MAX; page++) {
      const { targets, cursor } = await this.#ctx.targets(this.#targetCursor);
      this.#targetCursor = cursor;
      if (targets.length === 0) return;
      for (const t of targets) {
        if (t.methodId !== this.#config.methodId) continue;
        const until = t.watchUntil.getTime();
        const prior = this.#references.get(t.targetKey);
        if (prior === undefined) this.#references.set(t.targetKey, { reference: t.targetKey, watchUntilMs: until, done: new Set(), emitted: new Map(), resumeBefore: undefined });
        else prior.watchUntilMs = Math.max(prior.watchUntilMs, until);
      }
    }
  }

  async #scan(ref: Reference): Promise<Observation[]> {
    const out: Observation[] = [];
    for (const info of await this.#signatures(ref)) {
      if (ref.done.has(info.signature)) continue;
      const final = info.confirmationStatus === 'finalized';
      const late = info.blockTime !== null && info.blockTime * 1000 > ref.watchUntilMs;
      if (info.err !== null || late) {
        if (final) ref.done.add(info.signature);
        continue;
      }
      const observation = await this.#verify(ref.reference, info);
      if (final) ref.done.add(info.signature);
      if (observation !== null && ref.emitted.get(observation.paymentKey) !== observation.state) out.push(observation);
    }
    return out;
  }

  async #verify(reference: string, info: SignatureInfo): Promise<Observation | null> {
    const tx = await this.#rpc.call('getTransaction', [info.signature,
      { encoding: 'jsonParsed', commitment: 'confirmed', maxSupportedTransactionVersion: 0 }]) as ParsedTransaction | null;
    const verdict = verifyPayment(tx, { reference, mint: this.#config.mint, tokenAccount: this.#config.tokenAccount });
    if (!verdict.ok) {
      this.#ctx.log.info({ signature: info.signature, reference, reason: verdict.reason }, 'solana transaction is not a payment');
      return null;
    }
    const credited = this.#config.commitment === 'confirmed' || info.confirmationStatus === 'finalized';
    return {
      methodId: this.#config.methodId, targetKey: reference, paymentKey: `solana:${info.signature}:${verdict.instructionIndex}`,
      amountUnits: verdict.amountUnits, state: credited ? 'confirmed' : 'seen', confirmations: credited ? 1 : 0,
      txid: info.signature, blockHeight: info.slot,
    };
  }

  /** The reference's signatures, newest first, paging back with `before`; the page size adapts. */
  async #signatures(ref: Reference): Promise<SignatureInfo[]> {
    const all: SignatureInfo[] = [];
    // A listing cut short by the page budget resumes below where it stopped on the next poll
    // (which then reads no newer ones), so the oldest signatures of a busy reference are reached.
    let before = ref.resumeBefore;
    for (let page = 0; page < SIGNATURE_PAGES_PER_REFERENCE_MAX; page++) {
      const { items, limit } = await this.#signaturePage(ref.reference, before);
      all.push(...items);
      if (items.length < limit) {
        ref.resumeBefore = undefined;
        return all;
      }
      before = items.at(-1)?.signature;
    }
    ref.resumeBefore = before;
    this.#ctx.log.warn({ reference: ref.reference }, 'solana reference has more signatures than one poll reads; the next poll continues below');
    return all;
  }

  /** One page; a refused size is split (or capped at the limit the node states) and retried. */
  async #signaturePage(reference: string, before: string | undefined): Promise<{ items: SignatureInfo[]; limit: number }> {
    for (;;) {
      const limit = this.#page.value;
      try {
        const items = await this.#rpc.call('getSignaturesForAddress', [reference,
          { commitment: 'confirmed', limit, ...(before !== undefined ? { before } : {}) }]) as SignatureInfo[];
        this.#page.succeeded();
        return { items, limit };
      } catch (error) {
        const kind = failureKind(error);
        if (kind !== RemoteFailureKind.tooLarge && kind !== RemoteFailureKind.timeout) throw error;
        const stated = statedLimit(error);
        if (stated !== null && stated >= SIGNATURE_PAGE_MIN && stated < limit) this.#page.cap(stated);
        else if (!this.#page.shrink()) throw error;
      }
    }
  }
}

