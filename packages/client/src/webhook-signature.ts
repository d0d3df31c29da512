// Verifies Coffer's webhook signature header (zero dependencies beyond node:crypto):
//   Coffer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>[,v1=...]
// Pass the raw request body exactly as received (not re-serialised JSON), the header, and every
// secret you currently accept (during a rotation, the old and the new). The timestamp must be
// within `toleranceSeconds` of now, so a captured request cannot be replayed later; dedupe
// repeats inside that window by the event id (`Coffer-Event-Id` header, `id` in the body).

import { createHmac, timingSafeEqual } from 'node:crypto';

export interface VerifyOptions {
  /** Largest accepted distance between the signature's timestamp and now. Default 300. */
  readonly toleranceSeconds?: number;
  /** The current time (Date, or unix seconds); default the system clock. */
  readonly now?: Date | number;
}

export type VerifyFailure = 'malformed_header' | 'no_secret' | 'timestamp_out_of_tolerance' | 'signature_mismatch';

export type VerifyResult =
  | { readonly ok: true; readonly timestamp: number }
  | { readonly ok: false; readonly reason: VerifyFailure };

const HEX64_RE = /^[0-9a-f]{64}$/;
const HEADER_PARTS_MAX = 16;

function parseHeader(header: string): { timestamp: number; signatures: Buffer[] } | null {
  const parts = header.split(',');
  if (parts.length > HEADER_PARTS_MAX) return null;
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq <= 0) return null;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== null || !/^\d{1,12}$/.test(value)) return null;
      timestamp = Number(value);
    } else if (key === 'v1') {
      // Unknown-length or non-hex values cannot match; skip them rather than fail, like other schemes.
      if (HEX64_RE.test(value)) signatures.push(Buffer.from(value, 'hex'));
    }
    // Other keys (future schemes) are ignored.
  }
  if (timestamp === null || signatures.length === 0) return null;
  return { timestamp, signatures };
}

function toSeconds(now: Date | number | undefined): number {
  if (now === undefined) return Math.floor(Date.now() / 1000);
  return typeof now === 'number' ? Math.floor(now) : Math.floor(now.getTime() / 1000);
}

/** Checks a webhook request; `ok: true` only when a v1 signature matches one of `secrets` in time. */
export function verifyWebhookSignature(
  rawBody: string | Uint8Array, header: string | null | undefined, secrets: string | readonly string[], options: VerifyOptions = {},
): VerifyResult {
  const keys = (typeof secrets === 'string' ? [secrets] : [...secrets]).filter((s) => s.length > 0);
  if (keys.length === 0) return { ok: false, reason: 'no_secret' };
  const parsed = typeof header === 'string' ? parseHeader(header) : null;
  if (!parsed) return { ok: false, reason: 'malformed_header' };
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(toSeconds(options.now) - parsed.timestamp) > tolerance) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  let matched = false;
  for (const key of keys) {
    const expected = createHmac('sha256', key).update(`${parsed.timestamp}.`).update(body).digest();
    // Every comparison runs (no early exit), each in constant time.
    for (const given of parsed.signatures) if (timingSafeEqual(expected, given)) matched = true;
  }
  return matched ? { ok: true, timestamp: parsed.timestamp } : { ok: false, reason: 'signature_mismatch' };
}
