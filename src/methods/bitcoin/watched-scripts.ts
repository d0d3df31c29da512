// The set of output scripts a watcher looks for, keyed by script hex, built incrementally from
// WatcherContext.targets(cursor). Only segwit v0 scripts are ever watched (targets are BIP84
// addresses), so an output is first filtered by its shape, then by the first three bytes of its
// program (a 2 MB bitmap, one bit per value: no string is built, nothing hashed, for the
// thousands of outputs of a block that pay someone else), and only then turned into a key.

import type { WatchedTarget } from '../../core/payment-method.ts';
import type { BitcoinNetwork } from './network.ts';
import { scriptForAddress } from './address.ts';
import { PRUNE_GRACE_MS, WATCHED_FILTER_BITS } from './limits.ts';
import type { RawTransaction, ScannedOutput, ScriptFilter } from './raw-transaction.ts';

export interface WatchedScript {
  readonly targetKey: string;
  readonly watchUntilMs: number;
}

export interface OutputMatch {
  readonly targetKey: string;
  readonly txid: string;
  readonly vout: number;
  readonly valueSat: bigint;
  readonly rbf: boolean;
}

export class WatchedScripts {
  readonly #byScript = new Map<string, WatchedScript>();
  /** A bit set at filterIndex() of every watched script: a miss here settles most outputs without a key. */
  readonly #filter = new Uint32Array((1 << WATCHED_FILTER_BITS) / 32);
  readonly #network: BitcoinNetwork;
  #cursor = 0;

  constructor(network: BitcoinNetwork) {
    this.#network = network;
  }

  get size(): number {
    return this.#byScript.size;
  }

  get cursor(): number {
    return this.#cursor;
  }

  /** Adds targets of the bitcoin method; an unparsable address is reported, not fatal. */
  add(targets: readonly WatchedTarget[], onBad: (target: WatchedTarget, error: Error) => void = () => {}): void {
    for (const target of targets) {
      if (target.methodId !== 'bitcoin') continue;
      try {
        const script = scriptForAddress(target.targetKey, this.#network);
        const key = Buffer.from(script.buffer, script.byteOffset, script.length).toString('hex');
        const watchUntilMs = target.watchUntil.getTime();
        const existing = this.#byScript.get(key);
        if (!existing || existing.watchUntilMs < watchUntilMs) this.#byScript.set(key, { targetKey: target.targetKey, watchUntilMs });
        this.#mark(filterIndex(script, 0));
      } catch (error) {
        onBad(target, error as Error);
      }
    }
  }

  /** Records the targets(after) cursor once the targets it returned have been added. */
  advance(cursor: number): void {
    this.#cursor = cursor;
  }

  /** Forgets targets whose window ended more than a day ago. */
  prune(nowMs: number): void {
    let pruned = false;
    for (const [key, watched] of this.#byScript) {
      if (watched.watchUntilMs + PRUNE_GRACE_MS >= nowMs) continue;
      this.#byScript.delete(key);
      pruned = true;
    }
    // Another script may share a pruned one's bit: the filter is rebuilt, not edited.
    if (!pruned) return;
    this.#filter.fill(0);
    for (const key of this.#byScript.keys()) this.#mark(filterIndex(Buffer.from(key, 'hex'), 0));
  }

  #mark(index: number): void {
    this.#filter[index >>> 5] = (this.#filter[index >>> 5] as number) | (1 << (index & 31));
  }

  /** Whether the script (`length` bytes at `offset`) is watched, window aside: the filter a block scan keeps outputs by. */
  readonly wants: ScriptFilter = (bytes, offset, length) => this.#lookup(bytes, offset, length) !== undefined;

  #lookup(bytes: Uint8Array, offset: number, length: number): WatchedScript | undefined {
    // Segwit v0 only (OP_0 PUSH20 / PUSH32): skips everything else without building a key.
    if (bytes[offset] !== 0x00 || (length !== 22 && length !== 34)) return undefined;
    const index = filterIndex(bytes, offset);
    if (((this.#filter[index >>> 5] as number) & (1 << (index & 31))) === 0) return undefined;
    return this.#byScript.get(Buffer.from(bytes.buffer, bytes.byteOffset + offset, length).toString('hex'));
  }

  /** Outputs of `tx` paying a target whose watch window was still open at `atMs`. */
  matchTransaction(tx: RawTransaction, atMs: number, out: OutputMatch[]): void {
    for (const [vout, output] of tx.outputs.entries()) this.#match({ txid: tx.txid, vout, valueSat: output.valueSat, script: output.script, rbf: tx.rbf }, atMs, out);
  }

  /** The outputs a block scan kept (scanBlock with `wants`) whose window was open at the block's time. */
  matchScanned(outputs: readonly ScannedOutput[], blockTimeSec: number): OutputMatch[] {
    const out: OutputMatch[] = [];
    for (const output of outputs) this.#match(output, blockTimeSec * 1000, out);
    return out;
  }

  #match(output: ScannedOutput, atMs: number, out: OutputMatch[]): void {
    const watched = this.#lookup(output.script, 0, output.script.length);
    if (!watched || watched.watchUntilMs < atMs) return;
    out.push({ targetKey: watched.targetKey, txid: output.txid, vout: output.vout, valueSat: output.valueSat, rbf: output.rbf });
  }
}

/** The first three bytes of the segwit v0 program (after OP_0 and the push) of the script at `offset`, as a number below 2^24. */
function filterIndex(bytes: Uint8Array, offset: number): number {
  return (bytes[offset + 2] as number) | (bytes[offset + 3] as number) << 8 | (bytes[offset + 4] as number) << 16;
}
