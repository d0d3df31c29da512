// The sandbox's lightning: real signed regtest BOLT11s from a fixed, public test node key; a
// simulated payment settles the invoice's payment hash.

import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { MethodSpec } from '../../core/methods.ts';
import type { RailSandbox } from '../plugin.ts';
import { encodeBolt11 } from './bolt11.ts';

const NODE_KEY = sha256(utf8ToBytes('coffer sandbox lightning node key (test only)'));

export const lightningSandbox: RailSandbox = {
  spec: (spec: MethodSpec): MethodSpec => ({ ...spec, network: 'regtest' }),
  async target(request, _indexes, clock) {
    const preimage = randomBytes(32);
    const paymentHash = sha256(preimage);
    const now = clock.now().getTime();
    const bolt11 = encodeBolt11({
      network: 'bcrt', amountMsat: request.priceUnits, paymentHash, paymentSecret: randomBytes(32),
      description: request.description, timestamp: Math.floor(now / 1000),
      expirySeconds: Math.max(60, Math.ceil((request.expiresAt.getTime() - now) / 1000)),
    }, NODE_KEY);
    return { targetKey: bytesToHex(paymentHash), address: bolt11, lightningInvoice: bolt11, uri: `lightning:${bolt11}` };
  },
  // The payment is the invoice's own hash: settling it twice is the same payment.
  payment: (_spec, targetKey) => ({ paymentKey: targetKey, txid: targetKey }),
};
