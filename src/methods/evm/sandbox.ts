// The sandbox's EVM methods: EIP-55 addresses from a fixed, public test key (BIP44 coin 60),
// EIP-681 URIs on the method's test network (test-networks.ts), and simulated chain:tx:log keys.

import { HDKey } from '@scure/bip32';
import type { MethodSpec } from '../../core/methods.ts';
import type { IndexAllocator, PaymentTarget, TargetRequest } from '../../core/payment-method.ts';
import type { RailSandbox } from '../plugin.ts';
import { SANDBOX_SEED } from '../sandbox/seed.ts';
import { deriveEvmAddress, deriveEvmAheadAfter, eip681Uri, parseEvmWalletKey } from './address.ts';
import { evmMethodDefault } from './methods.ts';
import { evmTestNetwork } from './test-networks.ts';

let wallet: ReturnType<typeof parseEvmWalletKey> | null = null;

function testNetworkOf(spec: MethodSpec) {
  return evmTestNetwork(evmMethodDefault(spec.id)?.chainId ?? 1);
}

/** The chain id the sandbox serves a method on: its test network's (Sepolia, Base Sepolia...). */
function chainIdOf(spec: MethodSpec): number {
  return testNetworkOf(spec)?.chainId ?? evmMethodDefault(spec.id)?.chainId ?? 1;
}

/** The method on its test network, with Circle's test USDC where it is USDC (Tether publishes no test USDT). */
function testSpec(spec: MethodSpec): MethodSpec {
  const test = testNetworkOf(spec);
  if (!test) return spec;
  return { ...spec, network: test.network, ...(spec.contractAddress && spec.asset === 'USDC' ? { contractAddress: test.usdc } : {}) };
}

async function target(request: TargetRequest, indexes: IndexAllocator): Promise<PaymentTarget> {
  // Derived at the first target, not at import: the key derivation costs start-up time.
  wallet ??= parseEvmWalletKey(HDKey.fromMasterSeed(SANDBOX_SEED).derive("m/44'/60'/0'").publicExtendedKey);
  const walletId = 'sandbox:evm';
  const index = await indexes.next(walletId);
  const address = deriveEvmAddress(wallet, index);
  deriveEvmAheadAfter(wallet, index);
  const spec = request.method;
  const chainId = chainIdOf(spec);
  const uri = eip681Uri({
    address, chainId, amountUnits: request.priceUnits, ...(spec.contractAddress ? { tokenContract: spec.contractAddress } : {}),
  });
  return { targetKey: address.toLowerCase(), address, uri, chainId, walletId, derivationIndex: index };
}

export const evmSandbox: RailSandbox = {
  // Test networks and test tokens: a tester's wallet reading the QR never builds a mainnet transfer.
  spec: testSpec,
  target,
  payment: (spec, _targetKey, hash) => spec.contractAddress
    ? { paymentKey: `${chainIdOf(spec)}:0x${hash}:0`, txid: `0x${hash}` }
    : { paymentKey: `${chainIdOf(spec)}:0x${hash}:native`, txid: `0x${hash}` },
};
