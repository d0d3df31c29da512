// The evm rail: ETH and ERC-20 stablecoins on every configured EVM chain, to addresses derived
// from one xpub (BIP44 coin 60), one adapter following each chain. Configured from the
// environment (COFFER_EVM_*) or from the config file's `evm` section.

import type { RailPlugin } from '../plugin.ts';
import { evmConfigFromEnv } from './config-env.ts';
import { evmConfigFromSettings, evmMethodSpecs } from './config.ts';
import type { EvmConfig, EvmSettings } from './config.ts';
import { EvmMethods } from './methods.ts';
import { evmSandbox } from './sandbox.ts';

export const evmRail: RailPlugin<EvmConfig> = {
  rail: 'evm',
  settings: 'COFFER_EVM_*',
  methods: EvmMethods.map((m) => m.spec),
  configure: ({ env, mode, file }) => file['evm'] !== undefined
    ? evmConfigFromSettings(file['evm'] as EvmSettings, mode)
    : evmConfigFromEnv(env, mode),
  async create(config, deps) {
    const { createEvmMethod } = await import('./evm-method.ts');
    return { adapter: await createEvmMethod(config, deps), specs: evmMethodSpecs(config) };
  },
  sandbox: evmSandbox,
};
