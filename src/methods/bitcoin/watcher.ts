// The bitcoin watcher: follows the node's best chain block by block (raw blocks parsed
// in-process, outputs matched by script), polls the mempool for unconfirmed payments, and turns
// what it sees into Observations. It reports facts only: confirmations, reorgs (a payment whose
// block left the chain is `seen` again), and disappearance (`gone`). Crediting is settlement's job.
//
// One poll ("tick"): refresh targets → snapshot the mempool → sync the chain (reorg check, then
// connect new blocks in batches) → scan new mempool transactions → declare vanished ones gone.
// The mempool snapshot is taken before the chain sync, so a transaction missing from both was
// really replaced or dropped, not mined between two calls.

import type { Observation } from '../../core/observation.ts';
import type { KnownPayment, MethodHealth, Watcher, WatcherContext } from '../../core/payment-method.ts';
import type { BitcoinNetwork } from './network.ts';
import { BitcoinRpcError } from './rpc-client.ts';
import type { BitcoinRpc } from './rpc-client.ts';
import { parseBlock } from './raw-block.ts';
import { parseTransaction } from './raw-transaction.ts';
import type { RawTransaction } from './raw-transaction.ts';
import { WatchedScripts } from './watched-scripts.ts';
import type { OutputMatch } from './watched-scripts.ts';
import {
  CHAIN_STATE_KEY, appendBlock, baseHeight, decodeChainState, encodeChainState, hashAt, rewindTo, tipHash,
} from './chain-state.ts';
import type { ChainState } from './chain-state.ts';
import {
  BLOCK_FETCH_BATCH, MEMPOOL_FETCH_BATCH, MEMPOOL_FETCH_PER_POLL_MAX, POLL_BACKOFF_MAX_MS, RESCAN_PROGRESS_BLOCKS,
} from './limits.ts';

export const BITCOIN_METHOD_ID = 'bitcoin';

export interface BitcoinWatcherOptions {
  readonly rpc: BitcoinRpc;
  readonly network: BitcoinNetwork;
  readonly confirmations: number;
  readonly reorgHorizon: number;
  readonly pollIntervalMs: number;
  readonly startHeight: number | null;
  /** Called with each health report (the adapter's health() returns the last one). */
  readonly onHealth?: (health: MethodHealth) => void;
  /** Called when a payment to a target is first seen (gap-limit bookkeeping). */
  readonly onPaid?: (targetKey: string) => void;
}

interface Tracked {
  readonly targetKey: string;
  readonly txid: string;
  readonly vout: number;
  readonly amountSat: bigint;
  rbf: boolean;
  state: 'seen' | 'confirmed';
  blockHash: string | null;
  blockHeight: number | null;
  /** Confirmations last emitted; -1 forces the next emit. */
  emittedConfirmations: number;
  /** Chain height at which its block left the chain, or null if never orphaned. */
  orphanedAt: number | null;
}

export class BitcoinWatcher implements Watcher {
  readonly #ctx: WatcherContext;
  readonly #options: BitcoinWatcherOptions;
  readonly #rpc: BitcoinRpc;
  readonly #watched: WatchedScripts;
  readonly #tracked = new Map<string, Tracked>();
  /** Mempool transactions already parsed, kept so new targets can be matched without refetching. */
  readonly #mempoolTxs = new Map<string, RawTransaction>();
  #chain: ChainState = { height: -1, hashes: ['0'.repeat(64)] };
  #stopped = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #failures = 0;

  constructor(ctx: WatcherContext, options: BitcoinWatcherOptions) {
    this.#ctx = ctx;
    this.#options = options;
    this.#rpc = options.rpc;
    this.#watched = new WatchedScripts(options.network);
  }

