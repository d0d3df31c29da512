// Reads a block range [from, to] in pieces the provider accepts: the piece size is an
// AdaptiveSize (request-policy.ts) that halves on a "too large" refusal (or a time-out), drops at
// once to a limit the provider states in its error ("up to a 10 block range", "this block range
// should work: [0x.., 0x..]"), and grows back slowly after successes. Never stuck on one request
// shape: every refusal makes the next request smaller, and at the minimum size the error is
// thrown for the caller's pacer. Generic over what is read (eth_getLogs here; Tron's logs later).

import { AdaptiveSize, RemoteFailureKind } from '../request-policy.ts';
import { JsonRpcError } from './json-rpc.ts';
import { statedRangeLimit } from './rpc-errors.ts';

export interface RangeRead<T> {
  (from: number, to: number): Promise<readonly T[]>;
}

/** The failure kind of an error thrown by a JSON-RPC read (null: not a transport or size problem). */
export function failureKind(error: unknown): RemoteFailureKind | null {
  return error instanceof JsonRpcError ? error.kind : null;
}

/**
 * Reads [from, to] in order with pieces of at most `size.value` blocks. `onPiece` (optional) sees
 * each piece's bounds, for tests and metrics.
 */
export async function readRangeAdaptive<T>(
  from: number, to: number, size: AdaptiveSize, read: RangeRead<T>,
  onPiece?: (from: number, to: number) => void,
): Promise<T[]> {
  const out: T[] = [];
  let start = from;
  while (start <= to) {
    const end = Math.min(to, start + size.value - 1);
    try {
      onPiece?.(start, end);
      out.push(...(await read(start, end)));
      size.succeeded();
      start = end + 1;
    } catch (error) {
      const kind = failureKind(error);
      if (kind !== RemoteFailureKind.tooLarge && kind !== RemoteFailureKind.timeout) throw error;
      if (!learnFromRefusal(size, end - start + 1, error instanceof JsonRpcError ? error.detail : '')) throw error;
    }
  }
  return out;
}

/**
 * Shrinks `size` after a refusal of a piece of `asked` blocks; false when it cannot get smaller
 * (the caller must fail the step rather than resend the same request).
 */
export function learnFromRefusal(size: AdaptiveSize, asked: number, message: string): boolean {
  const stated = statedRangeLimit(message);
  if (stated.maxBlocks !== null && stated.maxBlocks < asked) {
    // The provider's plan limit: never grow past it on this endpoint.
    size.cap(stated.maxBlocks);
  } else if (stated.suggested !== null && stated.suggested.to - stated.suggested.from + 1 < asked) {
    // A suggestion fits this one request's density, not a limit: shrink to it without capping.
    size.shrinkTo(stated.suggested.to - stated.suggested.from + 1);
  } else {
    size.shrinkTo(asked);
    size.shrink();
  }
  return size.value < asked;
}
