// createTronMethod refuses to start against a wrong or unreachable node, or a contract that is not
// a 6-decimal token, naming the setting (EDR at Tron mainnet's chain id stands in for java-tron).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { ConfigError } from '../src/core/errors.ts';
import { silentLogger } from '../src/core/logger.ts';
import { systemClock } from '../src/core/clock.ts';
import { TRON_ACCOUNT_PATH, tronFromHex } from '../src/methods/tron/address.ts';
import { TronChainIds, tronConfigFromEnv } from '../src/methods/tron/config.ts';
import { createTronMethod } from '../src/methods/tron/tron-method.ts';
import { startEvmNode } from './support/evm-node.ts';
import type { EvmNode } from './support/evm-node.ts';
import { deploySpoofer, deployToken } from './support/evm-chain.ts';
import { closedPort, configErrorOf } from './support/start-refusal.ts';

const XPUB = HDKey.fromMasterSeed(sha256(utf8ToBytes('tron start test'))).derive(TRON_ACCOUNT_PATH).publicExtendedKey;
const deps = { clock: systemClock, log: silentLogger };

let node: EvmNode;
let token6: string;
let token18: string;
let notToken: string;

before(async () => {
  node = await startEvmNode({ chainId: TronChainIds.mainnet });
  token6 = tronFromHex(await deployToken(node, 'USDT', 6));
  token18 = tronFromHex(await deployToken(node, 'USDT', 18));
  notToken = tronFromHex(await deploySpoofer(node));
});
after(async () => { await node.close(); });

async function startError(env: Record<string, string>): Promise<ConfigError> {
  const config = tronConfigFromEnv({ COFFER_TRON_XPUB: XPUB, COFFER_TRON_RPC_URL: node.url, COFFER_TRON_USDT_CONTRACT: token6, ...env }, 'regtest');
  assert.ok(config !== null);
  return configErrorOf(createTronMethod(config, deps));
}

test('a node on another chain id is refused', async () => {
  const error = await startError({ COFFER_TRON_CHAIN_ID: String(TronChainIds.nile) });
  assert.equal(error.setting, 'COFFER_TRON_RPC_URL');
  assert.match(error.message, /chain id 728126428 \(0x2b6653dc\), expected 3448148188/);
});

test('an unreachable node is refused', async () => {
  const error = await startError({ COFFER_TRON_RPC_URL: `http://127.0.0.1:${await closedPort()}/jsonrpc` });
  assert.equal(error.setting, 'COFFER_TRON_RPC_URL');
  assert.match(error.message, /cannot reach/);
});

test('a contract that is not a 6-decimal token is refused', async () => {
  const account = await startError({ COFFER_TRON_USDT_CONTRACT: tronFromHex(node.accounts[1] as string) });
  assert.equal(account.setting, 'COFFER_TRON_USDT_CONTRACT');
  assert.match(account.message, /no contract/);
  const wrongDecimals = await startError({ COFFER_TRON_USDT_CONTRACT: token18 });
  assert.equal(wrongDecimals.setting, 'COFFER_TRON_USDT_CONTRACT');
  assert.match(wrongDecimals.message, /not a 6-decimal token \(decimals\(\) 18\)/);
  const noDecimals = await startError({ COFFER_TRON_USDT_CONTRACT: notToken });
  assert.match(noDecimals.message, /not a 6-decimal token \(decimals\(\) has no answer\)/);
});

test('a good configuration starts and hands out T… addresses keyed by their hex; the API key goes on every request', async () => {
  const config = tronConfigFromEnv({
    COFFER_TRON_XPUB: XPUB, COFFER_TRON_RPC_URL: node.url, COFFER_TRON_USDT_CONTRACT: token6, COFFER_TRON_CHAIN_ID: String(TronChainIds.mainnet),
    COFFER_TRON_API_KEY: 'test-api-key',
  }, 'regtest');
  assert.ok(config !== null);
  const sent: (string | null)[] = [];
  const spy: typeof fetch = (input, init) => {
    sent.push(new Headers(init?.headers).get('TRON-PRO-API-KEY'));
    return fetch(input, init);
  };
  const adapter = await createTronMethod(config, { ...deps, fetch: spy });
  assert.ok(sent.length >= 3, 'chain id, code and decimals were asked');
  assert.ok(sent.every((key) => key === 'test-api-key'), String(sent));
  assert.equal(adapter.chainId, TronChainIds.mainnet);
  assert.deepEqual(adapter.methodIds, ['usdt_trc20']);
  let n = 0;
  const indexes = { next: async () => n++ };
  const spec = { id: 'usdt_trc20', rail: 'tron', label: 'USDT (Tron, TRC-20)', asset: 'USDT' as const, unitScale: 6, pricePrecision: 6, confirmations: 20, network: 'tron-local' };
  const request = { invoiceId: 'i', method: spec, priceUnits: 1_000_000n, expiresAt: new Date(Date.now() + 60_000), description: 'd' };
  const a = await adapter.createTarget(request, indexes);
  const b = await adapter.createTarget(request, indexes);
  assert.match(a.address, /^T[1-9A-HJ-NP-Za-km-z]{33}$/);
  assert.notEqual(a.address, b.address);
  assert.match(a.targetKey, /^0x[0-9a-f]{40}$/);
  assert.equal(tronFromHex(a.targetKey), a.address);
  assert.deepEqual([a.derivationIndex, b.derivationIndex], [0, 1]);
});
