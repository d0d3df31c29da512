// The EVM watcher against real in-process EDR nodes (chain 1 and chain 8453) over HTTP JSON-RPC:
// what it reports, what it refuses (ADVERSARIAL 11–16), reorgs, restart and outage catch-up.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Hex } from 'viem';
import type { Observation } from '../src/core/observation.ts';
import type { Watcher } from '../src/core/payment-method.ts';
import { MemoryWatcherContext } from './support/memory-watcher-context.ts';
import { startEvmFixture, watchTarget } from './support/evm-fixture.ts';
import type { EvmFixture } from './support/evm-fixture.ts';
import {
  payEth, payToken, payTokenTwice, receiptOf, sendRaw, signedTx, spoofTransfer, transferCall,
} from './support/evm-chain.ts';

let fx: EvmFixture;
let ctx: MemoryWatcherContext;
let watcher: Watcher;

before(async () => {
  fx = await startEvmFixture();
  ctx = new MemoryWatcherContext();
  watcher = fx.adapter.createWatcher?.(ctx) as Watcher;
  await watcher.start();
});

after(async () => {
  await watcher.stop();
  await fx.close();
});

const CONF = 4;

function forTarget(targetKey: string): Observation[] {
  return ctx.emitted.filter((o) => o.targetKey === targetKey);
}

async function confirmedWith(paymentKey: string, confirmations = CONF): Promise<Observation> {
  await ctx.waitFor((c) => {
    const o = c.latest.get(paymentKey);
    return o !== undefined && o.state === 'confirmed' && o.confirmations >= confirmations;
  });
  return ctx.latest.get(paymentKey) as Observation;
}

/** A payment in a later block is seen only after every earlier block was processed. */
async function sentinel(chain: 'l1' | 'base' = 'l1'): Promise<void> {
  const node = chain === 'l1' ? fx.l1 : fx.base;
  const target = await watchTarget(fx, ctx, chain === 'l1' ? 'ethereum' : 'eth_base');
  const tx = await payEth(node, target.address, 1n);
  await confirmedWith(`${node.chainId}:${tx}:native`, 1);
}

// A plain ETH payment is reported under chainId:txhash:native with exact wei, block and count.
test('ETH payment to a deposit address', async () => {
  const target = await watchTarget(fx, ctx, 'ethereum', 500_000_000_000_000_000n);
  assert.match(target.uri, /^ethereum:0x[0-9a-fA-F]{40}@1\?value=500000000000000000$/);
  assert.equal(target.targetKey, target.address.toLowerCase());
  const tx = await payEth(fx.l1, target.address, 500_000_000_000_000_000n);
  await fx.l1.mine(CONF - 1);
  const seen = await confirmedWith(`1:${tx}:native`);
  const receipt = await receiptOf(fx.l1, tx);
  assert.equal(seen.methodId, 'ethereum');
  assert.equal(seen.amountUnits, 500_000_000_000_000_000n);
  assert.equal(seen.targetKey, target.targetKey);
  assert.equal(seen.blockHash, receipt.blockHash);
  assert.equal(seen.blockHeight, Number(receipt.blockNumber));
  const health = fx.adapter.health();
  assert.equal(health.ok, true);
});

// A USDC Transfer from the configured contract is reported with chainId:txhash:<index in tx>.
test('token payment to a deposit address', async () => {
  const target = await watchTarget(fx, ctx, 'usdc_erc20', 12_500_000n);
  assert.equal(target.uri, `ethereum:${(await import('../src/methods/evm/address.ts')).toChecksumAddress(fx.usdc)}@1/transfer?address=${target.address}&uint256=12500000`);
  const tx = await payToken(fx.l1, fx.usdc, target.address, 12_500_000n);
  await fx.l1.mine(CONF - 1);
  const seen = await confirmedWith(`1:${tx}:0`);
  assert.equal(seen.methodId, 'usdc_erc20');
  assert.equal(seen.amountUnits, 12_500_000n);
  assert.equal(seen.confirmations >= CONF, true);
});