  async start(): Promise<void> {
    const log = this.#ctx.log;
    const best = await this.#rpc.getBestBlockHash();
    const saved = decodeChainState(await this.#ctx.state.get(CHAIN_STATE_KEY));
    if (saved) {
      this.#chain = saved;
      log.info({ height: saved.height }, 'bitcoin watcher resuming from last processed height');
    } else if (this.#options.startHeight !== null) {
      const from = Math.max(0, this.#options.startHeight - 1);
      const [hash] = await this.#rpc.getBlockHashes([from]);
      this.#chain = { height: from, hashes: [hash as string] };
      log.info({ height: from + 1 }, 'bitcoin watcher first start: scanning from configured height');
    } else {
      const header = await this.#rpc.getBlockHeader(best);
      this.#chain = { height: header.height, hashes: [best] };
      log.info({ height: header.height }, 'bitcoin watcher first start: following from the current tip');
    }
    await this.#ctx.state.set(CHAIN_STATE_KEY, encodeChainState(this.#chain));
    await this.#loadKnownPayments();
    this.#ctx.signal.addEventListener('abort', () => { void this.stop(); }, { once: true });
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      try {
        await this.#tick();
        this.#failures = 0;
        this.#beat({ ok: true, height: this.#chain.height, updatedAt: this.#ctx.clock.now() });
      } catch (error) {
        this.#failures++;
        const detail = error instanceof BitcoinRpcError ? error.message : `watcher error: ${(error as Error).message}`;
        this.#ctx.log.error({ err: error, failures: this.#failures }, 'bitcoin watcher poll failed');
        this.#beat({ ok: false, detail, height: this.#chain.height, updatedAt: this.#ctx.clock.now() });
      }
      if (this.#stopped) break;
      const backoff = Math.min(this.#options.pollIntervalMs * 2 ** Math.min(this.#failures, 10), POLL_BACKOFF_MAX_MS);
      await this.#sleep(this.#failures > 0 ? Math.max(backoff, this.#options.pollIntervalMs) : this.#options.pollIntervalMs);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
  }

  #beat(health: MethodHealth): void {
    this.#ctx.heartbeat(health);
    this.#options.onHealth?.(health);
  }

  async #tick(): Promise<void> {
    const added = await this.#refreshTargets();
    const mempool = new Set(await this.#rpc.getRawMempool());
    await this.#syncChain();
    if (this.#stopped) return;
    await this.#scanMempool(mempool, added);
    await this.#dropVanished(mempool);
  }

  async #refreshTargets(): Promise<number> {
    const { targets, cursor } = await this.#ctx.targets(this.#watched.cursor);
    const before = this.#watched.size;
    this.#watched.add(targets, (target, error) => this.#ctx.log.warn({ targetKey: target.targetKey, err: error }, 'bitcoin target is not an address of this network; not watched'));
    this.#watched.advance(cursor);
    this.#watched.prune(this.#ctx.clock.now().getTime());
    return targets.length > 0 ? Math.max(1, this.#watched.size - before) : 0;
  }

  // ---- chain ----

  async #syncChain(): Promise<void> {
    const best = await this.#rpc.getBestBlockHash();
    if (best === tipHash(this.#chain)) return;
    const bestHeight = (await this.#rpc.getBlockHeader(best)).height;
    const fork = await this.#findFork(bestHeight);
    if (fork < this.#chain.height) await this.#disconnectTo(fork);
    const from = this.#chain.height;
    if (bestHeight - from > BLOCK_FETCH_BATCH) this.#ctx.log.info({ from: from + 1, to: bestHeight }, 'bitcoin rescan: catching up');
    let logged = from;
    while (this.#chain.height < bestHeight && !this.#stopped) {
      const first = this.#chain.height + 1;
      const heights = Array.from({ length: Math.min(BLOCK_FETCH_BATCH, bestHeight - first + 1) }, (_, i) => first + i);
      let hashes: string[];
      try {
        hashes = await this.#rpc.getBlockHashes(heights);
      } catch (error) {
        // The chain got shorter while we were syncing (a reorg to a shorter chain): retry next poll.
        if (error instanceof BitcoinRpcError && error.kind === 'rpc') return;
        throw error;
      }
      const raws = await this.#rpc.getRawBlocks(hashes);
      const observations: Observation[] = [];
      for (const [i, raw] of raws.entries()) {
        const block = parseBlock(raw);
        if (block.hash !== hashes[i]) throw new BitcoinRpcError('protocol', `getblock returned ${block.hash} for ${hashes[i]}`);
        // Parent mismatch mid-sync means the chain moved under us: the next poll finds the fork.
        if (block.prevHash !== tipHash(this.#chain)) break;
        this.#connectBlock(block.hash, block.time, block.transactions);
      }
      this.#confirmationUpdates(observations);
      await this.#commit(observations);
      if (this.#chain.height - logged >= RESCAN_PROGRESS_BLOCKS) {
        logged = this.#chain.height;
        this.#ctx.log.info({ height: this.#chain.height, to: bestHeight, left: bestHeight - this.#chain.height }, 'bitcoin rescan progress');
      }
      if (this.#chain.height < first + hashes.length - 1) return;
    }
  }

  /** Emits, then records progress: a crash in between replays (idempotent) rather than skips. */
  async #commit(observations: readonly Observation[]): Promise<void> {
    if (observations.length > 0) await this.#ctx.emit(observations);
    await this.#ctx.state.set(CHAIN_STATE_KEY, encodeChainState(this.#chain));
  }

  /** Highest height where our remembered hash is still on the node's best chain. */
  async #findFork(bestHeight: number): Promise<number> {
    const chain = this.#chain;
    if (chain.height <= bestHeight) {
      const [remote] = await this.#rpc.getBlockHashes([chain.height]);
      if (remote === tipHash(chain)) return chain.height;
    }
    const base = baseHeight(chain);
    const top = Math.min(chain.height, bestHeight);
    const heights: number[] = [];
    for (let h = Math.max(base, 0); h <= top; h++) heights.push(h);
    const remote = await this.#rpc.getBlockHashes(heights);
    for (let i = heights.length - 1; i >= 0; i--) {
      const height = heights[i] as number;
      if (remote[i] === hashAt(chain, height)) return height;
    }
    this.#ctx.log.error({ remembered: chain.hashes.length, base }, 'bitcoin reorg deeper than the remembered blocks: rescanning from before them');
    return Math.max(base - 1, 0);
  }

  async #disconnectTo(fork: number): Promise<void> {
    const depth = this.#chain.height - fork;
    this.#ctx.log.warn({ fork, depth, orphanedTip: tipHash(this.#chain) }, 'bitcoin reorg: walking back to the fork point');
    const [forkHash] = hashAt(this.#chain, fork) === null ? await this.#rpc.getBlockHashes([fork]) : [hashAt(this.#chain, fork)];
    this.#chain = rewindTo(this.#chain, fork, forkHash as string);
    const observations: Observation[] = [];
    for (const t of this.#tracked.values()) {
      if (t.state !== 'confirmed' || (t.blockHeight ?? -1) <= fork) continue;
      t.state = 'seen';
      t.blockHash = null;
      t.blockHeight = null;
      t.emittedConfirmations = 0;
      t.orphanedAt = fork;
      observations.push(this.#observation(t, 'seen', 0));
    }
    this.#confirmationUpdates(observations);
    await this.#commit(observations);
  }

  #connectBlock(hash: string, time: number, transactions: readonly RawTransaction[]): void {
    const matches = this.#watched.matchBlock(transactions, time);
    const height = this.#chain.height + 1;
    for (const m of matches) {
      const t = this.#track(m);
      t.state = 'confirmed';
      t.blockHash = hash;
      t.blockHeight = height;
      t.orphanedAt = null;
      t.emittedConfirmations = -1;
    }
    for (const tx of transactions) this.#mempoolTxs.delete(tx.txid);
    this.#chain = appendBlock(this.#chain, hash);
  }

  /** Re-emits confirmation counts that changed; stops tracking payments deeper than any reorg we handle. */
  #confirmationUpdates(out: Observation[]): void {
    const finalDepth = Math.max(this.#options.confirmations, this.#options.reorgHorizon);
    for (const [key, t] of this.#tracked) {
      if (t.state !== 'confirmed' || t.blockHeight === null) continue;
      const confirmations = this.#chain.height - t.blockHeight + 1;
      if (confirmations < 1) continue;
      if (confirmations !== t.emittedConfirmations) {
        t.emittedConfirmations = confirmations;
        out.push(this.#observation(t, 'confirmed', confirmations));
      }
      if (confirmations > finalDepth) this.#tracked.delete(key);
    }
  }

  // ---- mempool ----

  async #scanMempool(mempool: ReadonlySet<string>, newTargets: number): Promise<void> {
    for (const txid of this.#mempoolTxs.keys()) if (!mempool.has(txid)) this.#mempoolTxs.delete(txid);
    const matches: OutputMatch[] = [];
    const nowMs = this.#ctx.clock.now().getTime();
    // New targets may already have been paid by a transaction parsed earlier: match them again.
    if (newTargets > 0) for (const tx of this.#mempoolTxs.values()) this.#watched.matchTransaction(tx, nowMs, matches);
    const fresh: string[] = [];
    for (const txid of mempool) {
      if (!this.#mempoolTxs.has(txid)) fresh.push(txid);
      if (fresh.length >= MEMPOOL_FETCH_PER_POLL_MAX) break;
    }
    for (let i = 0; i < fresh.length && !this.#stopped; i += MEMPOOL_FETCH_BATCH) {
      const batch = fresh.slice(i, i + MEMPOOL_FETCH_BATCH);
      const outcomes = await this.#rpc.getRawTransactions(batch);
      for (const outcome of outcomes) {
        if (!outcome.ok) continue; // left the mempool since the snapshot
        const tx = parseTransaction(outcome.value);
        this.#mempoolTxs.set(tx.txid, tx);
        this.#watched.matchTransaction(tx, nowMs, matches);
      }
    }
    const observations: Observation[] = [];
    for (const m of matches) {
      const existing = this.#tracked.get(`${m.txid}:${m.vout}`);
      if (existing && (existing.state === 'confirmed' || existing.emittedConfirmations === 0)) continue;
      const t = this.#track(m);
      t.emittedConfirmations = 0;
      observations.push(this.#observation(t, 'seen', 0));
    }
    if (observations.length > 0) await this.#ctx.emit(observations);
  }

  /** Unconfirmed payments absent from the mempool: replaced or dropped (or orphaned past the horizon). */
  async #dropVanished(mempool: ReadonlySet<string>): Promise<void> {
    const observations: Observation[] = [];
    for (const [key, t] of this.#tracked) {
      if (t.state !== 'seen' || mempool.has(t.txid)) continue;
      if (t.orphanedAt !== null && this.#chain.height - t.orphanedAt < this.#options.reorgHorizon) continue;
      this.#tracked.delete(key);
      observations.push(this.#observation(t, 'gone', 0));
      this.#ctx.log.warn({ paymentKey: key, orphanedAt: t.orphanedAt }, 'bitcoin payment gone from chain and mempool');
    }
    if (observations.length > 0) await this.#ctx.emit(observations);
  }

  // ---- payments ----

  #track(m: OutputMatch): Tracked {
    const key = `${m.txid}:${m.vout}`;
    let t = this.#tracked.get(key);
    if (!t) {
      t = {
        targetKey: m.targetKey, txid: m.txid, vout: m.vout, amountSat: m.valueSat, rbf: m.rbf,
        state: 'seen', blockHash: null, blockHeight: null, emittedConfirmations: -1, orphanedAt: null,
      };
      this.#tracked.set(key, t);
      this.#options.onPaid?.(m.targetKey);
    }
    return t;
  }

  #observation(t: Tracked, state: Observation['state'], confirmations: number): Observation {
    return {
      methodId: BITCOIN_METHOD_ID, targetKey: t.targetKey, paymentKey: `${t.txid}:${t.vout}`, amountUnits: t.amountSat,
      state, confirmations, txid: t.txid, rbf: t.rbf,
      ...(state === 'confirmed' && t.blockHash !== null && t.blockHeight !== null ? { blockHash: t.blockHash, blockHeight: t.blockHeight } : {}),
    };
  }

  /** Payments settlement still cares about: re-checked against the chain as it is now. */
  async #loadKnownPayments(): Promise<void> {
    const known = await this.#ctx.knownPayments([BITCOIN_METHOD_ID]);
    const confirmed: Array<{ t: Tracked; k: KnownPayment }> = [];
    for (const k of known) {
      if (k.state === 'gone') continue;
      const [txid, voutText] = k.paymentKey.split(':');
      if (!txid || voutText === undefined) continue;
      const t: Tracked = {
        targetKey: k.targetKey, txid, vout: Number(voutText), amountSat: k.amountUnits, rbf: false, state: k.state,
        blockHash: k.blockHash ?? null, blockHeight: k.blockHeight ?? null, emittedConfirmations: k.confirmations, orphanedAt: null,
      };
      this.#tracked.set(k.paymentKey, t);
      if (t.state === 'confirmed') confirmed.push({ t, k });
    }
    const check = confirmed.filter(({ t }) => t.blockHeight !== null && t.blockHeight <= this.#chain.height);
    const outcomes = await this.#rpc.batchSettled<string>(check.map(({ t }) => ({ method: 'getblockhash', params: [t.blockHeight] })));
    const observations: Observation[] = [];
    for (const [i, { t }] of check.entries()) {
      const outcome = outcomes[i];
      if (outcome?.ok && outcome.value === t.blockHash) continue;
      // Its block is no longer on the chain we follow: back to seen until found again or gone.
      t.state = 'seen';
      t.orphanedAt = (t.blockHeight ?? this.#chain.height) - 1;
      t.blockHash = null;
      t.blockHeight = null;
      t.emittedConfirmations = 0;
      observations.push(this.#observation(t, 'seen', 0));
    }
    // Confirmation counts are re-emitted by the chain sync, against the height it reaches.
    if (observations.length > 0) await this.#ctx.emit(observations);
  }
}
