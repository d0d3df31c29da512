// The bitcoin watcher: follows the node's best chain block by block (raw blocks scanned
// in-process, outputs matched by script), follows the mempool for unconfirmed payments, and turns
// what it sees into Observations. It reports facts only: confirmations, reorgs (a payment whose
// block left the chain is `seen` again), and disappearance (`gone`). Crediting is settlement's job.
//
// One poll ("tick"): snapshot the mempool's txids → refresh targets → sync the chain (reorg
// check, then connect new blocks in byte-bounded batches) → fetch and match only the mempool
// transactions not seen before → declare gone the payments missing from the mempool long enough
// (a grace period: a replica behind a load balancer may not have received one yet). Blocks and
// mempool are independent paths, each with its own pacer (request-policy.ts): a failing mempool never stops blocks, and
// failing blocks never stop mempool detection. The snapshot is taken before the chain sync, so a
// transaction missing from both was really replaced or dropped, not mined between two calls;
// `gone` is only declared in a tick where both paths succeeded. Targets are refreshed after the
// snapshot: every transaction in it was built after its address was handed out, so its target is
// already known when it is matched.

import type { Observation } from '../../core/observation.ts';
import type { KnownPayment, MethodHealth, Watcher, WatcherContext } from '../../core/payment-method.ts';
import { Limits } from '../../core/limits.ts';
import { RequestPacer, RemoteRequestError, AdaptiveSize, withAdaptiveSize } from '../request-policy.ts';
import type { BitcoinNetwork } from './network.ts';
import { BitcoinRpcError, classifyBitcoinError } from './rpc-client.ts';
import type { BitcoinRpc } from './rpc-client.ts';
import { BlockFetcher } from './block-fetcher.ts';
import type { FetchedBlock } from './block-fetcher.ts';
import { scanBlock } from './raw-block.ts';
import type { ScannedBlock } from './raw-block.ts';
import { parseTransaction } from './raw-transaction.ts';
import type { RawTransaction } from './raw-transaction.ts';
import { WatchedScripts } from './watched-scripts.ts';
import type { OutputMatch } from './watched-scripts.ts';
import {
  CHAIN_STATE_KEY, appendBlock, baseHeight, decodeChainState, encodeChainState, hashAt, rewindTo, tipHash,
} from './chain-state.ts';
import type { ChainState } from './chain-state.ts';
import {
  LOGGED_DETAIL_CHARS_MAX, MEMPOOL_FETCH_BATCH, MEMPOOL_GONE_ABSENT_LISTS_MIN, MEMPOOL_FETCH_PER_POLL_MAX, MEMPOOL_LIST_IDLE_FACTOR, RESCAN_PROGRESS_BLOCKS,
} from './limits.ts';

export const BITCOIN_METHOD_ID = 'bitcoin';

export interface BitcoinWatcherOptions {
  readonly rpc: BitcoinRpc;
  readonly network: BitcoinNetwork;
  readonly confirmations: number;
  readonly reorgHorizon: number;
  readonly pollIntervalMs: number;
  readonly startHeight: number | null;
  /** How long an unconfirmed payment must be absent from the mempool before it is `gone`. */
  readonly mempoolGoneGraceMs: number;
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
  /** Since when (monotonic ms) and in how many mempool lists in a row it was missing; null while listed. */
  absentSinceMs: number | null;
  absentLists: number;
}

/** The txids the node listed at one moment; null when the mempool could not be read this poll. */
type MempoolSnapshot = ReadonlySet<string> | null;

export class BitcoinWatcher implements Watcher {
  readonly #ctx: WatcherContext;
  readonly #options: BitcoinWatcherOptions;
  readonly #rpc: BitcoinRpc;
  readonly #watched: WatchedScripts;
  readonly #blocks: BlockFetcher;
  readonly #tracked = new Map<string, Tracked>();
  /** Mempool txids already fetched (or found unparsable): only new ones are fetched. */
  readonly #mempoolSeen = new Set<string>();
  readonly #mempoolBatch = new AdaptiveSize({ initial: MEMPOOL_FETCH_BATCH, min: 1, max: MEMPOOL_FETCH_BATCH });
  readonly #blockPacer = new RequestPacer();
  readonly #mempoolPacer = new RequestPacer();
  /** Earliest time (monotonic ms) of the next txid-list pull: bounded by how long the last one took. */
  #mempoolNextListMs = 0;
  #mempoolSequence: number | null = null;
  #mempoolProblem: string | null = null;
  #blockProblem: string | null = null;
  #chain: ChainState = { height: -1, hashes: ['0'.repeat(64)] };
  /** The node's best block height as last learned (getbestblockhash + getblockheader); null until then. */
  #nodeHeight: number | null = null;
  #stopped = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;

