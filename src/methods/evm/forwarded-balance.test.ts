// Proves the balance rule for forwarded ETH: what top-level transfers explain is never counted
// again, a block where the address itself sent is not judged, and the key never looks like a
// transaction's key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Block } from './chain-reader.ts';
import { balancePaymentKey, forwardedInBlock, parseBalancePaymentKey } from './forwarded-balance.ts';

const ME = `0x${'a'.repeat(40)}`;
const OTHER = `0x${'b'.repeat(40)}`;
const hashOf = (n: number): string => `0x${n.toString(16).padStart(64, '0')}`;

function block(txs: { from?: string; to: string | null; valueWei: bigint }[]): Block {
  return {
    number: 7, hash: hashOf(77), parentHash: hashOf(76), timestampSec: 1,
    transactions: txs.map((t, i) => ({ hash: hashOf(i + 1), from: t.from ?? OTHER, to: t.to, valueWei: t.valueWei })),
  };
}

test('a balance rise with no transaction to the address is forwarded ETH', () => {
  assert.deepEqual(forwardedInBlock(ME, block([{ to: OTHER, valueWei: 5n }]), 100n, 130n, () => true), { kind: 'forwarded', amountWei: 30n });
});

test('a direct transfer in the same block is subtracted: only the rest is forwarded', () => {
  const b = block([{ to: ME, valueWei: 10n }, { to: OTHER, valueWei: 30n }]);
  assert.deepEqual(forwardedInBlock(ME, b, 0n, 40n, () => true), { kind: 'forwarded', amountWei: 30n });
  assert.deepEqual(forwardedInBlock(ME, b, 0n, 10n, () => true), { kind: 'none' });
});

test('a failed direct transfer moved nothing and is not subtracted', () => {
  const b = block([{ to: ME, valueWei: 10n }]);
  assert.deepEqual(forwardedInBlock(ME, b, 0n, 25n, () => false), { kind: 'forwarded', amountWei: 25n });
});

test('the address sending a transaction, or losing ETH without one, is never a payment', () => {
  assert.deepEqual(forwardedInBlock(ME, block([{ from: ME, to: OTHER, valueWei: 1n }]), 100n, 150n, () => true), { kind: 'sent' });
  assert.deepEqual(forwardedInBlock(ME, block([]), 100n, 60n, () => true), { kind: 'outflow', amountWei: 40n });
});

test('balance keys round-trip and never parse from a transaction key', () => {
  const key = balancePaymentKey(1, ME, { number: 7, hash: hashOf(77) });
  assert.equal(key, `1:balance:${ME}:7:${hashOf(77)}`);
  assert.deepEqual(parseBalancePaymentKey(key), { address: ME, height: 7, blockHash: hashOf(77) });
  assert.equal(parseBalancePaymentKey(`1:${hashOf(5)}:native`), null);
  assert.equal(parseBalancePaymentKey(`1:${hashOf(5)}:trace:0.1`), null);
});
