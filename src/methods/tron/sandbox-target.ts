// Sandbox targets for usdt_trc20: the same T… deposit addresses a live deployment shows, derived
// from a fixed public test seed at m/44'/195'/0' (anyone can spend what is sent there). The
// network is named Nile so that nobody takes them for mainnet addresses; the contract shown is
// Tether's mainnet one (no Nile test-USDT contract is assumed). Nothing is watched: sandbox payments
// arrive through POST /v2/sandbox/invoices/{id}/pay.

import { HDKey } from '@scure/bip32';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { MethodSpec } from '../../core/methods.ts';
import type { IndexAllocator, PaymentTarget, TargetRequest } from '../../core/payment-method.ts';
import type { RailSandbox } from '../plugin.ts';
import { deriveTronAddress, deriveTronAheadAfter, parseTronWalletKey, TRON_ACCOUNT_PATH } from './address.ts';
import { TronChainNames } from './config.ts';

const SEED_TEXT = 'coffer sandbox tron wallet seed (test only)';
let sandboxWallet: ReturnType<typeof parseTronWalletKey> | null = null;
const SANDBOX_WALLET_ID = 'sandbox:tron';

/** The usdt_trc20 spec as the sandbox serves it: the Nile testnet's name, so nobody takes it for mainnet. */
export function sandboxTronSpec(spec: MethodSpec): MethodSpec {
  return { ...spec, network: TronChainNames.nile };
}

export async function sandboxTronTarget(_request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget> {
  const index = await indexes.next(SANDBOX_WALLET_ID);
  // Derived at the first target, not at import: the key derivation costs start-up time.
  sandboxWallet ??= parseTronWalletKey(HDKey.fromMasterSeed(sha256(utf8ToBytes(SEED_TEXT))).derive(TRON_ACCOUNT_PATH).publicExtendedKey);
  const { address, hex } = deriveTronAddress(sandboxWallet, index);
  deriveTronAheadAfter(sandboxWallet, index);
  return { targetKey: hex, address, uri: address, walletId: SANDBOX_WALLET_ID, derivationIndex: index };
}

export const tronSandbox: RailSandbox = {
  spec: sandboxTronSpec,
  target: (request, indexes) => sandboxTronTarget(request, indexes),
  // Tron's key names its chain (`tron`, `tron-nile`, …), never a number an EVM chain could have.
  payment: (spec, _targetKey, hash) => ({ paymentKey: `${spec.network}:0x${hash}:0`, txid: `0x${hash}` }),
};
