// Proves the capped body reader returns the bytes under the cap and refuses (cancelling the
// stream) a body that declares or streams past it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBodyTooLarge, readCappedBody } from './capped-body.ts';

function streamed(chunks: readonly string[], onCancel: () => void = () => {}): Response {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(encoder.encode(chunks[i++]));
      else controller.close();
    },
    cancel: onCancel,
  });
  return new Response(body);
}

test('a body within the cap comes back whole, across chunks', async () => {
  const body = await readCappedBody(streamed(['{"a":', '1}']), 7);
  assert.ok(!isBodyTooLarge(body));
  assert.equal(new TextDecoder().decode(body), '{"a":1}');
});

test('an empty or absent body is zero bytes', async () => {
  const body = await readCappedBody(new Response(null), 10);
  assert.ok(!isBodyTooLarge(body));
  assert.equal(body.byteLength, 0);
});

test('a declared length over the cap is refused before reading, and says the length', async () => {
  const response = new Response('x'.repeat(20), { headers: { 'content-length': '20' } });
  assert.deepEqual(await readCappedBody(response, 10), { tooLarge: true, declaredBytes: 20 });
});

test('a body that streams past the cap is refused and its stream cancelled', async () => {
  let cancelled = false;
  const result = await readCappedBody(streamed(['12345', '67890', 'more', 'and more'], () => { cancelled = true; }), 9);
  assert.deepEqual(result, { tooLarge: true, declaredBytes: null });
  assert.equal(cancelled, true);
});
