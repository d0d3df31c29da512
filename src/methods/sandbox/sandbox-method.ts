// The sandbox method: serves every method id with realistic targets and no chain. Bitcoin
// targets are regtest BIP84 addresses from a built-in test key, lightning targets are real
// signed regtest BOLT11s, EVM targets are EIP-55 addresses. Payments arrive through
// POST /v2/sandbox/invoices/{id}/pay, which turns into Observations on the real settlement path.

import { randomBytes } from 'node:crypto';
import { HDKey } from '@scure/bip32';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { MethodSpec } from '../../core/methods.ts';
import type { IndexAllocator, MethodHealth, PaymentMethodAdapter, PaymentTarget, TargetRequest } from '../../core/payment-method.ts';
import type { Clock } from '../../core/clock.ts';
import { deriveAheadAfter, deriveP2wpkh, parseBitcoinWalletKey } from '../bitcoin/address.ts';
import { bip21Uri } from '../bitcoin/bip21.ts';
import { deriveEvmAddress, deriveEvmAheadAfter, eip681Uri, parseEvmWalletKey } from '../evm/address.ts';
import { encodeBolt11 } from '../lightning/bolt11.ts';
import { sandboxSolanaSpec, sandboxSolanaTarget } from '../solana/sandbox-target.ts';
import { sandboxTronSpec, sandboxTronTarget } from '../tron/sandbox-target.ts';

// Fixed, public test keys: sandbox addresses are deterministic and hold nothing of value.
const SEED = sha256(utf8ToBytes('coffer sandbox wallet seed (test only)'));
const TESTNET_VERSIONS = { private: 0x04358394, public: 0x043587cf };
const BITCOIN_ACCOUNT = HDKey.fromMasterSeed(SEED, TESTNET_VERSIONS).derive("m/84'/1'/0'").publicExtendedKey;
const EVM_ACCOUNT = HDKey.fromMasterSeed(SEED).derive("m/44'/60'/0'").publicExtendedKey;
const LIGHTNING_NODE_KEY = sha256(utf8ToBytes('coffer sandbox lightning node key (test only)'));

export class SandboxMethod implements PaymentMethodAdapter {
  readonly family = 'bitcoin' as const;
  readonly methodIds: readonly string[];
  readonly #bitcoin = parseBitcoinWalletKey(BITCOIN_ACCOUNT, 'regtest');
  readonly #evm = parseEvmWalletKey(EVM_ACCOUNT);
  readonly #clock: Clock;

  constructor(specs: readonly MethodSpec[], clock: Clock) {
    this.methodIds = specs.map((s) => s.id);
    this.#clock = clock;
  }

  health(): MethodHealth {
    return { ok: true, detail: 'sandbox' };
  }

  async createTarget(request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget> {
    switch (request.method.family) {
      case 'bitcoin': return this.#bitcoinTarget(request, indexes);
      case 'lightning': return this.#lightningTarget(request);
      case 'evm': return this.#evmTarget(request, indexes);
      case 'solana': return sandboxSolanaTarget(request);
      case 'tron': return sandboxTronTarget(request, indexes);
    }
  }

  async #bitcoinTarget(request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget> {
    const walletId = `sandbox:${this.#bitcoin.walletId}`;
    const index = await indexes.next(walletId);
    const { address } = deriveP2wpkh(this.#bitcoin, index);
    deriveAheadAfter(this.#bitcoin, index);
    const lightning = await request.lightningFallback;
    return {
      targetKey: address, address, walletId, derivationIndex: index,
      uri: bip21Uri({ address, amountSat: request.priceUnits, label: request.description, ...(lightning ? { lightning } : {}) }),
    };
  }

  async #lightningTarget(request: TargetRequest): Promise<PaymentTarget> {
    const preimage = randomBytes(32);
    const paymentHash = sha256(preimage);
    const now = this.#clock.now().getTime();
    const bolt11 = encodeBolt11({
      network: 'bcrt', amountMsat: request.priceUnits, paymentHash, paymentSecret: randomBytes(32),
      description: request.description, timestamp: Math.floor(now / 1000),
      expirySeconds: Math.max(60, Math.ceil((request.expiresAt.getTime() - now) / 1000)),
    }, LIGHTNING_NODE_KEY);
    return { targetKey: bytesToHex(paymentHash), address: bolt11, lightningInvoice: bolt11, uri: `lightning:${bolt11}` };
  }

  async #evmTarget(request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget> {
    const walletId = 'sandbox:evm';
    const index = await indexes.next(walletId);
    const address = deriveEvmAddress(this.#evm, index);
    deriveEvmAheadAfter(this.#evm, index);
    const spec = request.method;
    const uri = eip681Uri({
      address, chainId: spec.chainId ?? 1, amountUnits: request.priceUnits,
      ...(spec.contractAddress ? { tokenContract: spec.contractAddress } : {}),
    });
    return { targetKey: address.toLowerCase(), address, uri, walletId, derivationIndex: index };
  }
}

/** The method specs as the sandbox serves them: bitcoin and lightning on regtest, Solana on devnet, Tron on Nile. */
export function sandboxSpecs(specs: readonly MethodSpec[]): MethodSpec[] {
  return specs.map((spec) => {
    if (spec.family === 'evm') return spec;
    if (spec.family === 'tron') return sandboxTronSpec(spec);
    return spec.family === 'solana' ? sandboxSolanaSpec(spec) : { ...spec, network: 'regtest' };
  });
}
