// What the bitcoin watcher remembers durably between runs (WatcherContext.state): the height it
// has fully processed and the hashes of the last blocks up to it, to detect a reorg by a parent
// mismatch and find the fork point without trusting the node's memory of what it told us.

import { RECENT_HASHES_MAX } from './limits.ts';

export const CHAIN_STATE_KEY = 'bitcoin.chain';

export interface ChainState {
  /** Height of the last fully processed block (its observations were emitted). */
  readonly height: number;
  /** Hashes of the last blocks, oldest first; the last one is at `height`. Never empty. */
  readonly hashes: readonly string[];
}

export function tipHash(chain: ChainState): string {
  return chain.hashes[chain.hashes.length - 1] as string;
}

/** Height of hashes[0]. */
export function baseHeight(chain: ChainState): number {
  return chain.height - chain.hashes.length + 1;
}

export function hashAt(chain: ChainState, height: number): string | null {
  const index = height - baseHeight(chain);
  return index >= 0 && index < chain.hashes.length ? (chain.hashes[index] as string) : null;
}

export function appendBlock(chain: ChainState, hash: string): ChainState {
  const hashes = [...chain.hashes, hash];
  return { height: chain.height + 1, hashes: hashes.length > RECENT_HASHES_MAX ? hashes.slice(-RECENT_HASHES_MAX) : hashes };
}

/** Drops blocks above `height`; the caller supplies the hash at `height` when none is left. */
export function rewindTo(chain: ChainState, height: number, hashAtHeight: string): ChainState {
  const keep = chain.hashes.slice(0, Math.max(0, height - baseHeight(chain) + 1));
  return { height, hashes: keep.length > 0 ? keep : [hashAtHeight] };
}

export function encodeChainState(chain: ChainState): string {
  return JSON.stringify({ height: chain.height, hashes: chain.hashes });
}

export function decodeChainState(text: string | null): ChainState | null {
  if (text === null) return null;
  const parsed = JSON.parse(text) as { height?: unknown; hashes?: unknown };
  if (typeof parsed.height !== 'number' || !Array.isArray(parsed.hashes) || parsed.hashes.length === 0
    || !parsed.hashes.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) {
    throw new Error(`corrupt watcher state ${CHAIN_STATE_KEY}`);
  }
  return { height: parsed.height, hashes: parsed.hashes as string[] };
}
