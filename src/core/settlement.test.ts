// Pure settlement rules for companion targets: what counts toward an invoice, in which unit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Invoice, Payment } from './invoice.ts';
import { identityRate } from './rate.ts';
import { planSettlement } from './settlement.ts';
import type { MethodUnitOf } from './settlement.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const LATER = new Date('2026-01-01T01:00:00Z');
const units: MethodUnitOf = (id) => ({
  bitcoin: { asset: 'BTC' as const, unitScale: 8 }, lightning: { asset: 'BTC' as const, unitScale: 11 },
  usdc_base: { asset: 'USDC' as const, unitScale: 6 }, usdt_polygon: { asset: 'USDT' as const, unitScale: 6 },
}[id]);
const oneConfirmation = () => 1;

function invoice(methodId: string, targetKey: string, priceUnits: bigint, unitScale: number): Invoice {
  return {
    seq: 1, id: 'inv', accountId: 'acct', status: 'unpaid', currency: 'BTC', amountMinor: priceUnits, methodId, asset: methodId === 'usdc_base' ? 'USDC' : 'BTC',
    unitScale, pricePrecision: 8, priceUnits, rate: identityRate(NOW), conversion: null, targetKey, address: targetKey, uri: '', lightningInvoice: null,
    network: 'regtest', chainId: null, contractAddress: null, walletId: null, derivationIndex: null, confirmationsRequired: 1,
    receivedUnits: 0n, creditedMinor: 0n, webhookUrl: null, createdAt: NOW, expiresAt: LATER, watchUntil: LATER, completedAt: null, updatedAt: NOW,
  };
}

function payment(id: string, methodId: string, targetKey: string, amountUnits: bigint): Payment {
  return {
    seq: 1, id, invoiceId: 'inv', accountId: 'acct', methodId, paymentKey: id, targetKey, txid: id, amountUnits, state: 'confirmed',
    confirmations: 1, blockHash: null, blockHeight: null, rbf: false, late: false, rate: identityRate(NOW), creditedMinor: null,
    reversed: false, heldReason: null, firstSeenAt: NOW, updatedAt: NOW,
  };
}

test('a companion lightning payment counts in sats, rounded down, toward a bitcoin invoice', () => {
  // Proves msat → floor(sat) conversion in sums, credits and received, and completion on the combined amount.
  const btc = invoice('bitcoin', 'bcrt1qaddr', 20_000n, 8);
  const plan = planSettlement(btc, [payment('chain', 'bitcoin', 'bcrt1qaddr', 10_000n), payment('ln', 'lightning', 'hash', 10_000_999n)], NOW, oneConfirmation, units);
  assert.equal(plan.status, 'complete');
  assert.equal(plan.receivedUnits, 20_000n);
  assert.deepEqual(plan.credits.map((c) => c.creditMinor).reduce((a, b) => a + b, 0n), 20_000n);
  assert.equal(plan.held.size, 0);
  const short = planSettlement(btc, [payment('ln', 'lightning', 'hash', 19_999_999n)], NOW, oneConfirmation, units);
  assert.equal(short.receivedUnits, 19_999n);
  assert.equal(short.credits.length, 0);
});

test("without method units, or to the invoice's own target, another method is held as wrong_asset", () => {
  // Proves the companion rule needs a different target and the same asset: USDT on a USDC address stays held.
  const btc = invoice('bitcoin', 'bcrt1qaddr', 20_000n, 8);
  assert.equal(planSettlement(btc, [payment('ln', 'lightning', 'hash', 20_000_000n)], NOW, oneConfirmation).held.get('ln'), 'wrong_asset');
  assert.equal(planSettlement(btc, [payment('ln', 'lightning', 'bcrt1qaddr', 20_000_000n)], NOW, oneConfirmation, units).held.get('ln'), 'wrong_asset');
  const usdc = invoice('usdc_base', '0xabc', 1_000_000n, 6);
  for (const target of ['0xabc', '0xother']) {
    const plan = planSettlement(usdc, [payment('usdt', 'usdt_polygon', target, 1_000_000n)], NOW, oneConfirmation, units);
    assert.equal(plan.held.get('usdt'), 'wrong_asset');
    assert.equal(plan.status, 'payment_error');
    assert.equal(plan.receivedUnits, 0n);
  }
});

test('an operator-resolved payment is out of automatic settlement: never held again, credited settles, refunded leaves the invoice as if unpaid, gone reverses', () => {
  // Proves the hold resolution rules (usecases/admin-holds.ts): what settlement does with payments.resolution.
  const usdc = invoice('usdc_base', '0xabc', 1_000_000n, 6);
  const usdt = payment('usdt', 'usdt_polygon', '0xabc', 1_000_000n);
  const credited = { ...usdt, resolution: 'credited' as const, creditedMinor: 99n };
  const plan = planSettlement(usdc, [credited], NOW, oneConfirmation, units);
  assert.equal(plan.held.size, 0);
  assert.equal(plan.status, 'complete');
  assert.equal(plan.paymentStatus, 'paid');
  assert.equal(plan.credits.length, 0, 'never credited twice');
  const refunded = planSettlement(usdc, [{ ...usdt, resolution: 'refunded_outside' as const }], LATER, oneConfirmation, units);
  assert.equal(refunded.held.size, 0);
  assert.equal(refunded.status, 'expired');
  const gone = planSettlement(usdc, [{ ...credited, state: 'gone' as const }], NOW, oneConfirmation, units);
  assert.deepEqual(gone.reversals, ['usdt']);
});
