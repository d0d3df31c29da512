// Proves the fast public child derivation gives exactly @scure/bip32's keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { bytesToHex } from '@noble/hashes/utils.js';
import { publicChildKey } from './hd-public-child.ts';

test('matches HDKey.deriveChild for many indexes of a public parent', () => {
  const seed = new Uint8Array(32).fill(7);
  const parent = HDKey.fromExtendedKey(HDKey.fromMasterSeed(seed).derive("m/84'/0'/0'/0").publicExtendedKey);
  for (const index of [0, 1, 2, 19, 20, 1000, 65535, 2 ** 31 - 1]) {
    const expected = parent.deriveChild(index).publicKey!;
    assert.equal(bytesToHex(publicChildKey(parent, index)!), bytesToHex(expected), `index ${index}`);
  }
  assert.throws(() => publicChildKey(parent, 2 ** 31));
  assert.throws(() => publicChildKey(parent, -1));
});