// USDC and USDT to one address are two payments, each under the method of the asset that arrived.
test('two tokens on one address', async () => {
  const target = await watchTarget(fx, ctx, 'usdc_erc20');
  const a = await payToken(fx.l1, fx.usdc, target.address, 3_000_000n);
  const b = await payToken(fx.l1, fx.usdt, target.address, 4_000_000n);
  await fx.l1.mine(CONF);
  const oa = await confirmedWith(`1:${a}:0`);
  const ob = await confirmedWith(`1:${b}:0`);
  assert.deepEqual([oa.methodId, oa.amountUnits], ['usdc_erc20', 3_000_000n]);
  assert.deepEqual([ob.methodId, ob.amountUnits], ['usdt_erc20', 4_000_000n]);
  assert.equal(new Set(forTarget(target.targetKey).map((o) => o.paymentKey)).size, 2);
});

// One transaction paying two deposits gives two payments with distinct keys (ADVERSARIAL 12).
test('one transaction paying two deposit addresses', async () => {
  const t1 = await watchTarget(fx, ctx, 'usdc_erc20');
  const t2 = await watchTarget(fx, ctx, 'usdc_erc20');
  const tx = await payTokenTwice(fx.l1, fx.usdc, t1.address, 1_000_000n, t2.address, 2_000_000n);
  await fx.l1.mine(CONF - 1);
  assert.equal((await confirmedWith(`1:${tx}:0`)).targetKey, t1.targetKey);
  assert.equal((await confirmedWith(`1:${tx}:1`)).targetKey, t2.targetKey);
});

// A transaction with status 0 sending ETH (or failing a token transfer) to a deposit: nothing.
test('failed transactions to a deposit address are not payments', async () => {
  const target = await watchTarget(fx, ctx, 'ethereum');
  // Code at the address that always reverts makes a value transfer to it fail on chain.
  await fx.l1.request('hardhat_setCode', [target.address, '0x60006000fd']);
  const tx = await payEth(fx.l1, target.address, 10n ** 18n);
  assert.equal((await receiptOf(fx.l1, tx)).status, '0x0');
  const tokenTarget = await watchTarget(fx, ctx, 'usdc_erc20');
  const poor = fx.l1.accounts[2] as Hex;
  const failing = await fx.l1.request<Hex>('eth_sendTransaction', [{ from: poor, to: fx.usdc, data: transferCall(tokenTarget.address, 10n ** 30n), gas: '0x30d40' }]);
  assert.equal((await receiptOf(fx.l1, failing)).status, '0x0');
  await fx.l1.mine(CONF);
  await sentinel();
  assert.deepEqual(forTarget(target.targetKey), []);
  assert.deepEqual(forTarget(tokenTarget.targetKey), []);
});

// A token with the same symbol and decimals from another contract is not USDC (ADVERSARIAL 14).
test('look-alike token is ignored', async () => {
  const target = await watchTarget(fx, ctx, 'usdc_erc20');
  await payToken(fx.l1, fx.fakeUsdc, target.address, 50_000_000n);
  await fx.l1.mine(CONF);
  await sentinel();
  assert.deepEqual(forTarget(target.targetKey), []);
});

// A contract emitting a Transfer that names our address is no deposit (ADVERSARIAL 15).
test('spoofed Transfer event is ignored', async () => {
  const target = await watchTarget(fx, ctx, 'usdc_erc20');
  await spoofTransfer(fx.l1, fx.spoofer, fx.l1.accounts[0] as Hex, target.address, 99_000_000n);
  await fx.l1.mine(CONF);
  await sentinel();
  assert.deepEqual(forTarget(target.targetKey), []);
});

