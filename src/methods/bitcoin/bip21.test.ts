import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bip21Uri } from './bip21.ts';

test('BIP21 carries the exact BTC amount, an encoded label and an optional lightning fallback', () => {
  // Proves amounts are formatted exactly from sats and the URI is a valid unified QR payload.
  assert.equal(bip21Uri({ address: 'bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', amountSat: 123_456_789n, label: 'Deposit inv_1 & co' }),
    'bitcoin:bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu?amount=1.23456789&label=Deposit%20inv_1%20%26%20co');
  assert.equal(bip21Uri({ address: 'bc1qx', amountSat: 1n, label: '' }), 'bitcoin:bc1qx?amount=0.00000001');
  assert.equal(bip21Uri({ address: 'bc1qx', amountSat: null, label: 'a' }), 'bitcoin:bc1qx?label=a');
  assert.equal(bip21Uri({ address: 'bc1qx', amountSat: 100_000_000n, label: '', lightning: 'lnbc1' }), 'bitcoin:bc1qx?amount=1&lightning=lnbc1');
  assert.throws(() => bip21Uri({ address: 'bc1qx', amountSat: 0n, label: '' }), RangeError);
});
