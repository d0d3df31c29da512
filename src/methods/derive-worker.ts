// The derive-ahead worker thread (started by derive-ahead.ts): BIP32 public child keys of one
// parent, index by index — HMAC-SHA512(chainCode, parentKey ‖ index) gives the tweak, and
// libsecp256k1 adds tweak·G to the parent key (secp256k1.ts; null where BIP32 skips the index).

import { createHmac } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { publicKeyTweakAdd } from './secp256k1.ts';

export interface DeriveRequest {
  readonly id: number;
  readonly publicKey: Uint8Array;
  readonly chainCode: Uint8Array;
  readonly from: number;
  readonly count: number;
  readonly compressed: boolean;
}

export interface DeriveReply {
  readonly id: number;
  readonly keys: Array<Uint8Array | null>;
}

export function deriveChildKeys(request: DeriveRequest): DeriveReply {
  const { id, publicKey, chainCode, from, count, compressed } = request;
  const keys: Array<Uint8Array | null> = [];
  const data = Buffer.allocUnsafe(37);
  data.set(publicKey, 0);
  for (let index = from; index < from + count; index++) {
    data.writeUInt32BE(index, 33);
    const digest = createHmac('sha512', chainCode).update(data).digest();
    keys.push(publicKeyTweakAdd(publicKey, digest.subarray(0, 32), compressed));
  }
  return { id, keys };
}

parentPort?.on('message', (request: DeriveRequest) => parentPort?.postMessage(deriveChildKeys(request)));