  constructor(ctx: WatcherContext, options: BitcoinWatcherOptions) {
    this.#ctx = ctx;
    this.#options = options;
    this.#rpc = options.rpc;
    this.#watched = new WatchedScripts(options.network);
    this.#blocks = new BlockFetcher(options.rpc);
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
      this.#nodeHeight = header.height;
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
      await this.#tick();
      this.#report();
      if (this.#stopped) break;
      // Each path waits for its own pacer; the poll waits for the first path that is due.
      const now = this.#nowMs();
      const due = Math.min(this.#blockPacer.delayMs(now), Math.max(this.#mempoolPacer.delayMs(now), this.#mempoolNextListMs - now));
      await this.#sleep(Math.max(this.#options.pollIntervalMs, due));
    }
  }

  /** Monotonic time for pacing (waits are real durations; the injected clock may be a test's frozen one). */
  #nowMs(): number {
    return performance.now();
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

  /** Reports the height processed next to the node's, and the last problem of each path. */
  #report(): void {
    const heights = { height: this.#chain.height, ...(this.#nodeHeight === null ? {} : { nodeHeight: this.#nodeHeight }) };
    this.#beat(this.#blockProblem === null
      ? { ok: true, ...heights, updatedAt: this.#ctx.clock.now(), ...(this.#mempoolProblem === null ? {} : { detail: `mempool: ${this.#mempoolProblem}` }) }
      : { ok: false, detail: this.#blockProblem, ...heights, updatedAt: this.#ctx.clock.now() });
  }

  #beat(health: MethodHealth): void {
    this.#ctx.heartbeat(health);
    this.#options.onHealth?.(health);
  }

  async #tick(): Promise<void> {
    const mempool = await this.#snapshotMempool();
    let chainSynced = false;
    if (this.#blockPacer.delayMs(this.#nowMs()) === 0) {
      try {
        await this.#refreshTargets();
        await this.#syncChain();
        chainSynced = true;
        this.#blockPacer.succeeded();
        this.#blockProblem = null;
      } catch (error) {
        this.#blockProblem = this.#failed('blocks', error, this.#blockPacer);
      }
    }
    if (this.#stopped || mempool === null) return;
    try {
      if (!chainSynced) await this.#refreshTargets();
      await this.#scanMempool(mempool);
      // A payment absent from the snapshot may sit in a block this poll did not reach: only
      // a poll that synced the chain may call it gone.
      if (chainSynced) await this.#dropVanished(mempool);
      this.#mempoolPacer.succeeded();
      this.#mempoolProblem = null;
    } catch (error) {
      this.#mempoolProblem = this.#failed('mempool', error, this.#mempoolPacer);
    }
  }

  /** Logs a path's failure with where it came from, paces that path, and returns the health detail. */
  #failed(path: 'blocks' | 'mempool', error: unknown, pacer: RequestPacer): string {
    const kind = classifyBitcoinError(error);
    const retryAfterMs = error instanceof BitcoinRpcError ? error.retryAfterMs : null;
    const waitMs = pacer.failed(kind === null ? null : new RemoteRequestError(kind, (error as Error).message, retryAfterMs), this.#nowMs());
    const message = (error as Error).message.slice(0, LOGGED_DETAIL_CHARS_MAX);
    this.#ctx.log.error({ err: error, path, endpoint: this.#rpc.endpoint, failures: pacer.failuresInARow, retryInMs: waitMs },
      `bitcoin ${path} poll failed`);
    return error instanceof BitcoinRpcError ? message : `watcher error: ${message}`;
  }

  async #refreshTargets(): Promise<void> {
    const { targets, cursor } = await this.#ctx.targets(this.#watched.cursor);
    this.#watched.add(targets, (target, error) => this.#ctx.log.warn({ targetKey: target.targetKey, err: error }, 'bitcoin target is not an address of this network; not watched'));
    this.#watched.advance(cursor);
    this.#watched.prune(this.#ctx.clock.now().getTime());
  }

  // ---- chain ----

