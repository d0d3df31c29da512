// Proves the shared EVM error reading (evm/rpc-errors.ts, evm/adaptive-range.ts) understands
// java-tron's own refusals, as its JSON-RPC reference documents them (tronprotocol/documentation-en,
// docs/api/json-rpc/filter/eth_getLogs.md and index.md "Error responses"): the follower shrinks to
// the stated range instead of resending the same request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveSize, RemoteFailureKind, RemoteRequestError, RequestPacer } from '../request-policy.ts';
import { learnFromRefusal, readRangeAdaptive } from '../evm/adaptive-range.ts';
import { JsonRpcError } from '../evm/json-rpc.ts';
import { classifyRpcFailure, statedRangeLimit } from '../evm/rpc-errors.ts';

test('java-tron eth_getLogs refusals are "too large", the range limit is read, TronGrid\'s frequency limit is a rate limit', () => {
  // Range over maxBlockRange (default 5000): -32602 "exceed max block range: <N>".
  assert.equal(classifyRpcFailure({ code: -32602, message: 'exceed max block range: 5000' }), RemoteFailureKind.tooLarge);
  assert.equal(statedRangeLimit('exceed max block range: 5000').maxBlocks, 5000);
  // More than LogBlockQuery.MAX_RESULT logs: -32005 "query returned more than 10000 results".
  assert.equal(classifyRpcFailure({ code: -32005, message: 'query returned more than 10000 results' }), RemoteFailureKind.tooLarge);
  // Servlet response-size guard: -32003 "Response exceeds the limit of <N> bytes".
  assert.equal(classifyRpcFailure({ code: -32003, message: 'Response exceeds the limit of 26214400 bytes' }), RemoteFailureKind.tooLarge);
  // TronGrid's frequency limit (403 or 503 with this body; TRON docs, TronGrid "Rate limits"): wait, do not split.
  const trongrid = 'The key exceeds the frequency limit(15), and the query server is suspended for 30s';
  assert.equal(classifyRpcFailure({ httpStatus: 403, message: trongrid }), RemoteFailureKind.rateLimited);
  assert.equal(classifyRpcFailure({ httpStatus: 503, message: trongrid }), RemoteFailureKind.rateLimited);
  // A real answer (an unsupported tag) is not a size problem: it is never retried smaller.
  assert.equal(classifyRpcFailure({ code: -32602, message: 'TAG safe not supported' }), null);
});

test('TronGrid\'s "suspended for 30s" is waited out, not knocked on from 250 ms', () => {
  const body = '{"Error":"The key exceeds the frequency limit(15), and the query server is suspended for 30s"}';
  // As the client builds it from a 403 without a Retry-After header (evm/json-rpc.ts).
  const error = new JsonRpcError('eth_getLogs', `HTTP 403 ${body}`, undefined, { httpStatus: 403, retryAfterMs: null });
  assert.equal(error.kind, RemoteFailureKind.rateLimited);
  assert.equal(error.retryAfterMs, 30_000);
  const pacer = new RequestPacer();
  assert.equal(pacer.failed(new RemoteRequestError(error.kind!, error.message, error.retryAfterMs), 1_000), 30_000);
  assert.equal(pacer.delayMs(1_000 + 29_999), 1, 'nothing goes out during the penalty');
  // A Retry-After header, when there is one, is what counts.
  assert.equal(new JsonRpcError('eth_call', `HTTP 503 ${body}`, undefined, { httpStatus: 503, retryAfterMs: 5_000 }).retryAfterMs, 5_000);
  // Other refusals name no wait: the policy's backoff applies.
  assert.equal(new JsonRpcError('eth_call', 'HTTP 429 Too Many Requests', undefined, { httpStatus: 429 }).retryAfterMs, null);
});

test('a stated java-tron limit caps the range at once and for good', async () => {
  const size = new AdaptiveSize({ initial: 1_000, min: 1, max: 10_000 });
  const LIMIT = 40;
  const asked: [number, number][] = [];
  const read = async (from: number, to: number): Promise<number[]> => {
    asked.push([from, to]);
    if (to - from + 1 > LIMIT) throw new JsonRpcError('eth_getLogs', `exceed max block range: ${LIMIT}`, -32602);
    return [from];
  };
  const pieces = await readRangeAdaptive(1, 200, size, read);
  assert.deepEqual(pieces, [1, 41, 81, 121, 161]);
  assert.deepEqual(asked[0], [1, 200]);
  assert.equal(asked.filter(([f, t]) => t - f + 1 > LIMIT).length, 1, 'refused once, never resent unchanged');
  // Successes do not grow it past the node's stated cap.
  for (let i = 0; i < 100; i++) size.succeeded();
  assert.ok(size.value <= LIMIT);
  assert.equal(learnFromRefusal(size, 1, 'exceed max block range: 1'), false, 'cannot shrink below one block');
});
