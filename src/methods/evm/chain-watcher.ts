// One EVM chain's watcher loop: follows the head in bounded block ranges, finds deposits to
// watched addresses (native coin from successful transactions and, through call traces, from
// contracts; ERC-20 from Transfer logs of the configured contracts only), walks back to the fork
// point on a reorg, keeps confirmation counts of known payments current and re-verifies a payment
// on chain before reporting it final (after its confirmations, or once the node's safe/finalized
// block passes it).
//
// Cost (docs/evm.md "Requests"): a range is read with ranged calls — eth_getLogs over the range,
// the headers at its ends, and the balances of open deposit addresses at its end. Block bodies
// (and their traces) are read only when a deposit address's balance changed in the range, or when
// too many addresses are open for that check. Request sizes adapt to the provider (request-policy).

import type { Observation } from '../../core/observation.ts';
import type { KnownPayment, MethodHealth, WatcherContext } from '../../core/payment-method.ts';
import { AdaptiveSize, RemoteRequestError, RequestPacer, sleepUnlessAborted } from '../request-policy.ts';
import { failureKind, readRangeAdaptive } from './adaptive-range.ts';
import { internalTransferAt, internalTransfers, isMethodMissing } from './call-traces.ts';
import { balancePaymentKey, directTransfers, forwardedInBlock, parseBalancePaymentKey } from './forwarded-balance.ts';
import type { Block, BlockHeader, ChainReader, LogEntry } from './chain-reader.ts';
import { ChainCursor } from './chain-cursor.ts';
import type { EvmChainConfig, EvmMethodConfig } from './config.ts';
import { addressTopic, decodeTransfer, TRANSFER_TOPIC } from './erc20.ts';
import { JsonRpcError } from './json-rpc.ts';
import {
  BALANCE_CHECK_ADDRESSES_MAX, BALANCE_GATE_ADDRESSES_MAX, BALANCE_READS_PER_STEP_MAX, BLOCK_RANGE_MAX_LIMIT, INCONSISTENT_STEPS_MAX, TARGET_PAGES_MAX, TOPIC_FILTER_ADDRESSES_MAX,
  TRACE_TXS_PER_STEP_MAX,
} from './limits.ts';

interface TargetEntry {
  readonly targetKey: string;
  watchUntilMs: number;
}

interface Candidate {
  readonly method: EvmMethodConfig;
  readonly targetKey: string;
  readonly txHash: string;
  readonly amountUnits: bigint;
  readonly block: BlockHeader;
  /** Block-level index of the Transfer log; null for a native transfer. */
  readonly blockLogIndex: number | null;
  /** Path of an inner call (call traces) that moved native coin; null otherwise. */
  readonly tracePath: string | null;
}

/**
 * How a chain's payments and state are named. EVM chains use their chain id; a rail that follows
 * another chain through the same JSON-RPC (Tron, methods/tron) names it so its keys can never
 * equal an EVM chain's.
 */
export interface ChainNaming {
  /** First part of payment keys: `<prefix>:<tx>:<log index | native | trace:…>`. */
  readonly paymentKeyPrefix: string;
  /** Prefix of the watcher's stored state (cursor, missing payments). */
  readonly stateKeyPrefix: string;
}

/** Thrown when the node's answers disagree with each other (a reorg mid-step): retry the step. */
class InconsistentChainError extends Error {
  override readonly name = 'InconsistentChainError';
}

export class ChainWatcher {
  readonly chain: EvmChainConfig;
  readonly #methods: readonly EvmMethodConfig[];
  readonly #native: EvmMethodConfig | undefined;
  readonly #tokens: Map<string, EvmMethodConfig>;
  readonly #reader: ChainReader;
  readonly #ctx: WatcherContext;
  readonly #targets = new Map<string, TargetEntry>();
  #targetCursor = 0;
  /** Earliest watchUntil among watched targets: pruning is skipped until the chain passes it. */
  #nextExpiryMs = Number.POSITIVE_INFINITY;
  #cursor: ChainCursor;
  /** paymentKey → height at which its block was found gone from the chain. */
  #missing = new Map<string, number>();
  #head = -1;
  #headChangedAt = 0;
  health: MethodHealth = { ok: true, detail: 'starting' };
  /** Consecutive steps whose node answers disagreed; many in a row is a broken node, not a reorg. */
  #inconsistentSteps = 0;
  readonly #stateKey: string;
  readonly #missingKey: string;
  /** Blocks per eth_getLogs call: adapts to what the provider accepts. */
  readonly logsRange: AdaptiveSize;
  readonly #pacer = new RequestPacer();
  /** Deposit-address balances at the cursor (the balance gate); cleared on a rewind. */
  #balances = new Map<string, bigint>();
  /** How the node gives call traces: per block, per transaction, not at all (null until first asked). */
  #traces: 'block' | 'transaction' | 'none' | null = null;
  #tagWarned = false;
  /** The balance check is over its address cap (warned once until it is back under). */
  #capWarned = false;
  readonly #paymentKeyPrefix: string;

