// Proves the child keys derived ahead on the worker thread are exactly the ones derived inline,
// and that without a worker nothing is handed out ahead (callers derive inline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { bytesToHex } from '@noble/hashes/utils.js';
import { publicChildKey } from './hd-public-child.ts';
import { publicKeyConvert } from './secp256k1.ts';
import { ChildKeysAhead, stopDeriveWorker } from './derive-ahead.ts';

const parent = HDKey.fromExtendedKey(HDKey.fromMasterSeed(new Uint8Array(32).fill(9)).derive("m/84'/0'/0'/0").publicExtendedKey);
const hex = (bytes: Uint8Array | null | undefined) => (bytes === undefined ? 'undefined' : bytes === null ? 'null' : bytesToHex(bytes));

async function ready(ahead: ChildKeysAhead, index: number): Promise<Uint8Array | null> {
  for (let i = 0; i < 200; i++) {
    const key = ahead.take(index);
    if (key !== undefined) return key;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`key ${index} never derived ahead`);
}

test('keys derived ahead equal the inline ones (compressed and uncompressed); each is handed out once', async () => {
  const compressed = new ChildKeysAhead(parent, true, 64);
  const uncompressed = new ChildKeysAhead(parent, false, 64);
  compressed.after(99);
  uncompressed.after(99);
  for (let index = 100; index < 164; index++) {
    const expected = publicChildKey(parent, index)!;
    assert.equal(hex(await ready(compressed, index)), hex(expected), `index ${index}`);
    assert.equal(hex(await ready(uncompressed, index)), hex(publicKeyConvert(expected, false)), `index ${index} uncompressed`);
    assert.equal(compressed.take(index), undefined, 'taken keys are gone');
  }
  // Far ahead of what was asked for: not ready, so the caller derives inline.
  assert.equal(compressed.take(10_000), undefined);
});

test('without a worker nothing is derived ahead', async () => {
  await stopDeriveWorker();
  const ahead = new ChildKeysAhead(parent, true, 16);
  ahead.after(0);
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(ahead.take(1), undefined);
});
