// Solana public keys without a Solana library at run time: base58 text ↔ 32 bytes, the ed25519
// "is this a curve point" test that program-derived addresses need, the associated token account
// derivation, and fresh Solana Pay references. Coffer holds no private key: nothing here signs.
//
// PDA derivation follows solana-program's Pubkey::create_program_address / find_program_address
// (sha256 of seeds ‖ bump ‖ program id ‖ "ProgramDerivedAddress", rejected when the hash is a
// valid ed25519 point); the ATA seeds are [owner, token program, mint] under the associated token
// program (spl.solana.com/associated-token-account). Checked against @solana-program/token's
// findAssociatedTokenPda in keys.test.ts.

import { randomBytes } from 'node:crypto';
import { base58 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';

export const TOKEN_PROGRAM = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
export const TOKEN_2022_PROGRAM = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb';
export const ASSOCIATED_TOKEN_PROGRAM = 'ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL';

const KEY_BYTES = 32;

/** The 32 bytes of a base58 public key, or null when the text is not one. */
export function publicKeyBytes(text: string): Uint8Array | null {
  if (!/^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(text)) return null;
  try {
    const bytes = base58.decode(text);
    return bytes.length === KEY_BYTES ? bytes : null;
  } catch {
    return null;
  }
}

export function isPublicKey(text: string): boolean {
  return publicKeyBytes(text) !== null;
}

// Edwards25519: p = 2^255 - 19, d = -121665/121666 (RFC 8032 §5.1).
const P = (1n << 255n) - 19n;
const D = mod(-121665n * inverse(121666n));

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

function power(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = mod(result * b);
    b = mod(b * b);
    e >>= 1n;
  }
  return result;
}

function inverse(a: bigint): bigint {
  return power(a, P - 2n);
}

/**
 * Whether 32 bytes decompress to an ed25519 point (curve25519-dalek's CompressedEdwardsY::
 * decompress, which Solana's is_on_curve uses): x² = (y² − 1)/(d·y² + 1) must have a root.
 */
export function isOnCurve(bytes: Uint8Array): boolean {
  let y = 0n;
  for (let i = KEY_BYTES - 1; i >= 0; i--) y = (y << 8n) | BigInt(bytes[i] as number);
  y = mod(y & ((1n << 255n) - 1n));
  const y2 = mod(y * y);
  const x2 = mod((y2 - 1n) * inverse(mod(D * y2 + 1n)));
  return x2 === 0n || power(x2, (P - 1n) / 2n) === 1n;
}

/** find_program_address: the highest bump (255 down) whose address is off the curve. */
export function findProgramAddress(seeds: readonly Uint8Array[], programId: string): { address: string; bump: number } {
  const program = publicKeyBytes(programId);
  if (program === null) throw new Error(`not a program id: ${programId}`);
  const marker = utf8ToBytes('ProgramDerivedAddress');
  for (let bump = 255; bump >= 0; bump--) {
    const hash = sha256(concat([...seeds, Uint8Array.of(bump), program, marker]));
    if (!isOnCurve(hash)) return { address: base58.encode(hash), bump };
  }
  throw new Error('no viable bump seed');
}

/** The associated token account of `owner` for `mint` (the account Solana Pay wallets pay). */
export function associatedTokenAddress(owner: string, mint: string, tokenProgram: string = TOKEN_PROGRAM): string {
  const seeds = [owner, tokenProgram, mint].map((key) => {
    const bytes = publicKeyBytes(key);
    if (bytes === null) throw new Error(`not a public key: ${key}`);
    return bytes;
  });
  return findProgramAddress(seeds, ASSOCIATED_TOKEN_PROGRAM).address;
}

/**
 * A fresh Solana Pay reference: 32 random bytes in base58. The spec lets a reference be any public
 * key, on an account or not (anza-xyz/solana-pay SPEC.md, "Reference"); 256 random bits never
 * collide with another invoice's reference or with a real account.
 */
export function newReference(): string {
  return base58.encode(randomBytes(KEY_BYTES));
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