  async #syncChain(): Promise<void> {
    const best = await this.#rpc.getBestBlockHash();
    if (best === tipHash(this.#chain)) {
      this.#nodeHeight = this.#chain.height;
      return;
    }
    const bestHeight = (await this.#rpc.getBlockHeader(best)).height;
    if (!Number.isSafeInteger(bestHeight) || bestHeight < 0) throw new BitcoinRpcError('protocol', `getblockheader ${best} gave no height`);
    this.#nodeHeight = bestHeight;
    const fork = await this.#findFork(bestHeight);
    if (fork < this.#chain.height) await this.#disconnectTo(fork);
    const from = this.#chain.height;
    if (bestHeight - from > 1) this.#ctx.log.info({ from: from + 1, to: bestHeight }, 'bitcoin: catching up');
    let logged = from;
    // The next batch is fetched while this one is parsed and matched: the node's time to serve
    // blocks overlaps ours instead of adding to it. A prefetch left behind (reorg, stop) is dropped.
    let pending: Promise<FetchedBlock[]> | null = this.#fetchSettled(this.#chain.height + 1, bestHeight);
    while (pending !== null && !this.#stopped) {
      let blocks: FetchedBlock[];
      try {
        blocks = await pending;
      } catch (error) {
        // The chain got shorter while we were syncing (a reorg to a shorter chain): retry next poll.
        if (error instanceof BitcoinRpcError && error.kind === 'rpc') return;
        throw error;
      }
      const after = (blocks.at(-1)?.height ?? this.#chain.height) + 1;
      pending = after <= bestHeight ? this.#fetchSettled(after, bestHeight) : null;
      let complete = true;
      for (const fetched of blocks) {
        const block = this.#scan(fetched.raw, fetched.hash, fetched.height);
        // Parent mismatch mid-sync means the chain moved under us: the next poll finds the fork.
        if (block.prevHash !== tipHash(this.#chain)) {
          complete = false;
          break;
        }
        this.#connectBlock(block);
      }
      await this.#emitConfirmations();
      // A long catch-up reports each batch: the console sees the height climb toward the node's.
      if (pending !== null) this.#report();
      if (this.#chain.height - logged >= RESCAN_PROGRESS_BLOCKS) {
        logged = this.#chain.height;
        this.#ctx.log.info({ height: this.#chain.height, to: bestHeight, left: bestHeight - this.#chain.height, batchBlocks: this.#blocks.batchBlocks }, 'bitcoin catch-up progress');
      }
      if (!complete) return;
    }
  }

  /** A fetch whose failure is only seen when awaited (a dropped prefetch must not be an unhandled rejection). */
  #fetchSettled(first: number, last: number): Promise<FetchedBlock[]> {
    const fetching = this.#blocks.fetch(first, last);
    fetching.catch(() => {});
    return fetching;
  }

  /**
   * The block's outputs to watched scripts (the whole block is walked, only those are built). A
   * block from the node that does not parse, or is not the block asked for, is the node's fault:
   * never matched.
   */
  #scan(raw: Buffer, hash: string, height: number): ScannedBlock {
    let block: ScannedBlock;
    try {
      block = scanBlock(raw, this.#watched.wants);
    } catch (error) {
      throw new BitcoinRpcError('protocol', `block ${hash} at height ${height} from ${this.#rpc.endpoint} does not parse (${raw.length} bytes): ${(error as Error).message}`);
    }
    if (block.hash !== hash) throw new BitcoinRpcError('protocol', `getblock returned ${block.hash} for ${hash} (height ${height}) from ${this.#rpc.endpoint}`);
    return block;
  }

  /** Emits confirmation counts that changed, then records progress: a crash in between replays (idempotent) rather than skips. */
  async #emitConfirmations(extra: readonly Observation[] = []): Promise<void> {
    const observations = [...extra];
    this.#confirmationUpdates(observations);
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
      t.absentSinceMs = null;
      t.absentLists = 0;
      observations.push(this.#observation(t, 'seen', 0));
    }
    await this.#emitConfirmations(observations);
  }

  #connectBlock(block: ScannedBlock): void {
    const { hash } = block;
    const matches = this.#watched.matchScanned(block.outputs, block.time);
    const height = this.#chain.height + 1;
    for (const m of matches) {
      const t = this.#track(m);
      t.state = 'confirmed';
      t.blockHash = hash;
      t.blockHeight = height;
      t.orphanedAt = null;
      t.emittedConfirmations = -1;
    }
    this.#chain = appendBlock(this.#chain, hash);
  }

  /**
   * Re-emits confirmation counts that changed. A payment is followed until it is final for Coffer
   * (Limits.reorgHorizonConfirmations deep: the depth past which the store stops handing it back
   * as known), so the count the API shows keeps up with the chain until then, whatever the
   * confirmations an amount tier requires. Past that depth it is no longer tracked.
   */
  #confirmationUpdates(out: Observation[]): void {
    const finalDepth = Math.max(this.#options.confirmations, this.#options.reorgHorizon, Limits.reorgHorizonConfirmations);
    for (const [key, t] of this.#tracked) {
      if (t.state !== 'confirmed' || t.blockHeight === null) continue;
      const confirmations = Math.min(this.#chain.height - t.blockHeight + 1, finalDepth);
      if (confirmations < 1) continue;
      if (confirmations !== t.emittedConfirmations) {
        t.emittedConfirmations = confirmations;
        out.push(this.#observation(t, 'confirmed', confirmations));
      }
      if (confirmations >= finalDepth) this.#tracked.delete(key);
    }
  }

  // ---- mempool ----

  /**
   * The node's mempool txids, when this path is due (its pacer, and the list-pull bound); null
   * otherwise or on failure. Bitcoin Core's mempool_sequence, when it comes with the list, says
   * whether anything changed since the last pull; then the list is not diffed again.
   */
  async #snapshotMempool(): Promise<MempoolSnapshot> {
    const started = this.#nowMs();
    if (this.#mempoolPacer.delayMs(started) > 0 || started < this.#mempoolNextListMs) return null;
    try {
      const { txids, sequence } = await this.#rpc.getMempoolSnapshot();
      const snapshot = new Set(txids);
      const unchanged = sequence !== null && sequence === this.#mempoolSequence;
      this.#mempoolSequence = sequence;
      if (!unchanged) for (const txid of this.#mempoolSeen) if (!snapshot.has(txid)) this.#mempoolSeen.delete(txid);
      const took = this.#nowMs() - started;
      this.#mempoolNextListMs = started + took * (1 + MEMPOOL_LIST_IDLE_FACTOR);
      return snapshot;
    } catch (error) {
      this.#mempoolProblem = this.#failed('mempool', error, this.#mempoolPacer);
      return null;
    }
  }

  /** Fetches and matches mempool transactions not seen before, at most MEMPOOL_FETCH_PER_POLL_MAX a poll. */
  async #scanMempool(mempool: ReadonlySet<string>): Promise<void> {
    const fresh: string[] = [];
    for (const txid of mempool) {
      if (fresh.length >= MEMPOOL_FETCH_PER_POLL_MAX) break;
      if (!this.#mempoolSeen.has(txid)) fresh.push(txid);
    }
    const matches: OutputMatch[] = [];
    const nowMs = this.#ctx.clock.now().getTime();
    for (let i = 0; i < fresh.length && !this.#stopped;) {
      const outcomes = await withAdaptiveSize(this.#mempoolBatch, async (n) => {
        const batch = fresh.slice(i, i + n);
        return { batch, outcomes: await this.#rpc.getRawTransactions(batch) };
      }, classifyBitcoinError);
      for (const [j, outcome] of outcomes.outcomes.entries()) {
        const txid = outcomes.batch[j] as string;
        if (!outcome.ok) continue; // left the mempool since the snapshot
        this.#mempoolSeen.add(txid);
        const tx = this.#parseMempoolTx(txid, outcome.value);
        if (tx) this.#watched.matchTransaction(tx, nowMs, matches);
      }
      i += outcomes.batch.length;
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

  /** A mempool transaction the node sent that does not parse (or is not that txid) is logged and skipped. */
  #parseMempoolTx(txid: string, hex: unknown): RawTransaction | null {
    try {
      if (typeof hex !== 'string') throw new Error(`not a hex string but ${typeof hex}`);
      const tx = parseTransaction(hex);
      if (tx.txid !== txid) throw new Error(`it hashes to ${tx.txid}`);
      return tx;
    } catch (error) {
      this.#ctx.log.warn({ txid, endpoint: this.#rpc.endpoint, err: error }, 'bitcoin node sent a mempool transaction that does not parse; skipped');
      return null;
    }
  }

  /**
   * Unconfirmed payments absent from the mempool: replaced or dropped (or orphaned past the
   * horizon). One list without it proves nothing behind a load balancer (the replica that answered
   * may not have received it yet), so it must be missing from MEMPOOL_GONE_ABSENT_LISTS_MIN lists in
   * a row spanning the grace period; listed once more, it starts over. Until then it stays `seen`.
   */
  async #dropVanished(mempool: ReadonlySet<string>): Promise<void> {
    const observations: Observation[] = [];
    const nowMs = this.#nowMs();
    for (const [key, t] of this.#tracked) {
      if (t.state !== 'seen') continue;
      if (mempool.has(t.txid)) {
        t.absentSinceMs = null;
        t.absentLists = 0;
        continue;
      }
      t.absentSinceMs ??= nowMs;
      t.absentLists += 1;
      if (t.absentLists < MEMPOOL_GONE_ABSENT_LISTS_MIN || nowMs - t.absentSinceMs < this.#options.mempoolGoneGraceMs) continue;
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
        state: 'seen', blockHash: null, blockHeight: null, emittedConfirmations: -1, orphanedAt: null, absentSinceMs: null, absentLists: 0,
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
        absentSinceMs: null, absentLists: 0,
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
