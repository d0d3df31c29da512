// Proves the signer and the SDK verifier agree, against fixed vectors: a valid signature, a
// tampered body, a stale or future timestamp, a rotated secret (two v1 values), malformed headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { signatureHeader, signatureV1 } from '../src/webhooks/signature.ts';
import { verifyWebhookSignature } from '../packages/client/src/webhook-signature.ts';

const body = '{"id":"evt_1","type":"invoice.complete","data":{"amount":10.00}}';
const t = 1767225600; // 2026-01-01T00:00:00Z
const secret = 'whsec_test_secret_one';
const next = 'whsec_test_secret_two';

test('the v1 value is HMAC-SHA256 over "<t>.<body>" (fixed vector)', () => {
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
  assert.equal(signatureV1(secret, t, body), expected);
  assert.equal(signatureV1('key', 0, ''), createHmac('sha256', 'key').update('0.').digest('hex'));
  assert.equal(signatureHeader([secret], t, body), `t=${t},v1=${expected}`);
});

test('a correct signature within tolerance verifies; a tampered body does not', () => {
  const header = signatureHeader([secret], t, body);
  assert.deepEqual(verifyWebhookSignature(body, header, secret, { now: t + 10 }), { ok: true, timestamp: t });
  assert.deepEqual(verifyWebhookSignature(Buffer.from(body), header, [secret], { now: new Date((t - 299) * 1000) }), { ok: true, timestamp: t });
  const tampered = body.replace('10.00', '1000.00');
  assert.deepEqual(verifyWebhookSignature(tampered, header, secret, { now: t }), { ok: false, reason: 'signature_mismatch' });
  assert.deepEqual(verifyWebhookSignature(body, header, 'whsec_other', { now: t }), { ok: false, reason: 'signature_mismatch' });
});

test('stale and future timestamps are refused outside the tolerance', () => {
  const header = signatureHeader([secret], t, body);
  assert.deepEqual(verifyWebhookSignature(body, header, secret, { now: t + 301 }), { ok: false, reason: 'timestamp_out_of_tolerance' });
  assert.deepEqual(verifyWebhookSignature(body, header, secret, { now: t - 301 }), { ok: false, reason: 'timestamp_out_of_tolerance' });
  assert.equal(verifyWebhookSignature(body, header, secret, { now: t + 3000, toleranceSeconds: 3600 }).ok, true);
});

test('during a rotation the header carries both signatures; either secret verifies', () => {
  const header = signatureHeader([next, secret], t, body);
  assert.equal(header.split(',').length, 3);
  assert.equal(verifyWebhookSignature(body, header, secret, { now: t }).ok, true);
  assert.equal(verifyWebhookSignature(body, header, next, { now: t }).ok, true);
  assert.equal(verifyWebhookSignature(body, header, [next, secret], { now: t }).ok, true);
  // After the overlap only the new secret signs: the old one no longer verifies.
  assert.equal(verifyWebhookSignature(body, signatureHeader([next], t, body), secret, { now: t }).ok, false);
});

test('malformed headers and empty secrets are refused', () => {
  const v1 = signatureV1(secret, t, body);
  for (const header of ['', 'garbage', `v1=${v1}`, `t=${t}`, `t=abc,v1=${v1}`, `t=${t},v1=zz`, `t=${t},t=${t},v1=${v1}`, null, undefined]) {
    assert.deepEqual(verifyWebhookSignature(body, header, secret, { now: t }), { ok: false, reason: 'malformed_header' }, String(header));
  }
  assert.deepEqual(verifyWebhookSignature(body, `t=${t},v1=${v1}`, [], { now: t }), { ok: false, reason: 'no_secret' });
  // Unknown schemes are ignored; a matching v1 still verifies.
  assert.equal(verifyWebhookSignature(body, `t=${t},v0=abc,v1=${v1}`, secret, { now: t }).ok, true);
});
