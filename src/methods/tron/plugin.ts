// The tron rail: usdt_trc20, USDT (TRC-20) on Tron to T… addresses derived from an xpub at coin
// type 195, followed through java-tron's Ethereum-compatible JSON-RPC by the EVM rail's follower.
// Its QR is the bare address (Tron has no payment-URI scheme wallets share): no URI scheme.

import type { MethodSpec } from '../../core/methods.ts';
import type { RailPlugin } from '../plugin.ts';
import { specOf } from '../plugin.ts';
import { TRON_METHOD_ID, tronConfigFromEnv, USDT_MAINNET_CONTRACT } from './config.ts';
import type { TronConfig } from './config.ts';
import { tronSandbox } from './sandbox-target.ts';

const methods: readonly MethodSpec[] = [
  // 20 confirmations, as Bitrefill asks (docs/tron.md: solidification at 19 of 27 SRs).
  { id: TRON_METHOD_ID, rail: 'tron', label: 'USDT (Tron, TRC-20)', asset: 'USDT', unitScale: 6, pricePrecision: 6, confirmations: 20, network: 'tron',
    contractAddress: USDT_MAINNET_CONTRACT,
    token: {
      term: 'token contract',
      warning: 'Send only {asset} (TRC-20) of this contract, on the TRON network ({network}). From an exchange, choose the TRC20 network. USDT on any other network, or any other token, is not credited.',
    } },
];

export const tronRail: RailPlugin<TronConfig> = {
  rail: 'tron',
  settings: 'COFFER_TRON_*',
  methods,
  configure: ({ env, mode }) => tronConfigFromEnv(env, mode),
  async create(config, deps) {
    const { createTronMethod, tronMethodSpec } = await import('./tron-method.ts');
    return { adapter: await createTronMethod(config, deps), specs: [tronMethodSpec(specOf(methods, TRON_METHOD_ID), config)] };
  },
  sandbox: tronSandbox,
};
