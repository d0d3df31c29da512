// Proves the Solana configuration reads its settings, applies the cluster's USDC mint, and refuses bad input naming the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../core/errors.ts';
import { solanaConfigFromEnv } from './config.ts';

const OWNER = 'mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN';
const base = { COFFER_SOLANA_RPC_URL: 'http://127.0.0.1:8899', COFFER_SOLANA_OWNER: OWNER };

function refused(env: Record<string, string>, mode: 'live' | 'testnet' | 'regtest', setting: string): void {
  assert.throws(() => solanaConfigFromEnv(env, mode), (e: unknown) => e instanceof ConfigError && e.setting === setting);
}

test('off without an RPC URL, and in sandbox mode', () => {
  assert.equal(solanaConfigFromEnv({ COFFER_SOLANA_OWNER: OWNER }, 'live'), null);
  assert.equal(solanaConfigFromEnv(base, 'sandbox'), null);
});

test('defaults: mainnet-beta, Circle USDC, finalized in live mode; devnet mint in testnet mode', () => {
  const live = solanaConfigFromEnv(base, 'live');
  assert.equal(live?.cluster, 'mainnet-beta');
  assert.equal(live?.network, 'solana');
  assert.equal(live?.mint, 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v');
  assert.equal(live?.commitment, 'finalized');
  assert.equal(live?.owner, OWNER);
  assert.equal(live?.tokenAccount, null);
  const dev = solanaConfigFromEnv({ ...base, COFFER_SOLANA_COMMITMENT: 'confirmed' }, 'testnet');
  assert.equal(dev?.cluster, 'devnet');
  assert.equal(dev?.network, 'solana-devnet');
  assert.equal(dev?.mint, '4zMMC9srt5Ri5X14GAgXhaHii3GnPAEERYPJgZJDncDU');
  assert.equal(dev?.commitment, 'confirmed');
});

test('bad settings stop start-up naming the setting', () => {
  refused({ ...base, COFFER_SOLANA_OWNER: '0x1234' }, 'live', 'COFFER_SOLANA_OWNER');
  refused({ ...base, COFFER_SOLANA_TOKEN_ACCOUNT: 'not-a-key' }, 'live', 'COFFER_SOLANA_TOKEN_ACCOUNT');
  refused({ ...base, COFFER_SOLANA_USDC_MINT: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGG' }, 'live', 'COFFER_SOLANA_USDC_MINT');
  refused({ COFFER_SOLANA_RPC_URL: 'http://x' }, 'live', 'COFFER_SOLANA_OWNER');
  refused({ ...base, COFFER_SOLANA_RPC_URL: 'ftp://x' }, 'live', 'COFFER_SOLANA_RPC_URL');
  refused({ ...base, COFFER_SOLANA_CLUSTER: 'devnet' }, 'live', 'COFFER_SOLANA_CLUSTER');
  refused({ ...base, COFFER_SOLANA_CLUSTER: 'mainnet-beta' }, 'testnet', 'COFFER_SOLANA_CLUSTER');
  refused({ ...base, COFFER_SOLANA_CLUSTER: 'moon' }, 'live', 'COFFER_SOLANA_CLUSTER');
  refused({ ...base, COFFER_SOLANA_COMMITMENT: 'processed' }, 'live', 'COFFER_SOLANA_COMMITMENT');
  refused(base, 'regtest', 'COFFER_SOLANA_USDC_MINT');
  refused({ ...base, COFFER_SOLANA_POLL_INTERVAL_MS: 'soon' }, 'live', 'COFFER_SOLANA_POLL_INTERVAL_MS');
});
