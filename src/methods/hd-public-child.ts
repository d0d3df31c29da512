// Non-hardened BIP32 public child derivation, fast: child = tweak·G + parent, one libsecp256k1
// call (src/methods/secp256k1.ts) instead of @scure/bip32's pure-JS decode and multiply. Only
// public data is involved. The result is exactly HDKey.deriveChild's (tested against it).

import { createHmac } from 'node:crypto';
import type { HDKey } from '@scure/bip32';
import { publicKeyTweakAdd } from './secp256k1.ts';

const HARDENED = 0x8000_0000;

/**
 * The compressed child public key at `index` (non-hardened) of `parent`, or null for the rare
 * invalid index (tweak ≥ n or a sum at infinity; BIP32: skip it).
 */
export function publicChildKey(parent: HDKey, index: number): Uint8Array | null {
  if (!Number.isSafeInteger(index) || index < 0 || index >= HARDENED) throw new RangeError(`derivation index out of range: ${index}`);
  if (!parent.publicKey || !parent.chainCode) throw new RangeError('parent key has no public key or chain code');
  const data = Buffer.allocUnsafe(37);
  data.set(parent.publicKey, 0);
  data.writeUInt32BE(index, 33);
  const digest = createHmac('sha512', parent.chainCode).update(data).digest();
  return publicKeyTweakAdd(parent.publicKey, digest.subarray(0, 32), true);
}
