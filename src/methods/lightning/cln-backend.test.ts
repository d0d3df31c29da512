// CLN answers are read exactly: msat integers beyond 2^53 keep every digit, the older "123msat"
// strings still parse, and a paid invoice maps to a settled one with its pay_index.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clnInvoice, parseClnJson } from './cln-backend.ts';

// Large msat amounts survive JSON parsing exactly; look-alike text inside strings is untouched.
test('parseClnJson keeps msat integers exact', () => {
  const text = '{"amount_msat": 2100000000000000001, "description": "say \\"x_msat\\": 5", "pay_index": 7}';
  const parsed = parseClnJson(text) as Record<string, unknown>;
  assert.equal(parsed['amount_msat'], '2100000000000000001');
  assert.equal(parsed['description'], 'say "x_msat": 5');
  assert.equal(parsed['pay_index'], 7);
});

// A paid invoice (new integer or old string amounts) becomes a settled BackendInvoice.
test('clnInvoice maps a paid invoice', () => {
  const hash = 'ab'.repeat(32);
  const paid = clnInvoice(parseClnJson(`{"label":"l","bolt11":"lnbcrt1","payment_hash":"${hash}","amount_msat":1000,"status":"paid","pay_index":3,"amount_received_msat":1200,"paid_at":1767225600,"expires_at":1,"description":"d"}`));
  assert.deepEqual(paid, { paymentHash: hash, bolt11: 'lnbcrt1', state: 'settled', amountMsat: 1000n, receivedMsat: 1200n, settleIndex: 3, settledAt: 1767225600 });
  const old = clnInvoice({ payment_hash: hash, bolt11: 'x', status: 'paid', pay_index: 4, amount_received_msat: '5000msat' });
  assert.equal(old.receivedMsat, 5000n);
  assert.equal(old.amountMsat, null);
  assert.equal(clnInvoice({ payment_hash: hash, bolt11: 'x', status: 'expired' }).state, 'canceled');
});
