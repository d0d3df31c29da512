// TOTP second factor for operators (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps — what every
// authenticator app reads from an otpauth:// URI), through the `otpauth` library. A code is
// accepted within one step either side (clock drift, RFC 6238 §5.2) and never twice: the
// accepted step is stored and a code of the same or an earlier step is refused (replay).
// Recovery codes: ten random codes shown once at enrolment, stored as SHA-256, each usable once.

import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

export const TOTP_PERIOD_S = 30;
const TOTP_DIGITS = 6;
const TOTP_WINDOW = 1;
export const RECOVERY_CODES = 10;
const CODE_RE = /^\d{6}$/;
const RECOVERY_RE = /^[a-z2-7]{5}-?[a-z2-7]{5}$/;

function totp(secretBase32: string, label = 'operator'): TOTP {
  return new TOTP({ issuer: 'Coffer', label, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_S });
}

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The otpauth:// URI an authenticator app reads (the enrolment QR code encodes it). */
export function totpUri(secretBase32: string, email: string): string {
  return totp(secretBase32, email).toString();
}

/** The time step `code` belongs to (within the window), or null when it is not valid at `now`. */
export function totpStep(secretBase32: string, code: string, now: Date): number | null {
  const token = code.replace(/\s/g, '');
  if (!CODE_RE.test(token)) return null;
  const delta = totp(secretBase32).validate({ token, timestamp: now.getTime(), window: TOTP_WINDOW });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_S) + delta;
}

export function looksLikeRecoveryCode(text: string): boolean {
  return RECOVERY_RE.test(text.trim().toLowerCase());
}

export function recoveryCodeHash(code: string): string {
  return createHash('sha256').update(`coffer-recovery:${code.trim().toLowerCase().replace('-', '')}`).digest('hex');
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODES }, () => {
    const bytes = randomBytes(10);
    const text = [...bytes].map((b) => BASE32[b & 31]).join('');
    return `${text.slice(0, 5)}-${text.slice(5)}`;
  });
}
