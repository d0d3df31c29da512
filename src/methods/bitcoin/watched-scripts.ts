// The set of output scripts a watcher looks for, keyed by script hex, built incrementally from
// WatcherContext.targets(cursor). Only segwit v0 scripts are ever watched (targets are BIP84
// addresses), so an output is first filtered by its shape and only then turned into a key.

import type { WatchedTarget } from '../../core/payment-method.ts';
import type { BitcoinNetwork } from './network.ts';
import { scriptForAddress } from './address.ts';
import type { RawTransaction } from './raw-transaction.ts';

/** How long after its watch window a target is kept in memory, so a rescan still finds late blocks. */
const PRUNE_GRACE_MS = 24 * 60 * 60 * 1000;

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
        const key = Buffer.from(scriptForAddress(target.targetKey, this.#network)).toString('hex');
        const watchUntilMs = target.watchUntil.getTime();
        const existing = this.#byScript.get(key);
        if (!existing || existing.watchUntilMs < watchUntilMs) this.#byScript.set(key, { targetKey: target.targetKey, watchUntilMs });
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
    for (const [key, watched] of this.#byScript) if (watched.watchUntilMs + PRUNE_GRACE_MS < nowMs) this.#byScript.delete(key);
  }

  /** Outputs of `tx` paying a target whose watch window was still open at `atMs`. */
  matchTransaction(tx: RawTransaction, atMs: number, out: OutputMatch[]): void {
    const outputs = tx.outputs;
    for (let vout = 0; vout < outputs.length; vout++) {
      const output = outputs[vout] as RawTransaction['outputs'][number];
      const script = output.script;
      // Segwit v0 only (OP_0 PUSH20 / PUSH32): skips everything else without building a key.
      if (script[0] !== 0x00 || (script.length !== 22 && script.length !== 34)) continue;
      const watched = this.#byScript.get(Buffer.from(script.buffer, script.byteOffset, script.length).toString('hex'));
      if (!watched || watched.watchUntilMs < atMs) continue;
      out.push({ targetKey: watched.targetKey, txid: tx.txid, vout, valueSat: output.valueSat, rbf: tx.rbf });
    }
  }

  /** Every watched output in a block (block time decides whether a window was still open). */
  matchBlock(transactions: readonly RawTransaction[], blockTimeSec: number): OutputMatch[] {
    const out: OutputMatch[] = [];
    const atMs = blockTimeSec * 1000;
    for (const tx of transactions) this.matchTransaction(tx, atMs, out);
    return out;
  }
}
