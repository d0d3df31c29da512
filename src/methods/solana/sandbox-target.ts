// The sandbox's usdc_solana: the same Solana Pay transfer request a live deployment shows, to a
// fixed public test wallet on devnet with devnet USDC. Nothing is watched: sandbox payments arrive
// through POST /v2/sandbox/invoices/{id}/pay, keyed by a base58 signature like a real one.

import { createHash } from 'node:crypto';
import { base58 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { MethodSpec } from '../../core/methods.ts';
import type { PaymentTarget, TargetRequest } from '../../core/payment-method.ts';
import type { RailSandbox } from '../plugin.ts';
import { ClusterNetworks, UsdcMints } from './config.ts';
import { newReference } from './keys.ts';
import { USDC_DECIMALS } from './limits.ts';
import { transferRequestUri } from './solana-pay.ts';

/** A fixed public key nobody holds the private key of (a hash, not a key pair): holds nothing. */
export const SANDBOX_SOLANA_OWNER = base58.encode(sha256(utf8ToBytes('coffer sandbox solana wallet (test only)')));

/** The usdc_solana spec as the sandbox serves it: devnet, with Circle's devnet USDC mint. */
export function sandboxSolanaSpec(spec: MethodSpec): MethodSpec {
  return { ...spec, network: ClusterNetworks.devnet, contractAddress: UsdcMints.devnet as string };
}

export function sandboxSolanaTarget(request: TargetRequest): PaymentTarget {
  const reference = newReference();
  const uri = transferRequestUri({
    recipient: SANDBOX_SOLANA_OWNER, amountUnits: request.priceUnits, decimals: USDC_DECIMALS,
    splToken: request.method.contractAddress ?? (UsdcMints.devnet as string), reference, label: 'Coffer sandbox', message: request.description,
  });
  return { targetKey: reference, address: SANDBOX_SOLANA_OWNER, uri };
}

export const solanaSandbox: RailSandbox = {
  spec: sandboxSolanaSpec,
  target: async (request) => sandboxSolanaTarget(request),
  payment(_spec, _targetKey, hash) {
    // A Solana signature is 64 bytes in base58; the key names the transfer instruction's index.
    // Derived from the same hash, so a seeded (idempotent) payment keeps its signature too.
    const signature = base58.encode(Buffer.from(hash + createHash('sha256').update(hash).digest('hex'), 'hex'));
    return { paymentKey: `solana:${signature}:0`, txid: signature };
  },
};
