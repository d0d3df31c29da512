// Fetches raw blocks by height in batches bounded by BYTES, not by count: how many blocks one
// request asks for comes from the sizes of the blocks just seen (the reply must stay well under
// the client's reply cap: a batch aims at a quarter of it), so a stretch of 4 MB blocks is fetched one at a time and a stretch of
// small ones many at a time. A reply that still comes back too large (or times out) is split by
// the shared request policy (request-policy.ts), never retried unchanged; a single block that
// does not fit the cap is an error for the caller's pacer, not a loop.

import { AdaptiveSize, withAdaptiveSize } from '../request-policy.ts';
import { classifyBitcoinError } from './rpc-client.ts';
import type { BitcoinRpc } from './rpc-client.ts';
import { BLOCK_BATCH_REPLY_SHARE, BLOCK_FETCH_BATCH_MAX, BLOCK_SIZE_WINDOW, RPC_REPLY_FRAMING_BYTES } from './limits.ts';

export interface FetchedBlock {
  readonly height: number;
  readonly hash: string;
  readonly raw: Buffer;
}

export class BlockFetcher {
  readonly #rpc: BitcoinRpc;
  /** Blocks per request; starts at one until block sizes are known, grows slowly after successes. */
  readonly #size = new AdaptiveSize({ initial: 1, min: 1, max: BLOCK_FETCH_BATCH_MAX });
  /** Sizes in bytes of the last blocks fetched (newest last), to size the next request. */
  readonly #recentBytes: number[] = [];

  constructor(rpc: BitcoinRpc) {
    this.#rpc = rpc;
  }

  /** Blocks per request the byte budget allows now (tests and logs read it). */
  get batchBlocks(): number {
    return Math.min(this.#size.value, this.#fitting());
  }

  /**
   * Blocks from height `first` on, at most up to `last`, as many as fit one reply. Heights past
   * the node's tip (the chain got shorter) fail with the node's JSON-RPC error (kind 'rpc').
   */
  async fetch(first: number, last: number): Promise<FetchedBlock[]> {
    // Asking for fewer than the adaptive size allows must lower the size itself, so that a
    // refusal halves what was really asked for (never the same request again).
    const want = Math.max(1, Math.min(this.#fitting(), last - first + 1));
    if (want < this.#size.value) this.#size.shrinkTo(want);
    return withAdaptiveSize(this.#size, async (n) => {
      const heights = Array.from({ length: Math.min(n, last - first + 1) }, (_, i) => first + i);
      const hashes = await this.#rpc.getBlockHashes(heights);
      const raws = await this.#rpc.getRawBlocks(hashes);
      for (const raw of raws) this.#remember(raw.length);
      return raws.map((raw, i) => ({ height: heights[i] as number, hash: hashes[i] as string, raw }));
    }, classifyBitcoinError);
  }

  /** How many blocks of the largest recent size fit a share of the reply cap (as hex: two chars a byte). */
  #fitting(): number {
    if (this.#recentBytes.length === 0) return 1;
    const largest = Math.max(...this.#recentBytes);
    const perBlock = 2 * largest + RPC_REPLY_FRAMING_BYTES;
    return Math.max(1, Math.floor(this.#rpc.replyMaxBytes / BLOCK_BATCH_REPLY_SHARE / perBlock));
  }

  #remember(bytes: number): void {
    this.#recentBytes.push(bytes);
    if (this.#recentBytes.length > BLOCK_SIZE_WINDOW) this.#recentBytes.shift();
  }
}
