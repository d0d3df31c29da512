// The secp256k1 operations Coffer's methods need, on libsecp256k1 (the `secp256k1` package's
// native binding, shipped prebuilt for linux-x64). On this project's reference machine one
// operation costs ~50 µs there against ~600–900 µs in pure JS, and every deposit pays one or two
// of them (an HD child key; a BOLT11 signature or its recovery). Where the binding cannot load, the
// package's own pure-JS build is used: slower, same results.

import { createRequire } from 'node:module';
import type * as Secp256k1 from 'secp256k1';

// The package's documented entry (its README: `require('secp256k1')`) loads the native binding
// and falls back to its pure-JS build by itself (its index.js), so nothing here names its files.
const lib = createRequire(import.meta.url)('secp256k1') as typeof Secp256k1;

/** `tweak·G + point`, or null when the tweak is out of range or the sum is the point at infinity. */
export function publicKeyTweakAdd(publicKey: Uint8Array, tweak: Uint8Array, compressed: boolean): Uint8Array | null {
  try {
    return lib.publicKeyTweakAdd(publicKey, tweak, compressed);
  } catch {
    return null;
  }
}

/** The same public key in compressed (33-byte) or uncompressed (65-byte) form; throws if it is not a key. */
export function publicKeyConvert(publicKey: Uint8Array, compressed: boolean): Uint8Array {
  return lib.publicKeyConvert(publicKey, compressed);
}

export function publicKeyCreate(privateKey: Uint8Array, compressed: boolean): Uint8Array {
  return lib.publicKeyCreate(privateKey, compressed);
}

/** A deterministic (RFC 6979), low-S signature of a 32-byte hash with its recovery id. */
export function signRecoverable(hash: Uint8Array, privateKey: Uint8Array): { readonly signature: Uint8Array; readonly recoveryId: number } {
  const { signature, recid } = lib.ecdsaSign(hash, privateKey);
  return { signature, recoveryId: recid };
}

/** The compressed key a 64-byte compact signature with `recoveryId` recovers to, or null. */
export function recoverPublicKey(signature: Uint8Array, recoveryId: number, hash: Uint8Array): Uint8Array | null {
  try {
    return lib.ecdsaRecover(signature, recoveryId, hash, true);
  } catch {
    return null;
  }
}

/** Verifies a compact signature; libsecp256k1 accepts only the low-S form. */
export function verifyLowS(signature: Uint8Array, hash: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return lib.ecdsaVerify(signature, hash, publicKey);
  } catch {
    return false;
  }
}
