// Proves the EVM configuration: defaults per mode, env overrides, and errors that name the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../core/errors.ts';
import { evmConfigFromEnv } from './config-env.ts';
import { evmConfigFromSettings, evmMethodSpecs } from './config.ts';
/** Account xpub (m/44'/60'/0') of the "abandon … about" mnemonic; address.test.ts checks its first address. */
const XPUB = 'xpub6DCoCpSuQZB2jawqnGMEPS63ePKWkwWPH4TU45Q7LPXWuNd8TMtVxRrgjtEshuqpK3mdhaWHPFsBngh5GFZaM6si3yZdUsT8ddYM3PwnATt';

function settingOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.setting;
  }
  assert.fail('expected a ConfigError');
}

// Without an xpub, or in sandbox mode, EVM methods are off (null), not an error.
test('not configured → null', () => {
  assert.equal(evmConfigFromEnv({}, 'live'), null);
  assert.equal(evmConfigFromEnv({ COFFER_EVM_XPUB: XPUB, COFFER_ETHEREUM_RPC_URL: 'http://x' }, 'sandbox'), null);
});

// Live mode: one Ethereum URL enables ETH, USDC and USDT on chain 1 with the mainnet contracts.
test('live defaults for chain 1 and Base', () => {
  const config = evmConfigFromEnv({
    COFFER_EVM_XPUB: XPUB, COFFER_ETHEREUM_RPC_URL: 'http://127.0.0.1:8545', COFFER_EVM_RPC_URL_8453: 'https://base.example',
  }, 'live');
  assert.ok(config !== null);
  assert.deepEqual(config.methods.map((m) => m.methodId), ['ethereum', 'eth_base', 'usdc_erc20', 'usdt_erc20', 'usdc_base']);
  assert.deepEqual(config.chains.map((c) => [c.chainId, c.confirmations, c.blockRangeMax]), [[1, 4, 100], [8453, 10, 100]]);
  const usdc = config.methods.find((m) => m.methodId === 'usdc_erc20');
  assert.equal(usdc?.token, '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48');
  assert.equal(usdc?.decimals, 6);
  const specs = evmMethodSpecs(config);
  assert.equal(specs.find((s) => s.id === 'usdc_base')?.contractAddress, '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913');
  assert.equal(config.walletId.startsWith('evm:'), true);
});

// Testnet: aliases map to Sepolia chain ids; mainnet token contracts are never assumed there.
test('testnet uses testnet chain ids and needs explicit tokens', () => {
  const config = evmConfigFromEnv({
    COFFER_EVM_XPUB: XPUB, COFFER_ETHEREUM_RPC_URL: 'http://n', COFFER_EVM_TOKEN_USDC_ERC20: '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238:6',
    COFFER_EVM_CONFIRMATIONS_11155111: '2',
  }, 'testnet');
  assert.deepEqual(config?.methods.map((m) => [m.methodId, m.chainId]), [['ethereum', 11155111], ['usdc_erc20', 11155111]]);
  assert.equal(config?.chains[0]?.confirmations, 2);
});

// Bad values fail at start with the offending variable named.
test('errors name the setting', () => {
  const base = { COFFER_EVM_XPUB: XPUB, COFFER_ETHEREUM_RPC_URL: 'http://n' };
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_XPUB: 'xprv9s21ZrQH143K' }, 'live')), 'COFFER_EVM_XPUB');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_XPUB: 'nonsense' }, 'live')), 'COFFER_EVM_XPUB');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_CONFIRMATIONS_1: 'four' }, 'live')), 'COFFER_EVM_CONFIRMATIONS_1');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_CONFIRMATIONS_1: '0' }, 'live')), 'COFFER_EVM_CONFIRMATIONS_1');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_TOKEN_USDC_ERC20: '0xabc' }, 'live')), 'COFFER_EVM_TOKEN_USDC_ERC20');
  // A mixed-case contract with a broken EIP-55 checksum is a typo.
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_TOKEN_USDC_ERC20: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB4B:6' }, 'live')), 'COFFER_EVM_TOKEN_USDC_ERC20');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_METHODS: 'usdc_base' }, 'live')), 'COFFER_EVM_RPC_URL_8453');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_METHODS: 'dogecoin' }, 'live')), 'COFFER_EVM_METHODS');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_RPC_URL_1: 'http://other' }, 'live')).startsWith('COFFER_'), true);
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_ETHEREUM_RPC_URL: 'ftp://n' }, 'live')), 'COFFER_ETHEREUM_RPC_URL');
  assert.equal(settingOf(() => evmConfigFromEnv({ COFFER_EVM_XPUB: XPUB }, 'live')), 'COFFER_EVM_RPC_URL_<CHAINID>');
  // regtest has no token defaults: listing a token method without its contract is refused.
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_METHODS: 'usdc_erc20' }, 'regtest')), 'COFFER_EVM_TOKEN_USDC_ERC20');
});

