import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringResultsReply } from './rpc-client.ts';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');

test('a batch of plain string results is read as JSON.parse reads it', () => {
  // Proves the JSON.parse-free path gives exactly the parsed replies for the shape Core and bcoin write.
  const replies = [{ result: 'ab'.repeat(40), error: null, id: 7 }, { result: '', error: null, id: 123456789012345 }, { result: '00ff', error: null, id: 0 }];
  for (const text of [JSON.stringify(replies), `${JSON.stringify(replies)}\n`, JSON.stringify(replies.slice(0, 1))]) {
    assert.deepEqual(stringResultsReply(bytes(text)), JSON.parse(text));
  }
});

test('anything else is left to JSON.parse', () => {
  // Proves the fast path never reads a reply it does not fully understand: errors, escapes, other shapes.
  const others = [
    '[]', '[{"result":null,"error":null,"id":1}]', '[{"result":"ab","error":{"code":-5,"message":"x"},"id":1}]',
    '[{"result":"a\\"b","error":null,"id":1}]', '[{"result":"ab\\\\","error":null,"id":1}]', '[{"result":"é","error":null,"id":1}]',
    '[{"result": "ab","error":null,"id":1}]', '[{"error":null,"result":"ab","id":1}]', '[{"result":"ab","error":null,"id":"1"}]',
    '[{"result":"ab","error":null,"id":1},]', '[{"result":"ab","error":null,"id":1}', '{"result":"ab","error":null,"id":1}',
    '[{"result":"ab","error":null,"id":1234567890123456}]', '[{"result":"ab","error":null,"id":1}] ', '[{"result":7,"error":null,"id":1}]',
    '[{"result":"ab","error":null,"id":1,"x":2}]', '[{"result":"ab","error":null}]',
  ];
  for (const text of others) assert.equal(stringResultsReply(bytes(text)), null, text);
});
