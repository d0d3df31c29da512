// Non-hardened BIP32 public child derivation, fast: child = tweak·G + parent. @scure/bip32
// re-decodes the parent public key (a square root on the curve) and multiplies in pure JS for
// every child; here the parent point is decoded once and tweak·G is computed by Node's OpenSSL
// (createECDH on secp256k1, native code) — only public data is involved. The result is exactly
// HDKey.deriveChild's (tested against it).

import { createECDH, createHmac } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { HDKey } from '@scure/bip32';

type Point = InstanceType<typeof secp256k1.Point>;

const HARDENED = 0x8000_0000;
const N = secp256k1.Point.CURVE().n;
const parents = new WeakMap<HDKey, Point>();
const baseMultiplier = createECDH('secp256k1');

function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** The child public point at `index` (non-hardened) of `parent`, or null for the rare invalid index (BIP32: skip it). */
export function publicChildPoint(parent: HDKey, index: number): Point | null {
  if (!Number.isSafeInteger(index) || index < 0 || index >= HARDENED) throw new RangeError(`derivation index out of range: ${index}`);
  if (!parent.publicKey || !parent.chainCode) throw new RangeError('parent key has no public key or chain code');
  let parentPoint = parents.get(parent);
  if (!parentPoint) {
    parentPoint = secp256k1.Point.fromBytes(parent.publicKey);
    parents.set(parent, parentPoint);
  }
  const data = new Uint8Array(37);
  data.set(parent.publicKey, 0);
  new DataView(data.buffer).setUint32(33, index, false);
  const digest = createHmac('sha512', parent.chainCode).update(data).digest();
  const tweak = bytesToBigInt(digest.subarray(0, 32));
  if (tweak === 0n || tweak >= N) return null;
  baseMultiplier.setPrivateKey(digest.subarray(0, 32));
  const child = secp256k1.Point.fromBytes(baseMultiplier.getPublicKey()).add(parentPoint);
  return child.equals(secp256k1.Point.ZERO) ? null : child;
}
