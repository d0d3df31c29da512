// Password hashing for website logins: scrypt from node:crypto with a random salt, parameters
// stored beside the hash so they can be raised later without invalidating old hashes.

import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { ScryptOptions } from 'node:crypto';
import { CofferError } from '../core/errors.ts';
import { WebLimits } from '../core/limits.ts';

function scryptAsync(password: string, salt: Buffer, keyBytes: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(WebLimits.scryptSaltBytes);
  const { scryptLog2N: log2N, scryptR: r, scryptP: p } = WebLimits;
  const key = await scryptAsync(password, salt, WebLimits.scryptKeyBytes, { N: 2 ** log2N, r, p, maxmem: WebLimits.scryptMaxmemBytes });
  return `scrypt$${log2N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const HASH_RE = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** Constant-time check of `password` against a stored hash; false for anything malformed. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = HASH_RE.exec(stored);
  if (!match) return false;
  const [log2N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (log2N < 10 || log2N > 20 || r < 1 || r > 32 || p < 1 || p > 16) return false;
  const salt = Buffer.from(match[4]!, 'base64url');
  const expected = Buffer.from(match[5]!, 'base64url');
  const key = await scryptAsync(password, salt, expected.length, { N: 2 ** log2N, r, p, maxmem: WebLimits.scryptMaxmemBytes });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummyHash: Promise<string> | null = null;

/** Spends the same work as a real check, so an unknown email takes as long as a wrong password. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('coffer: no such user');
  await verifyPassword(password, await dummyHash);
}

/** Length rules only (NIST 800-63B): long passphrases over composition rules. */
export function checkNewPassword(password: string, email: string, field = 'password'): void {
  if (password.length < WebLimits.passwordLengthMin) {
    throw new CofferError('invalid_param', `Use at least ${WebLimits.passwordLengthMin} characters`, { field });
  }
  if (password.length > WebLimits.passwordLengthMax) {
    throw new CofferError('invalid_param', `Use at most ${WebLimits.passwordLengthMax} characters`, { field });
  }
  if (password.trim().toLowerCase() === email.trim().toLowerCase()) {
    throw new CofferError('invalid_param', 'Your password must not be your email address', { field });
  }
}

const EMAIL_RE = /^[^\s@<>()[\]\\,;:"']+@[^\s@<>()[\]\\,;:"']+\.[^\s@<>()[\]\\,;:"']+$/;

/** Trimmed, lower-cased email; throws a field error when it does not look like one. */
export function normaliseEmail(text: string): string {
  const email = text.trim().toLowerCase();
  if (email.length === 0) throw new CofferError('missing_param', 'Enter your email address', { field: 'email' });
  if (email.length > WebLimits.emailLengthMax || !EMAIL_RE.test(email)) {
    throw new CofferError('invalid_param', 'Enter an email address like name@example.com', { field: 'email' });
  }
  return email;
}
