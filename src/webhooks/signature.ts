// The `Coffer-Signature` header: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`,
// with one v1 per valid secret while a rotation overlaps, so a receiver holding either the old
// or the new secret verifies the same request. The HMAC key is the secret string's UTF-8 bytes.

import { createHmac } from 'node:crypto';

export const SignatureHeaderName = 'Coffer-Signature';
export const EventIdHeaderName = 'Coffer-Event-Id';

export function signatureV1(secret: string, timestampS: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestampS}.`).update(rawBody).digest('hex');
}

/** The header value for `rawBody` signed at `timestampS` with every secret in `secrets` (current first). */
export function signatureHeader(secrets: readonly string[], timestampS: number, rawBody: string): string {
  if (!Number.isSafeInteger(timestampS) || timestampS < 0) throw new RangeError(`bad signature timestamp ${timestampS}`);
  if (secrets.length === 0) throw new RangeError('signing needs at least one secret');
  return [`t=${timestampS}`, ...secrets.map((s) => `v1=${signatureV1(s, timestampS, rawBody)}`)].join(',');
}
