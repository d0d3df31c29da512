// The solana rail: usdc_solana by Solana Pay transfer requests (a random reference per invoice to
// the operator's one USDC token account), watch-only, credited at the configured commitment.

import type { MethodSpec } from '../../core/methods.ts';
import type { RailPlugin } from '../plugin.ts';
import { specOf } from '../plugin.ts';
import { SOLANA_METHOD_ID, solanaConfigFromEnv } from './config.ts';
import type { SolanaConfig } from './config.ts';
import { solanaSandbox } from './sandbox-target.ts';

const methods: readonly MethodSpec[] = [
  // Credited at the configured commitment, reported as 1 confirmation.
  { id: SOLANA_METHOD_ID, rail: 'solana', label: 'USDC (Solana)', asset: 'USDC', unitScale: 6, pricePrecision: 6, confirmations: 1, network: 'solana',
    contractAddress: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', uriScheme: 'solana',
    token: {
      term: 'token mint',
      warning: 'Send only {asset} of this mint, on {network}. Pay by scanning the QR code or opening the payment link in a Solana Pay wallet: the payment must carry this deposit\'s reference. A transfer typed in by hand to the address cannot be matched to this deposit.',
    } },
];

export const solanaRail: RailPlugin<SolanaConfig> = {
  rail: 'solana',
  settings: 'COFFER_SOLANA_*',
  methods,
  configure: ({ env, mode }) => solanaConfigFromEnv(env, mode),
  async create(config, deps) {
    const { createSolanaMethod } = await import('./solana-method.ts');
    const adapter = await createSolanaMethod(config, deps);
    // The network is the cluster, the contract the mint, as configured.
    return { adapter, specs: [{ ...specOf(methods, SOLANA_METHOD_ID), network: config.network, contractAddress: config.mint }] };
  },
  sandbox: solanaSandbox,
};