  constructor(chain: EvmChainConfig, methods: readonly EvmMethodConfig[], reader: ChainReader, ctx: WatcherContext, naming?: ChainNaming) {
    this.chain = chain;
    this.#methods = methods.filter((m) => m.chainId === chain.chainId);
    this.#native = this.#methods.find((m) => m.token === null);
    this.#tokens = new Map(this.#methods.filter((m) => m.token !== null).map((m) => [m.token as string, m]));
    this.#reader = reader;
    this.#ctx = ctx;
    this.#cursor = new ChainCursor(chain.hashWindow);
    const stateKeyPrefix = naming?.stateKeyPrefix ?? `evm:${chain.chainId}`;
    this.#stateKey = `${stateKeyPrefix}:cursor`;
    this.#missingKey = `${stateKeyPrefix}:missing`;
    this.#paymentKeyPrefix = naming?.paymentKeyPrefix ?? String(chain.chainId);
    this.logsRange = new AdaptiveSize({ initial: chain.logsRangeInitial, min: 1, max: BLOCK_RANGE_MAX_LIMIT });
    // Configured not to trace: the node is never asked.
    if (chain.forwarded === 'balances' || chain.forwarded === 'off') this.#traces = 'none';
  }

  /** How ETH forwarded by contracts is found right now: call traces, balances, or not at all. */
  get forwardedPath(): 'traces' | 'balances' | 'off' | 'unknown' {
    const mode = this.chain.forwarded;
    if (mode === 'off') return 'off';
    if (this.#traces === 'none') return mode === 'traces' ? 'off' : 'balances';
    return this.#traces === null ? 'unknown' : 'traces';
  }

  get methodIds(): string[] {
    return this.#methods.map((m) => m.methodId);
  }

  async load(): Promise<void> {
    this.#cursor = ChainCursor.parse(await this.#ctx.state.get(this.#stateKey), this.chain.hashWindow);
    const missing = await this.#ctx.state.get(this.#missingKey);
    this.#missing = new Map(missing === null ? [] : (JSON.parse(missing) as [string, number][]));
    this.#headChangedAt = this.#ctx.clock.now().getTime();
    // The watched set is loaded at start, so following begins with every target known.
    await this.#refreshTargets();
    // The first start fixes its starting block now, before start() resolves, so a payment made
    // right after start is never behind the starting point. A failing node is retried by run().
    if (this.#cursor.last === null) {
      try {
        await this.#initCursor(await this.#reader.blockNumber());
      } catch (error) {
        this.#ctx.log.warn({ chainId: this.chain.chainId, err: (error as Error).message }, 'evm watcher: cannot read the head at start');
      }
    }
    // The forwarded-ETH path is chosen at start; a failing node is asked again before the first range.
    if (this.#native !== undefined && this.#traces === null && this.#cursor.last !== null) {
      await this.#probeTraces(Math.max(this.#cursor.last, 0)).catch((error: unknown) => {
        this.#ctx.log.warn({ chainId: this.chain.chainId, err: (error as Error).message }, 'evm watcher: cannot ask the node for call traces at start');
      });
    }
  }

  /**
   * Asks the node which call-trace method it offers: debug_traceBlockByNumber, else
   * debug_traceTransaction (asked for a hash no transaction has: "not found" means the method
   * exists), else none — then forwarded ETH is found from balances (mode `auto`). A node failure
   * is thrown (the question is asked again), never taken for "no traces".
   */
  async #probeTraces(at: number): Promise<void> {
    try {
      await this.#reader.traceBlock(at);
      this.#traces = 'block';
      return;
    } catch (error) {
      if (failureKind(error) !== null) throw error;
      if (!isMethodMissing(error)) {
        this.#ctx.log.info({ chainId: this.chain.chainId, err: (error as Error).message }, 'evm debug_traceBlockByNumber refused; trying debug_traceTransaction');
      }
    }
    try {
      await this.#reader.traceTransaction(`0x${'0'.repeat(64)}`);
      this.#traces = 'transaction';
    } catch (error) {
      if (failureKind(error) !== null) throw error;
      this.#traces = isMethodMissing(error) ? 'none' : 'transaction';
    }
    this.#logTracePath();
  }

  #logTracePath(): void {
    if (this.#traces !== 'none') return;
    const path = this.forwardedPath;
    this.#ctx.log.warn({ chainId: this.chain.chainId, forwarded: path },
      path === 'balances' ? 'evm node offers no call traces: ETH sent by contracts is found from the balances of open deposit addresses'
        : 'evm node offers no call traces: ETH sent by contracts is not seen');
  }

  /** Runs steps until `signal` aborts; failures back off and are reported through health. */
  async run(signal: AbortSignal, onHealth: () => void): Promise<void> {
    while (!signal.aborted) {
      let waitMs = 0;
      try {
        const caughtUp = await this.step();
        this.#inconsistentSteps = 0;
        this.#pacer.succeeded();
        if (caughtUp) waitMs = this.chain.pollIntervalMs;
      } catch (error) {
        waitMs = this.#failed(error);
      }
      onHealth();
      if (waitMs > 0) await sleepUnlessAborted(waitMs, signal);
    }
  }

  /** Logs a failed step with the node's words, reports it, and returns how long to wait. */
  #failed(error: unknown): number {
    const message = (error as Error).message;
    if (error instanceof InconsistentChainError) this.#inconsistentSteps += 1;
    const transient = error instanceof InconsistentChainError && this.#inconsistentSteps < INCONSISTENT_STEPS_MAX;
    const kind = failureKind(error);
    this.#ctx.log[transient ? 'info' : 'warn']({ chainId: this.chain.chainId, rpc: this.#reader.rpc.url, kind, err: message }, 'evm watcher step failed');
    if (transient) return this.chain.pollIntervalMs;
    this.health = { ok: false, detail: `chain ${this.chain.chainId}: ${message}`, height: this.#cursor.last ?? 0, updatedAt: this.#ctx.clock.now() };
    // Retry-After (a rate limit) or exponential backoff, from the shared policy.
    const told = error instanceof JsonRpcError && kind !== null ? new RemoteRequestError(kind, message, error.retryAfterMs) : null;
    return Math.max(this.chain.pollIntervalMs, this.#pacer.failed(told, this.#ctx.clock.now().getTime()));
  }

  /** One step: returns true when caught up with the head (the caller then waits a poll interval). */
  async step(): Promise<boolean> {
    // While catching up more than one range behind the last head read, the head is not re-read:
    // the next range is known to exist, and the call is saved on every step of a long catch-up.
    const behind = this.#cursor.last !== null && this.#head - this.#cursor.last > this.chain.blockRangeMax;
    const head = behind ? this.#head : await this.#reader.blockNumber();
    this.#trackHead(head);
    await this.#refreshTargets();
    if (this.#cursor.last === null) await this.#initCursor(head);
    const last = this.#cursor.last as number;
    if (last >= head) {
      // Nothing new: still check the tip we stand on, so a same-height reorg is seen now.
      if (await this.#tipReplaced(Math.min(last, head)) || last > head) await this.#rewindToFork(head);
      await this.#updateKnown(head);
      this.#setHealthy();
      return true;
    }
    const to = Math.min(head, last + this.chain.blockRangeMax);
    const reorged = await this.#processRange(last + 1, to);
    if (reorged) {
      await this.#rewindToFork(head);
      return false;
    }
    await this.#updateKnown(head);
    this.#setHealthy();
    return to >= head;
  }

  #trackHead(head: number): void {
    const now = this.#ctx.clock.now().getTime();
    if (head !== this.#head) {
      this.#head = head;
      this.#headChangedAt = now;
    }
  }

  #setHealthy(): void {
    const now = this.#ctx.clock.now();
    const idleMs = now.getTime() - this.#headChangedAt;
    const stale = idleMs > this.chain.staleAfterMs;
    this.health = {
      ok: !stale,
      detail: stale ? `chain ${this.chain.chainId}: no new block for ${Math.round(idleMs / 1000)} s` : `chain ${this.chain.chainId}: head ${this.#head}`,
      height: this.#cursor.last ?? 0,
      ...(this.#head >= 0 ? { nodeHeight: this.#head } : {}),
      updatedAt: now,
    };
  }

  /** First start: begin at the head (nothing older can pay a target allocated from now on), or at startBlock. */
  async #initCursor(head: number): Promise<void> {
    const last = this.chain.startBlock === null ? head : Math.min(this.chain.startBlock - 1, head);
    this.#cursor.last = last;
    if (last >= 0) {
      const [block] = await this.#reader.blocks(last, last, false);
      this.#cursor.record(last, (block as Block).hash);
    }
    await this.#ctx.state.set(this.#stateKey, this.#cursor.serialize());
  }

  async #refreshTargets(): Promise<void> {
    const mine = new Set(this.methodIds);
    for (let page = 0; page < TARGET_PAGES_MAX; page++) {
      const { targets, cursor } = await this.#ctx.targets(this.#targetCursor);
      this.#targetCursor = cursor;
      if (targets.length === 0) return;
      for (const t of targets) {
        // A target is watched on its own method's chain only: the same address on another chain
        // id is not this deposit (ADVERSARIAL 16).
        if (!mine.has(t.methodId)) continue;
        const key = t.targetKey.toLowerCase();
        const prior = this.#targets.get(key);
        const until = t.watchUntil.getTime();
        if (prior === undefined) this.#targets.set(key, { targetKey: t.targetKey, watchUntilMs: until });
        else prior.watchUntilMs = Math.max(prior.watchUntilMs, until);
        this.#nextExpiryMs = Math.min(this.#nextExpiryMs, until);
      }
    }
  }

  async #tipReplaced(height: number): Promise<boolean> {
    const stored = this.#cursor.hashAt(height);
    if (stored === undefined || height < 0) return false;
    const [block] = await this.#reader.blocks(height, height, false);
    return (block as Block).hash !== stored;
  }

  /** Walks back through stored hashes to the newest block still on the chain, and rewinds there. */
  async #rewindToFork(head: number): Promise<void> {
    const heights = this.#cursor.heightsDescending().filter((h) => h <= head);
    let fork: number | null = null;
    for (let i = 0; i < heights.length && fork === null; i += 16) {
      const slice = heights.slice(i, i + 16);
      const blocks = await Promise.all(slice.map((h) => this.#reader.blocks(h, h, false)));
      for (const [j, h] of slice.entries()) {
        if (blocks[j]?.[0]?.hash === this.#cursor.hashAt(h)) { fork = h; break; }
      }
    }
    const oldest = this.#cursor.heightsDescending().at(-1) ?? 0;
    if (fork === null) {
      this.#ctx.log.error({ chainId: this.chain.chainId, oldest }, 'evm reorg deeper than the stored block window; rescanning from its start');
      fork = Math.max(Math.min(oldest, head) - 1, 0);
    }
    this.#ctx.log.warn({ chainId: this.chain.chainId, from: this.#cursor.last, fork }, 'evm reorg: rewinding to fork point');
    this.#cursor.rewind(fork);
    this.#balances.clear();
    if (this.#cursor.hashAt(fork) === undefined && fork >= 0) {
      const [block] = await this.#reader.blocks(fork, fork, false);
      this.#cursor.record(fork, (block as Block).hash);
    }
    await this.#ctx.state.set(this.#stateKey, this.#cursor.serialize());
  }

  /** Scans [from, to]; returns true when the range does not extend the stored chain (reorg). */
  async #processRange(from: number, to: number): Promise<boolean> {
    const watching = this.#targets.size > 0;
    const native = watching && this.#native !== undefined;
    if (native && this.#traces === null) await this.#probeTraces(to);
    const byBalance = native && this.forwardedPath === 'balances';
    const gated = native && (this.#targets.size <= BALANCE_GATE_ADDRESSES_MAX || byBalance);
    const addresses = gated ? this.#checkedAddresses() : [];
    // One round of ranged calls (coalesced into one HTTP batch by the client): the stored ends
    // of the last two ranges (a reorg racing the previous step is caught here), the new end, the
    // token logs and the balances at the new end.
    const checks = this.#cursor.heightsDescending().slice(0, 2);
    const [checked, end, logs, balances] = await Promise.all([
      Promise.all(checks.map((h) => this.#reader.header(h))),
      this.#reader.header(to),
      watching && this.#tokens.size > 0 ? this.#fetchLogs(from, to) : Promise.resolve([]),
      gated ? this.#reader.balances(addresses, to).catch((error: unknown) => this.#balanceUnknown(error)) : Promise.resolve(null),
    ]);
    for (const [i, h] of checks.entries()) if (checked[i]?.hash !== this.#cursor.hashAt(h)) return true;
    if (end === null) throw new InconsistentChainError(`block ${to} not found (node behind its own head?)`);
    let history: Map<string, bigint[]> | null = null;
    if (byBalance && balances !== null) {
      const placed = await this.#balanceHistory(addresses, balances, from, to);
      // Too many balance reads for this range: the step covers fewer blocks (none is skipped).
      if (typeof placed === 'number') return this.#processRange(from, placed);
      history = placed;
    }
    const complete = addresses.length === this.#targets.size;
    const scanBodies = native && (!complete || balances === null || this.#balanceChanged(addresses, balances));
    const blocks = scanBodies ? await this.#reader.blocks(from, to, true) : [];
    if (scanBodies) {
      if (blocks[0]?.parentHash !== this.#cursor.hashAt(from - 1) && this.#cursor.hashAt(from - 1) !== undefined) return true;
      for (let i = 1; i < blocks.length; i++) {
        if ((blocks[i] as Block).parentHash !== (blocks[i - 1] as Block).hash) throw new InconsistentChainError('blocks do not link');
      }
      if (blocks.at(-1)?.hash !== end.hash) throw new InconsistentChainError('range end changed while reading');
    }
    const headers = await this.#headersFor(logs, blocks, end);
    const traced = scanBodies ? await this.#matchTraces(blocks) : [];
    const candidates = [...this.#matchNative(blocks), ...traced, ...this.#matchLogs(logs, headers)];
    const observations = [...await this.#confirmCandidates(candidates, to), ...await this.#matchBalances(history, blocks, from, to)];
    if (observations.length > 0) await this.#ctx.emit(observations);
    for (const b of blocks) this.#cursor.record(b.number, b.hash);
    for (const c of candidates) this.#cursor.record(c.block.number, c.block.hash);
    this.#cursor.record(end.number, end.hash);
    this.#cursor.last = to;
    if (balances !== null) this.#balances = new Map(addresses.map((a, i) => [a, balances[i] as bigint]));
    this.#pruneTargets(end.timestampSec * 1000);
    await this.#ctx.state.set(this.#stateKey, this.#cursor.serialize());
    return false;
  }

  #balanceUnknown(error: unknown): null {
    // Without traces a node failure fails the step (retried): skipping would miss forwarded ETH.
    if (this.forwardedPath === 'balances' && failureKind(error) !== null) throw error;
    // A pruned node has no state for older blocks ("missing trie node"): read the bodies instead.
    // Without traces, ETH forwarded by contracts in this range cannot be seen then: said loudly.
    const byBalance = this.forwardedPath === 'balances';
    this.#ctx.log[byBalance ? 'warn' : 'info']({ chainId: this.chain.chainId, err: (error as Error).message },
      byBalance ? 'evm balance check failed; reading block bodies, ETH forwarded by contracts in this range is not seen' : 'evm balance check failed; reading block bodies');
    return null;
  }

  /** Open deposit addresses whose balances are read: all, or the last opened up to the cap. */
  #checkedAddresses(): string[] {
    const all = [...this.#targets.keys()];
    if (this.forwardedPath !== 'balances' || all.length <= BALANCE_CHECK_ADDRESSES_MAX) {
      this.#capWarned = false;
      return all;
    }
    if (!this.#capWarned) {
      this.#capWarned = true;
      this.#ctx.log.warn({ chainId: this.chain.chainId, open: all.length, checked: BALANCE_CHECK_ADDRESSES_MAX },
        'evm: more open deposit addresses than the balance check covers; ETH forwarded by contracts to the oldest ones is not seen');
    }
    return all.slice(-BALANCE_CHECK_ADDRESSES_MAX);
  }

  /**
   * Balances from block from-1 to `to` of the addresses whose balance changed in the range
   * (index i = height from-1+i). Returns a smaller `to` when placing the changes would take more
   * than BALANCE_READS_PER_STEP_MAX reads, and null when the node has no state for the range.
   */
  async #balanceHistory(addresses: readonly string[], atTo: readonly bigint[], from: number, to: number): Promise<Map<string, bigint[]> | number | null> {
    const before = new Map(this.#balances);
    const unknown = addresses.filter((a) => !before.has(a));
    try {
      const read = unknown.length === 0 ? [] : from === 0 ? unknown.map(() => 0n) : await this.#reader.balances(unknown, from - 1);
      for (const [i, a] of unknown.entries()) before.set(a, read[i] as bigint);
      const changed = addresses.filter((a, i) => before.get(a) !== atTo[i]);
      if (changed.length * (to - from) > BALANCE_READS_PER_STEP_MAX) return from + Math.floor(BALANCE_READS_PER_STEP_MAX / changed.length);
      const heights = Array.from({ length: to - from }, (_, i) => from + i);
      const between = await Promise.all(heights.map((h) => this.#reader.balances(changed, h)));
      return new Map(changed.map((a) => {
        const i = addresses.indexOf(a);
        return [a, [before.get(a) as bigint, ...between.map((row) => row[changed.indexOf(a)] as bigint), atTo[i] as bigint]];
      }));
    } catch (error) {
      return this.#balanceUnknown(error);
    }
  }

  /**
   * Forwarded ETH from the balance history: per address and block where the balance moved, what
   * top-level transactions to it do not explain (forwarded-balance.ts), keyed by block. Their
   * receipts say which direct transfers succeeded; a direct transfer is its own payment already.
   */
  async #matchBalances(history: ReadonlyMap<string, bigint[]> | null, blocks: readonly Block[], from: number, tip: number): Promise<Observation[]> {
    const native = this.#native;
    if (history === null || history.size === 0 || native === undefined) return [];
    const moves: { address: string; block: Block; before: bigint; after: bigint }[] = [];
    for (const [address, series] of history) {
      for (const block of blocks) {
        const i = block.number - from;
        const [before, after] = [series[i] as bigint, series[i + 1] as bigint];
        if (before !== after) moves.push({ address, block, before, after });
      }
    }
    const hashes = [...new Set(moves.flatMap((m) => directTransfers(m.address, m.block)))];
    const receipts = hashes.length === 0 ? [] : await this.#reader.receipts(hashes);
    const succeeded = new Set<string>();
    for (const [i, r] of receipts.entries()) {
      const block = moves.find((m) => m.block.transactions.some((tx) => tx.hash === hashes[i]))?.block;
      if (r === null || r === undefined || r.blockHash !== block?.hash) throw new InconsistentChainError('receipt not in the scanned block');
      if (r.status === 1) succeeded.add(r.transactionHash);
    }
    const out: Observation[] = [];
    for (const m of moves) {
      const verdict = forwardedInBlock(m.address, m.block, m.before, m.after, (h) => succeeded.has(h));
      if (verdict.kind === 'sent' || verdict.kind === 'outflow') {
        this.#ctx.log.warn({ chainId: this.chain.chainId, address: m.address, block: m.block.number, verdict: verdict.kind }, 'evm deposit address balance moved by its own transaction or without one; no forwarded ETH judged in this block');
      }
      if (verdict.kind !== 'forwarded') continue;
      const entry = this.#watchedAt(m.address, m.block);
      if (entry === undefined) continue;
      out.push({
        methodId: native.methodId, targetKey: entry.targetKey, paymentKey: balancePaymentKey(this.chain.chainId, m.address, m.block),
        amountUnits: verdict.amountWei, state: 'confirmed', confirmations: this.#reported(tip - m.block.number + 1, false),
        // No transaction is known without traces: the block is what the customer can look up.
        txid: m.block.hash, blockHash: m.block.hash, blockHeight: m.block.number,
      });
    }
    return out;
  }

  /** True when any watched address's balance differs from the one at the cursor (or is new). */
  #balanceChanged(addresses: readonly string[], balances: readonly bigint[]): boolean {
    return addresses.some((a, i) => this.#balances.get(a) !== balances[i]);
  }

  /** Headers of the blocks logs came from: from the bodies read, else one batch of headers. */
  async #headersFor(logs: readonly LogEntry[], blocks: readonly Block[], end: BlockHeader): Promise<Map<number, BlockHeader>> {
    const byNumber = new Map<number, BlockHeader>(blocks.map((b) => [b.number, b]));
    byNumber.set(end.number, end);
    const wanted = [...new Set(logs.filter((l) => this.#tokens.has(l.address)).map((l) => l.blockNumber))].filter((n) => !byNumber.has(n));
    const fetched = await Promise.all(wanted.map((n) => this.#reader.header(n)));
    for (const [i, n] of wanted.entries()) {
      const h = fetched[i];
      if (h === null || h === undefined) throw new InconsistentChainError(`block ${n} of a log not found`);
      byNumber.set(n, h);
    }
    return byNumber;
  }

  #fetchLogs(from: number, to: number): Promise<LogEntry[]> {
    // With few watched addresses the node filters by recipient; with many, the request would be
    // megabytes, so every Transfer of the configured contracts is fetched and matched here.
    const recipients = this.#targets.size <= TOPIC_FILTER_ADDRESSES_MAX ? [...this.#targets.keys()].map(addressTopic) : null;
    const address = [...this.#tokens.keys()];
    return readRangeAdaptive(from, to, this.logsRange,
      (f, t) => this.#reader.logs({ fromBlock: f, toBlock: t, address, topics: [TRANSFER_TOPIC, null, recipients] }));
  }

  #watchedAt(address: string, block: BlockHeader): TargetEntry | undefined {
    const entry = this.#targets.get(address);
    return entry !== undefined && block.timestampSec * 1000 <= entry.watchUntilMs ? entry : undefined;
  }

  #matchNative(blocks: readonly Block[]): Candidate[] {
    const native = this.#native;
    if (native === undefined) return [];
    const out: Candidate[] = [];
    for (const block of blocks) {
      for (const tx of block.transactions) {
        if (tx.to === null || tx.valueWei === 0n) continue;
        const entry = this.#watchedAt(tx.to, block);
        if (entry === undefined) continue;
        out.push({ method: native, targetKey: entry.targetKey, txHash: tx.hash, amountUnits: tx.valueWei, block, blockLogIndex: null, tracePath: null });
      }
    }
    return out;
  }

  /**
   * Native coin sent to watched addresses by contracts, from call traces of the blocks read:
   * debug_traceBlockByNumber (callTracer; geth, erigon, reth, anvil, most paid provider plans),
   * else debug_traceTransaction per transaction (EDR, nodes without the block method), else
   * nothing (then only top-level transfers are seen; the node is asked once per start).
   */
  async #matchTraces(blocks: readonly Block[]): Promise<Candidate[]> {
    const native = this.#native;
    if (native === undefined || this.#traces === 'none') return [];
    const busy: Block[] = [];
    let budget = 0;
    for (const block of blocks) {
      if (block.transactions.length === 0) continue;
      if (budget >= TRACE_TXS_PER_STEP_MAX) {
        this.#ctx.log.warn({ chainId: this.chain.chainId, block: block.number }, 'evm trace budget of the step spent; later blocks of the range not traced');
        break;
      }
      budget += block.transactions.length;
      busy.push(block);
    }
    // All blocks at once: the client sends the calls as one batch.
    const traces = await Promise.all(busy.map((b) => this.#traceFrames(b)));
    const out: Candidate[] = [];
    for (const [i, block] of busy.entries()) {
      const frames = traces[i];
      if (frames === null || frames === undefined) return [];
      for (const [j, frame] of frames.entries()) {
        const txHash = (block.transactions[j] as Block['transactions'][number]).hash;
        let transfers;
        try {
          transfers = internalTransfers(frame);
        } catch (error) {
          // A malformed trace credits nothing, and says where it came from.
          this.#ctx.log.warn({ chainId: this.chain.chainId, rpc: this.#reader.rpc.url, block: block.number, tx: txHash, err: (error as Error).message }, 'evm trace ignored');
          continue;
        }
        for (const t of transfers) {
          const target = this.#watchedAt(t.to, block);
          if (target === undefined) continue;
          out.push({ method: native, targetKey: target.targetKey, txHash, amountUnits: t.valueWei, block, blockLogIndex: null, tracePath: t.path });
        }
      }
    }
    return out;
  }

  /** Call trees of a block's transactions in order; null when the node offers no trace method. */
  async #traceFrames(block: Block): Promise<unknown[] | null> {
    if (this.#traces === null || this.#traces === 'block') {
      try {
        const trace = await this.#reader.traceBlock(block.number);
        this.#traces = 'block';
        if (trace.length !== block.transactions.length) throw new InconsistentChainError(`trace of block ${block.number} has ${trace.length} entries for ${block.transactions.length} transactions`);
        for (const [j, entry] of trace.entries()) {
          if (entry.txHash !== null && entry.txHash !== block.transactions[j]?.hash) throw new InconsistentChainError('trace out of transaction order');
        }
        return trace.map((e) => e.frame);
      } catch (error) {
        if (this.#traces === 'block' || !isMethodMissing(error)) throw error;
        this.#traces = 'transaction';
      }
    }
    try {
      const frames = await Promise.all(block.transactions.map((tx) => this.#reader.traceTransaction(tx.hash)));
      this.#traces = 'transaction';
      return frames;
    } catch (error) {
      if (!isMethodMissing(error)) throw error;
      this.#traces = 'none';
      this.#logTracePath();
      return null;
    }
  }

  #matchLogs(logs: readonly LogEntry[], headers: ReadonlyMap<number, BlockHeader>): Candidate[] {
    const out: Candidate[] = [];
    for (const log of logs) {
      if (log.removed) continue;
      // The node was asked for these contracts only; it is checked again because a log from any
      // other contract (a look-alike or a spoofed Transfer) must never become a deposit.
      const method = this.#tokens.get(log.address);
      if (method === undefined) {
        this.#ctx.log.warn({ chainId: this.chain.chainId, rpc: this.#reader.rpc.url, contract: log.address, tx: log.transactionHash }, 'evm log from a contract not asked for ignored');
        continue;
      }
      const block = headers.get(log.blockNumber);
      if (block === undefined || block.hash !== log.blockHash) throw new InconsistentChainError('log block hash differs from block');
      const transfer = decodeTransfer(log);
      if (transfer === null) {
        this.#ctx.log.warn({ chainId: this.chain.chainId, rpc: this.#reader.rpc.url, tx: log.transactionHash, logIndex: log.logIndex }, 'evm malformed Transfer log ignored');
        continue;
      }
      if (transfer.valueUnits === 0n) continue;
      const entry = this.#watchedAt(transfer.to, block);
      if (entry === undefined) continue;
      out.push({ method, targetKey: entry.targetKey, txHash: log.transactionHash, amountUnits: transfer.valueUnits, block, blockLogIndex: log.logIndex, tracePath: null });
    }
    return out;
  }

  /** Fetches receipts: failed transactions are dropped, token keys use the log's index within its transaction. */
  async #confirmCandidates(candidates: readonly Candidate[], tip: number): Promise<Observation[]> {
    if (candidates.length === 0) return [];
    const hashes = [...new Set(candidates.map((c) => c.txHash))];
    const receipts = new Map((await this.#reader.receipts(hashes)).map((r, i) => [hashes[i] as string, r]));
    const out: Observation[] = [];
    for (const c of candidates) {
      const receipt = receipts.get(c.txHash);
      if (receipt === null || receipt === undefined || receipt.blockHash !== c.block.hash) throw new InconsistentChainError('receipt not in the scanned block');
      if (receipt.status !== 1) continue;
      let suffix = 'native';
      if (c.tracePath !== null) {
        // Never the same key as a top-level transfer of the same transaction.
        suffix = `trace:${c.tracePath}`;
      } else if (c.blockLogIndex !== null) {
        const index = receipt.logs.findIndex((l) => l.logIndex === c.blockLogIndex);
        const log = receipt.logs[index];
        if (log === undefined || log.address !== c.method.token) throw new InconsistentChainError('log missing from receipt');
        suffix = String(index);
      }
      const confirmations = tip - c.block.number + 1;
      out.push({
        methodId: c.method.methodId, targetKey: c.targetKey, paymentKey: `${this.#paymentKeyPrefix}:${c.txHash}:${suffix}`,
        amountUnits: c.amountUnits, state: 'confirmed', confirmations: this.#reported(confirmations, false), txid: c.txHash,
        blockHash: c.block.hash, blockHeight: c.block.number,
      });
    }
    return out;
  }

  /**
   * The count reported for a payment. With tag finality, a payment is final when its block is at
   * or below the node's safe/finalized block, not after a count: below that it is held one short
   * of the requirement, and at it reported at least the requirement (the real count if higher).
   */
  #reported(confirmations: number, tagFinal: boolean): number {
    if (this.chain.finality === 'confirmations') return confirmations;
    const required = this.chain.confirmations;
    return tagFinal ? Math.max(confirmations, required) : Math.max(1, Math.min(confirmations, required - 1));
  }

  /** The node's safe/finalized block number; null when it has none (not every node does). */
  async #tagHeight(): Promise<number | null> {
    if (this.chain.finality === 'confirmations') return null;
    try {
      const header = await this.#reader.header(this.chain.finality);
      return header?.number ?? null;
    } catch (error) {
      if (!this.#tagWarned) {
        this.#tagWarned = true;
        this.#ctx.log.warn({ chainId: this.chain.chainId, tag: this.chain.finality, err: (error as Error).message }, 'evm node does not answer the finality tag; payments stay unconfirmed');
      }
      if (failureKind(error) !== null) throw error;
      return null;
    }
  }

  #pruneTargets(processedUntilMs: number): void {
    if (processedUntilMs <= this.#nextExpiryMs) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [key, entry] of this.#targets) {
      if (entry.watchUntilMs < processedUntilMs) this.#targets.delete(key);
      else next = Math.min(next, entry.watchUntilMs);
    }
    this.#nextExpiryMs = next;
  }

  /** Re-counts confirmations of known payments, demotes those whose block left the chain. */
  async #updateKnown(head: number): Promise<void> {
    const last = this.#cursor.last as number;
    const known = await this.#ctx.knownPayments(this.methodIds);
    await this.#recordKnownBlocks(known, last);
    const out: Observation[] = [];
    let missingChanged = false;
    let tag: number | null | undefined; // the safe/finalized height, read once when needed
    for (const k of known) {
      if (k.state === 'confirmed' && k.blockHeight !== undefined) {
        const vanished = k.blockHeight > last ? last >= head : (this.#cursor.hashAt(k.blockHeight) ?? k.blockHash) !== k.blockHash;
        if (vanished) {
          out.push(demote(k));
          this.#missing.set(k.paymentKey, last);
          missingChanged = true;
          continue;
        }
        if (k.blockHeight > last || this.#cursor.hashAt(k.blockHeight) === undefined) continue;
        let tagFinal = k.confirmations >= this.chain.confirmations;
        if (!tagFinal && this.chain.finality !== 'confirmations') {
          if (tag === undefined) tag = await this.#tagHeight();
          tagFinal = tag !== null && k.blockHeight <= tag;
        }
        const confirmations = this.#reported(last - k.blockHeight + 1, tagFinal);
        if (confirmations <= k.confirmations) continue;
        if (k.confirmations < this.chain.confirmations && confirmations >= this.chain.confirmations && !(await this.#reverify(k))) continue;
        out.push({ ...observationOf(k), confirmations });
        if (this.#missing.delete(k.paymentKey)) missingChanged = true;
      } else if (k.state === 'seen') {
        const since = this.#missing.get(k.paymentKey);
        if (since === undefined) { this.#missing.set(k.paymentKey, last); missingChanged = true; continue; }
        if (last - since < this.chain.goneAfterBlocks) continue;
        if ((await this.#reader.transactionState(k.txid)) !== 'absent') continue;
        out.push({ ...observationOf(k), state: 'gone', confirmations: 0 });
        this.#missing.delete(k.paymentKey);
        missingChanged = true;
      }
    }
    if (out.length > 0) await this.#ctx.emit(out);
    if (missingChanged) await this.#ctx.state.set(this.#missingKey, JSON.stringify([...this.#missing.entries()]));
  }

  /**
   * The cursor holds the hashes of range ends and of blocks that had candidates. A rewind drops
   * those above the fork, and the next range may pass a known payment's height without ending
   * there: its block would then be neither re-checked nor counted, and a payment reorged out
   * would stay detected forever. Those heights (within the hash window) are read once here, so
   * the checks below compare the block now on the chain with the payment's.
   */
  async #recordKnownBlocks(known: readonly KnownPayment[], last: number): Promise<void> {
    const oldest = last - this.chain.hashWindow;
    const heights = [...new Set(known
      .filter((k) => k.state === 'confirmed' && k.blockHeight !== undefined && k.blockHeight <= last && k.blockHeight > oldest)
      .map((k) => k.blockHeight as number))]
      .filter((h) => this.#cursor.hashAt(h) === undefined);
    if (heights.length === 0) return;
    // One batch (the client coalesces calls made together).
    const headers = await Promise.all(heights.map((h) => this.#reader.header(h)));
    for (const [i, h] of heights.entries()) {
      const header = headers[i];
      if (header === null || header === undefined) throw new InconsistentChainError(`block ${h} not found (node behind its own head?)`);
      this.#cursor.record(h, header.hash);
    }
  }

  /** Before a payment is reported final: its receipt succeeded in the block we hold, and the transfer is still exactly what was seen. */
  async #reverify(k: KnownPayment): Promise<boolean> {
    const byBalance = parseBalancePaymentKey(k.paymentKey);
    if (byBalance !== null) return this.#reverifyBalance(k, byBalance);
    const [receipt] = await this.#reader.receipts([k.txid]);
    const method = this.#methods.find((m) => m.methodId === k.methodId);
    const ok = receipt !== null && receipt !== undefined && method !== undefined && receipt.status === 1 && receipt.blockHash === k.blockHash;
    if (!ok) return false;
    const suffix = k.paymentKey.split(':').slice(2);
    if (method.token === null && suffix[0] === 'trace') {
      const transfer = internalTransferAt(await this.#reader.traceTransaction(k.txid), suffix[1] ?? '');
      return transfer !== null && transfer.to === k.targetKey.toLowerCase() && transfer.valueWei === k.amountUnits;
    }
    if (method.token === null) {
      const tx = await this.#reader.transaction(k.txid);
      return tx !== null && tx.blockHash === k.blockHash && tx.to === k.targetKey.toLowerCase() && tx.valueWei === k.amountUnits;
    }
    const index = Number(k.paymentKey.split(':')[2]);
    const log = receipt.logs[index];
    const transfer = log === undefined || log.address !== method.token ? null : decodeTransfer(log);
    return transfer !== null && transfer.to === k.targetKey.toLowerCase() && transfer.valueUnits === k.amountUnits;
  }

  /** A balance-derived payment, recomputed from its block: still there, same address, same amount. */
  async #reverifyBalance(k: KnownPayment, key: { address: string; height: number; blockHash: string }): Promise<boolean> {
    if (key.address !== k.targetKey.toLowerCase()) return false;
    const [block] = await this.#reader.blocks(key.height, key.height, true);
    if (block === undefined || block.hash !== key.blockHash) return false;
    const [[before], [after]] = await Promise.all([
      key.height === 0 ? Promise.resolve([0n]) : this.#reader.balances([key.address], key.height - 1),
      this.#reader.balances([key.address], key.height),
    ]);
    const hashes = directTransfers(key.address, block);
    const receipts = hashes.length === 0 ? [] : await this.#reader.receipts(hashes);
    const succeeded = new Set(receipts.filter((r) => r !== null && r.status === 1 && r.blockHash === block.hash).map((r) => r?.transactionHash));
    const verdict = forwardedInBlock(key.address, block, before as bigint, after as bigint, (h) => succeeded.has(h));
    // Balances are read by height: the block must still be the same one after they were read.
    const again = await this.#reader.header(key.height);
    return again?.hash === key.blockHash && verdict.kind === 'forwarded' && verdict.amountWei === k.amountUnits;
  }
}

function observationOf(k: KnownPayment): Observation {
  return {
    methodId: k.methodId, targetKey: k.targetKey, paymentKey: k.paymentKey, amountUnits: k.amountUnits,
    state: k.state, confirmations: k.confirmations, txid: k.txid,
    ...(k.blockHash !== undefined ? { blockHash: k.blockHash } : {}),
    ...(k.blockHeight !== undefined ? { blockHeight: k.blockHeight } : {}),
  };
}

/** A payment whose block left the chain: back to `seen`, 0 confirmations, no block. */
function demote(k: KnownPayment): Observation {
  return { methodId: k.methodId, targetKey: k.targetKey, paymentKey: k.paymentKey, amountUnits: k.amountUnits, state: 'seen', confirmations: 0, txid: k.txid };
}

