// The bitcoin rail: on-chain BTC to BIP84 addresses derived from an account xpub, followed on a
// Bitcoin Core node. Offers `coffer rescan` and `coffer wallet status`.

import { BITCOIN_DUST_SATS } from '../../core/method-minimums.ts';
import type { MethodSpec } from '../../core/methods.ts';
import type { RailPlugin } from '../plugin.ts';
import { specOf } from '../plugin.ts';
import { bitcoinConfigFromEnv } from './config.ts';
import type { BitcoinConfig } from './config.ts';
import { bitcoinSandbox } from './sandbox.ts';

const methods: readonly MethodSpec[] = [
  { id: 'bitcoin', rail: 'bitcoin', label: 'Bitcoin (on-chain)', asset: 'BTC', unitScale: 8, pricePrecision: 8, confirmations: 1, network: 'bitcoin', companion: 'lightning', uriScheme: 'bitcoin',
    minimumUnits: BITCOIN_DUST_SATS, minimumReason: 'the network\'s dust limit' },
];

export const bitcoinRail: RailPlugin<BitcoinConfig> = {
  rail: 'bitcoin',
  settings: 'COFFER_BITCOIN_*',
  methods,
  configure: ({ env, mode }) => bitcoinConfigFromEnv(env, mode),
  async create(config, deps) {
    const { createBitcoinMethod } = await import('./create-bitcoin-method.ts');
    const adapter = await createBitcoinMethod(config, deps);
    return { adapter, specs: [{ ...specOf(methods, 'bitcoin'), confirmations: config.confirmations, network: config.network }] };
  },
  sandbox: bitcoinSandbox,
};
