// The sandbox's bitcoin: regtest BIP84 addresses from a fixed, public test key (deterministic,
// holding nothing of value), BIP21 URIs with the lightning fallback, and simulated txid:vout keys.

import { HDKey } from '@scure/bip32';
import type { MethodSpec } from '../../core/methods.ts';
import type { IndexAllocator, PaymentTarget, TargetRequest } from '../../core/payment-method.ts';
import type { RailSandbox } from '../plugin.ts';
import { SANDBOX_SEED } from '../sandbox/seed.ts';
import { deriveAheadAfter, deriveP2wpkh, parseBitcoinWalletKey } from './address.ts';
import { bip21Uri } from './bip21.ts';

const TESTNET_VERSIONS = { private: 0x04358394, public: 0x043587cf };

let wallet: ReturnType<typeof parseBitcoinWalletKey> | null = null;

async function target(request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget> {
  // Derived at the first target, not at import: the key derivation costs start-up time.
  wallet ??= parseBitcoinWalletKey(HDKey.fromMasterSeed(SANDBOX_SEED, TESTNET_VERSIONS).derive("m/84'/1'/0'").publicExtendedKey, 'regtest');
  const walletId = `sandbox:${wallet.walletId}`;
  const index = await indexes.next(walletId);
  const { address } = deriveP2wpkh(wallet, index);
  deriveAheadAfter(wallet, index);
  const lightning = await request.lightningFallback;
  return {
    targetKey: address, address, walletId, derivationIndex: index,
    uri: bip21Uri({ address, amountSat: request.priceUnits, label: request.description, ...(lightning ? { lightning } : {}) }),
  };
}

export const bitcoinSandbox: RailSandbox = {
  spec: (spec: MethodSpec): MethodSpec => ({ ...spec, network: 'regtest' }),
  target,
  payment: (_spec, _targetKey, hash) => ({ paymentKey: `${hash}:0`, txid: hash }),
};