// The same address paid on another chain id is not this deposit (ADVERSARIAL 16), while the
// Base chain's own methods are watched on Base.
test('payment on another chain id is ignored', async () => {
  const target = await watchTarget(fx, ctx, 'ethereum');
  await payEth(fx.base, target.address, 10n ** 17n);
  const baseTarget = await watchTarget(fx, ctx, 'usdc_base');
  const tx = await payToken(fx.base, fx.baseUsdc, baseTarget.address, 7_000_000n);
  await fx.base.mine(CONF);
  const seen = await confirmedWith(`8453:${tx}:0`);
  assert.equal(seen.methodId, 'usdc_base');
  await sentinel('base');
  assert.deepEqual(forTarget(target.targetKey), []);
});

// A payment reorged out before its confirmations goes back to seen, then gone when it stays absent.
test('reorg before confirmations: seen, then gone', async () => {
  const target = await watchTarget(fx, ctx, 'usdc_erc20');
  const snapshot = await fx.l1.request<Hex>('evm_snapshot');
  const tx = await payToken(fx.l1, fx.usdc, target.address, 5_000_000n);
  await fx.l1.mine(1);
  const key = `1:${tx}:0`;
  await confirmedWith(key, 2);
  await fx.l1.request('evm_revert', [snapshot]);
  await fx.l1.mine(3);
  await ctx.waitFor((c) => c.latest.get(key)?.state === 'seen');
  assert.equal(ctx.latest.get(key)?.confirmations, 0);
  await fx.l1.mine(3);
  await ctx.waitFor((c) => c.latest.get(key)?.state === 'gone');
  assert.equal(forTarget(target.targetKey).some((o) => o.paymentKey !== key), false);
});

// A payment reorged out after reaching its confirmations and re-mined in another block keeps its
// key (no second payment) and is reported with its new block (ADVERSARIAL 11).
test('reorg after confirmations, re-mined in another block', async () => {
  const target = await watchTarget(fx, ctx, 'usdc_erc20');
  const raw = await signedTx(fx.l1, 1, { to: fx.usdc, data: transferCall(target.address, 8_000_000n) });
  const snapshot = await fx.l1.request<Hex>('evm_snapshot');
  const tx = await sendRaw(fx.l1, raw);
  await fx.l1.mine(CONF);
  const key = `1:${tx}:0`;
  const first = await confirmedWith(key);
  await fx.l1.request('evm_revert', [snapshot]);
  await fx.l1.mine(2);
  assert.equal(await sendRaw(fx.l1, raw), tx);
  await fx.l1.mine(CONF);
  await ctx.waitFor((c) => {
    const o = c.latest.get(key);
    return o !== undefined && o.state === 'confirmed' && o.blockHash !== first.blockHash && o.confirmations >= CONF;
  });
  const now = ctx.latest.get(key) as Observation;
  assert.equal(now.blockHash, (await receiptOf(fx.l1, tx)).blockHash);
  assert.notEqual(now.blockHeight, first.blockHeight);
  assert.deepEqual([...new Set(forTarget(target.targetKey).map((o) => o.paymentKey))], [key]);
});

// Payments made while the watcher is stopped, or while the node is unreachable, are found by
// catch-up from the last processed block; an outage shows as unhealthy meanwhile.
test('restart and outage catch-up', async () => {
  await watcher.stop();
  const target = await watchTarget(fx, ctx, 'usdt_erc20');
  const tx = await payToken(fx.l1, fx.usdt, target.address, 9_000_000n);
  await fx.l1.mine(10);
  watcher = fx.adapter.createWatcher?.(ctx) as Watcher;
  await watcher.start();
  assert.equal((await confirmedWith(`1:${tx}:0`, 11)).amountUnits, 9_000_000n);

  fx.l1.setOnline(false);
  const ethTarget = await watchTarget(fx, ctx, 'ethereum');
  const ethTx = await payEth(fx.l1, ethTarget.address, 123n);
  await fx.l1.mine(CONF);
  await ctx.waitFor(() => fx.adapter.health().ok === false);
  assert.match(fx.adapter.health().detail ?? '', /chain 1/);
  fx.l1.setOnline(true);
  await confirmedWith(`1:${ethTx}:native`);
  await ctx.waitFor(() => fx.adapter.health().ok === true);
});
