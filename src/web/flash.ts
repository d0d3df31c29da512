// A one-view message carried by the browser across a POST-redirect-GET: the new API key's secret
// after "Create key". It rides in a short-lived HttpOnly cookie, sealed with AES-256-GCM under a
// key derived from the website's secret (so every process of a deployment can open it, and the
// database never holds the secret in clear), bound to the session that created it (the session
// id is the AEAD's additional data) and cleared by the GET that shows it: a reload shows nothing
// and creates nothing.

import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { WebLimits } from '../core/limits.ts';

const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyOf(secret: Buffer): Buffer {
  return createHmac('sha256', secret).update('coffer web flash v1').digest();
}

export function sealFlash(secret: Buffer, boundTo: string, value: unknown, now: Date): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(secret), iv);
  cipher.setAAD(Buffer.from(boundTo));
  const plain = Buffer.from(JSON.stringify({ v: value, exp: now.getTime() + WebLimits.flashTtlSeconds * 1000 }));
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
}

/** The sealed value, or null when it is not ours, for another session, tampered with or too old. */
export function openFlash(secret: Buffer, boundTo: string, text: string, now: Date): unknown {
  try {
    const raw = Buffer.from(text, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return null;
    const decipher = createDecipheriv('aes-256-gcm', keyOf(secret), raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(boundTo));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
    const parsed = JSON.parse(plain.toString('utf8')) as { v: unknown; exp: number };
    return parsed.exp > now.getTime() ? parsed.v : null;
  } catch {
    return null;
  }
}
