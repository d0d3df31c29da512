// Proves the Solana JSON-RPC client reads at most RPC_RESPONSE_BYTES_MAX of an answer: a larger
// one is refused as too large (the page shrinks), whether its length is declared or streamed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteFailureKind, RemoteRequestError } from '../request-policy.ts';
import { RPC_RESPONSE_BYTES_MAX } from './limits.ts';
import { SolanaRpc } from './rpc-client.ts';

/** A node that answers every call with `result`, its body streamed in 64 KiB chunks without a declared length. */
function nodeAnswering(result: unknown): typeof fetch {
  return async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ jsonrpc: '2.0', id: 1, result }));
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= bytes.length) { controller.close(); return; }
        controller.enqueue(bytes.subarray(at, at + 65_536));
        at += 65_536;
      },
    });
    return new Response(body, { headers: { 'content-type': 'application/json' } });
  };
}

test('an answer within the cap is read whole', async () => {
  const rpc = new SolanaRpc('http://node.invalid', { fetch: nodeAnswering(['a'.repeat(200_000)]) });
  assert.deepEqual(await rpc.call('getSignaturesForAddress', []), ['a'.repeat(200_000)]);
});

test('an answer past the cap is refused as too large', async () => {
  const rpc = new SolanaRpc('http://node.invalid', { fetch: nodeAnswering('a'.repeat(RPC_RESPONSE_BYTES_MAX)) });
  await assert.rejects(rpc.call('getSignaturesForAddress', []),
    (error: unknown) => error instanceof RemoteRequestError && error.kind === RemoteFailureKind.tooLarge && /larger than/.test(error.message));
});

test('a declared length past the cap is refused before the body is read', async () => {
  const fetchLarge: typeof fetch = async () => new Response('{}', { headers: { 'content-length': String(RPC_RESPONSE_BYTES_MAX + 1) } });
  const rpc = new SolanaRpc('http://node.invalid', { fetch: fetchLarge });
  await assert.rejects(rpc.call('getSlot', []), (error: unknown) => error instanceof RemoteRequestError && error.kind === RemoteFailureKind.tooLarge);
});
