// The lightning rail: BOLT11 invoices from an LND or Core Lightning node over REST; a settled
// invoice is final at once (no detected stage, no confirmation tiers).

import type { MethodSpec } from '../../core/methods.ts';
import type { RailPlugin } from '../plugin.ts';
import { lightningConfigFromEnv } from './lightning-config.ts';
import type { LightningConfig } from './lightning-config.ts';
import { lightningSandbox } from './sandbox.ts';

const methods: readonly MethodSpec[] = [
  { id: 'lightning', rail: 'lightning', label: 'Bitcoin Lightning', asset: 'BTC', unitScale: 11, pricePrecision: 8, confirmations: 1, settlesAtOnce: true, network: 'lightning', uriScheme: 'lightning',
    // 1 sat (BOLT11 counts msat; wallets and nodes round to whole sats).
    minimumUnits: 1000n },
];

export const lightningRail: RailPlugin<LightningConfig> = {
  rail: 'lightning',
  settings: 'COFFER_LIGHTNING_*',
  methods,
  configure: ({ env, mode }) => lightningConfigFromEnv(env, mode),
  async create(config, deps) {
    const { createLightningMethod } = await import('./lightning-method.ts');
    return { adapter: await createLightningMethod(config, deps), specs: methods };
  },
  sandbox: lightningSandbox,
};
