// Proves usdt_trc20 configuration: defaults, and every bad setting refused with its own name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { ConfigError } from '../../core/errors.ts';
import type { Mode } from '../../core/mode.ts';
import { TRON_ACCOUNT_PATH } from './address.ts';
import { TronChainIds, tronConfigFromEnv, USDT_MAINNET_CONTRACT } from './config.ts';

const ACCOUNT = HDKey.fromMasterSeed(sha256(utf8ToBytes('tron config test'))).derive(TRON_ACCOUNT_PATH);
const BASE = { COFFER_TRON_XPUB: ACCOUNT.publicExtendedKey, COFFER_TRON_RPC_URL: 'http://127.0.0.1:8545/jsonrpc' };

function refused(env: Record<string, string>, mode: Mode = 'live'): ConfigError {
  try {
    tronConfigFromEnv({ ...BASE, ...env }, mode);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error;
  }
  assert.fail('expected a ConfigError');
}

test('off without an xpub, and in sandbox mode', () => {
  assert.equal(tronConfigFromEnv({}, 'live'), null);
  assert.equal(tronConfigFromEnv(BASE, 'sandbox'), null);
});

test('live defaults: mainnet, its chain id, Tether\'s contract, 20 confirmations', () => {
  const config = tronConfigFromEnv(BASE, 'live');
  assert.ok(config !== null);
  assert.equal(config.network, 'mainnet');
  assert.equal(config.chainName, 'tron');
  assert.equal(config.expectedChainId, 0x2b6653dc);
  assert.equal(config.contractBase58, USDT_MAINNET_CONTRACT);
  assert.equal(config.contract, '0xa614f803b6fd780986a42c78ec9c7f77e6ded13c');
  assert.equal(config.chain.confirmations, 20);
  assert.equal(config.chain.finality, 'confirmations');
  assert.equal(config.apiKey, null);
  assert.equal(tronConfigFromEnv({ ...BASE, COFFER_TRON_API_KEY: ' 25f6e1b0-key ' }, 'live')?.apiKey, '25f6e1b0-key');
});

test('testnet defaults to Nile and needs its contract; hex contracts are accepted', () => {
  assert.equal(refused({}, 'testnet').setting, 'COFFER_TRON_USDT_CONTRACT');
  const config = tronConfigFromEnv({ ...BASE, COFFER_TRON_USDT_CONTRACT: '41a614f803b6fd780986a42c78ec9c7f77e6ded13c', COFFER_TRON_CONFIRMATIONS: '5' }, 'testnet');
  assert.ok(config !== null);
  assert.equal(config.network, 'nile');
  assert.equal(config.chainName, 'tron-nile');
  assert.equal(config.expectedChainId, TronChainIds.nile);
  assert.equal(config.contractBase58, USDT_MAINNET_CONTRACT);
  assert.equal(config.chain.confirmations, 5);
});

test('each bad setting is refused, naming it', () => {
  assert.equal(refused({ COFFER_TRON_XPUB: 'xpub-garbage' }).setting, 'COFFER_TRON_XPUB');
  assert.match(refused({ COFFER_TRON_XPUB: ACCOUNT.privateExtendedKey }).message, /private key/);
  assert.equal(refused({ COFFER_TRON_RPC_URL: '' }).setting, 'COFFER_TRON_RPC_URL');
  assert.equal(refused({ COFFER_TRON_RPC_URL: 'ftp://x' }).setting, 'COFFER_TRON_RPC_URL');
  // A one-character typo in the contract breaks its checksum.
  const typo = refused({ COFFER_TRON_USDT_CONTRACT: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u' });
  assert.equal(typo.setting, 'COFFER_TRON_USDT_CONTRACT');
  assert.match(typo.message, /base58check/);
  assert.equal(refused({ COFFER_TRON_NETWORK: 'nile' }).setting, 'COFFER_TRON_NETWORK');
  assert.equal(refused({ COFFER_TRON_NETWORK: 'mainnet' }, 'regtest').setting, 'COFFER_TRON_NETWORK');
  assert.equal(refused({ COFFER_TRON_CHAIN_ID: '3448148188' }).setting, 'COFFER_TRON_CHAIN_ID');
  assert.equal(refused({ COFFER_TRON_CONFIRMATIONS: '0' }).setting, 'COFFER_TRON_CONFIRMATIONS');
  assert.equal(refused({ COFFER_TRON_FINALITY: 'safe' }).setting, 'COFFER_TRON_FINALITY');
  assert.equal(refused({ COFFER_TRON_LOGS_RANGE: '6000' }).setting, 'COFFER_TRON_LOGS_RANGE');
  assert.equal(refused({ COFFER_TRON_BATCH_SIZE: '101' }).setting, 'COFFER_TRON_BATCH_SIZE');
  assert.equal(refused({ COFFER_TRON_API_KEY: 'two words' }).setting, 'COFFER_TRON_API_KEY');
});

test('regtest: a local network checks the chain id only when it is given', () => {
  const open = tronConfigFromEnv({ ...BASE, COFFER_TRON_USDT_CONTRACT: USDT_MAINNET_CONTRACT }, 'regtest');
  assert.equal(open?.expectedChainId, null);
  assert.equal(open?.chainName, 'tron-local');
  const pinned = tronConfigFromEnv({ ...BASE, COFFER_TRON_USDT_CONTRACT: USDT_MAINNET_CONTRACT, COFFER_TRON_CHAIN_ID: '728126428' }, 'regtest');
  assert.equal(pinned?.expectedChainId, 728126428);
});