// The structured (config file) form names settings by path.
test('structured settings', () => {
  const config = evmConfigFromSettings({
    xpub: XPUB, chains: [{ chainId: 31337, rpcUrl: 'http://127.0.0.1:8545', confirmations: 1, blockRangeMax: 10 }],
    methods: [{ id: 'ethereum', chainId: 31337 }, { id: 'usdc_erc20', chainId: 31337, token: { contract: '0x5FbDB2315678afecb367f032d93F642f64180aa3', decimals: 6 } }],
  }, 'regtest');
  assert.deepEqual(config.chains.map((c) => [c.chainId, c.confirmations, c.blockRangeMax, c.hashWindow]), [[31337, 1, 10, 64]]);
  assert.equal(settingOf(() => evmConfigFromSettings({
    xpub: XPUB, chains: [{ chainId: 1, rpcUrl: 'http://n', blockRangeMax: 0 }],
  }, 'live')), 'evm.chains[chainId=1].blockRangeMax');
  assert.equal(settingOf(() => evmConfigFromSettings({
    xpub: XPUB, chains: [{ chainId: 31337, rpcUrl: 'http://n' }],
    methods: [{ id: 'ethereum', chainId: 31337 }, { id: 'eth_base', chainId: 31337 }],
  }, 'regtest')), 'evm.methods[id=eth_base].chainId');
});

// Finality and request presets: per chain, from either form, refused by name when wrong.
test('finality and provider presets', () => {
  const base = { COFFER_EVM_XPUB: XPUB, COFFER_ETHEREUM_RPC_URL: 'http://n', COFFER_EVM_METHODS: 'ethereum' };
  const config = evmConfigFromEnv({ ...base, COFFER_EVM_FINALITY_1: 'finalized', COFFER_EVM_PROVIDER_1: 'alchemy', COFFER_EVM_LOGS_RANGE_1: '10' }, 'live');
  assert.deepEqual(config?.chains.map((c) => [c.finality, c.provider, c.logsRangeInitial, c.batchSize, c.pollIntervalMs]), [['finalized', 'alchemy', 10, 50, 4000]]);
  const plain = evmConfigFromEnv(base, 'live');
  assert.deepEqual(plain?.chains.map((c) => [c.finality, c.provider, c.logsRangeInitial, c.batchSize]), [['confirmations', 'own-node', 5000, 100]]);
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_FINALITY_1: 'final' }, 'live')), 'COFFER_EVM_FINALITY_1');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_PROVIDER_1: 'llama' }, 'live')), 'COFFER_EVM_PROVIDER_1');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_BATCH_SIZE_1: '0' }, 'live')), 'COFFER_EVM_BATCH_SIZE_1');
  assert.equal(settingOf(() => evmConfigFromSettings({
    xpub: XPUB, chains: [{ chainId: 1, rpcUrl: 'http://n', confirmations: 1, finality: 'safe' }], methods: [{ id: 'ethereum' }],
  }, 'live')), 'evm.chains[chainId=1].confirmations');
});

// How ETH sent by contracts is found: auto by default, a chosen path per chain, refused by name when wrong.
test('forwarded-ETH path per chain', () => {
  const base = { COFFER_EVM_XPUB: XPUB, COFFER_ETHEREUM_RPC_URL: 'http://n', COFFER_EVM_METHODS: 'ethereum' };
  assert.equal(evmConfigFromEnv(base, 'live')?.chains[0]?.forwarded, 'auto');
  assert.equal(evmConfigFromEnv({ ...base, COFFER_EVM_FORWARDED_1: 'balances' }, 'live')?.chains[0]?.forwarded, 'balances');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_FORWARDED_1: 'multicall' }, 'live')), 'COFFER_EVM_FORWARDED_1');
  assert.equal(settingOf(() => evmConfigFromEnv({ ...base, COFFER_EVM_CONFIRMATIONS_1: '4x' }, 'live')), 'COFFER_EVM_CONFIRMATIONS_1');
  assert.equal(settingOf(() => evmConfigFromSettings({
    xpub: XPUB, chains: [{ chainId: 1, rpcUrl: 'http://n', forwarded: 'trace' as 'traces' }], methods: [{ id: 'ethereum' }],
  }, 'live')), 'evm.chains[chainId=1].forwarded');
});
