// createEvmMethod refuses to start against a wrong or unreachable backend, naming the setting.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigError } from '../src/core/errors.ts';
import { silentLogger } from '../src/core/logger.ts';
import { systemClock } from '../src/core/clock.ts';
import { ManualClock } from '../src/core/clock.ts';
import type { Watcher } from '../src/core/payment-method.ts';
import { evmConfigFromEnv } from '../src/methods/evm/config-env.ts';
import { evmConfigFromSettings } from '../src/methods/evm/config.ts';
import { MemoryWatcherContext } from './support/memory-watcher-context.ts';
import { createEvmMethod } from '../src/methods/evm/evm-method.ts';
import { startEvmNode } from './support/evm-node.ts';
import type { EvmNode } from './support/evm-node.ts';
import { deployToken } from './support/evm-chain.ts';
import { testXpub } from './support/evm-fixture.ts';
import { closedPort, configErrorOf } from './support/start-refusal.ts';

let node: EvmNode;
let token18: string;
let token6: string;
const deps = { clock: systemClock, log: silentLogger };

before(async () => {
  node = await startEvmNode({ chainId: 1 });
  token6 = await deployToken(node, 'USDC', 6);
  token18 = await deployToken(node, 'USDC', 18);
});
after(async () => { await node.close(); });

async function startError(env: Record<string, string>): Promise<ConfigError> {
  const config = evmConfigFromEnv({ COFFER_EVM_XPUB: testXpub(), ...env }, 'regtest');
  assert.ok(config !== null);
  return configErrorOf(createEvmMethod(config, deps));
}

// The node answers with another chain id than configured: refused.
test('chain id mismatch', async () => {
  const error = await startError({ COFFER_EVM_RPC_URL_8453: node.url, COFFER_EVM_METHODS: 'eth_base' });
  assert.equal(error.setting, 'COFFER_EVM_RPC_URL_8453');
  assert.match(error.message, /chain id 1, expected 8453/);
});

// Nothing listens at the URL: refused with the URL's setting.
test('unreachable RPC', async () => {
  const error = await startError({ COFFER_ETHEREUM_RPC_URL: `http://127.0.0.1:${await closedPort()}`, COFFER_EVM_METHODS: 'ethereum' });
  assert.equal(error.setting, 'COFFER_ETHEREUM_RPC_URL');
  assert.match(error.message, /cannot reach/);
});

// A token whose decimals() differ from configuration, or an address without code: refused.
test('token contract checks', async () => {
  const wrong = await startError({ COFFER_ETHEREUM_RPC_URL: node.url, COFFER_EVM_METHODS: 'usdc_erc20', COFFER_EVM_TOKEN_USDC_ERC20: `${token18}:6` });
  assert.equal(wrong.setting, 'COFFER_EVM_TOKEN_USDC_ERC20');
  assert.match(wrong.message, /decimals 18, configured 6/);
  const empty = await startError({ COFFER_ETHEREUM_RPC_URL: node.url, COFFER_EVM_METHODS: 'usdc_erc20', COFFER_EVM_TOKEN_USDC_ERC20: `${node.accounts[1]}:6` });
  assert.match(empty.message, /no contract/);
});

// A correct configuration starts and reports the methods it serves.
test('good configuration starts', async () => {
  const config = evmConfigFromEnv({ COFFER_EVM_XPUB: testXpub(), COFFER_ETHEREUM_RPC_URL: node.url, COFFER_EVM_TOKEN_USDC_ERC20: `${token6}:6` }, 'regtest');
  assert.ok(config !== null);
  const adapter = await createEvmMethod(config, deps);
  assert.deepEqual(adapter.methodIds, ['ethereum', 'usdc_erc20']);
});

// A chain whose head stops moving for longer than staleAfterMs is reported unhealthy (/readyz),
// and healthy again once blocks arrive.
test('stale chain is unhealthy', async () => {
  const config = evmConfigFromSettings({
    xpub: testXpub(), chains: [{ chainId: 1, rpcUrl: node.url, staleAfterMs: 60_000, pollIntervalMs: 20 }], methods: [{ id: 'ethereum' }],
  }, 'regtest');
  const adapter = await createEvmMethod(config, deps);
  const clock = new ManualClock();
  const ctx = new MemoryWatcherContext(clock);
  const watcher = adapter.createWatcher?.(ctx) as Watcher;
  await watcher.start();
  try {
    await ctx.waitFor((c) => c.health.at(-1)?.ok === true);
    clock.advance(120_000);
    await ctx.waitFor((c) => c.health.at(-1)?.ok === false);
    assert.match(adapter.health().detail ?? '', /no new block/);
    await node.mine(1);
    await ctx.waitFor((c) => c.health.at(-1)?.ok === true);
    assert.equal(adapter.health().height, await node.blockNumber());
  } finally {
    await watcher.stop();
  }
});
