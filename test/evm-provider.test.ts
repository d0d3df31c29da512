// The EVM follower against provider-shaped limits, on a real EDR node behind a front that refuses
// what Alchemy, Infura, QuickNode and public endpoints refuse (their real error shapes): it adapts
// (smaller getLogs ranges, smaller batches, waits on 429) and credits every payment exactly once;
// errors are classified from the providers' real messages; bad answers (garbage, a log from
// another contract, a malformed log) are logged with their source and never credited.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Hex } from 'viem';
import type { Logger } from '../src/core/logger.ts';
import type { Watcher } from '../src/core/payment-method.ts';
import { systemClock } from '../src/core/clock.ts';
import { AdaptiveSize, RemoteFailureKind } from '../src/methods/request-policy.ts';
import { readRangeAdaptive } from '../src/methods/evm/adaptive-range.ts';
import { evmConfigFromSettings } from '../src/methods/evm/config.ts';
import { createEvmMethod } from '../src/methods/evm/evm-method.ts';
import { JsonRpcError } from '../src/methods/evm/json-rpc.ts';
import { classifyRpcFailure, statedRangeLimit } from '../src/methods/evm/rpc-errors.ts';
import { TRANSFER_TOPIC, addressTopic } from '../src/methods/evm/erc20.ts';
import { MemoryWatcherContext } from './support/memory-watcher-context.ts';
import { startEvmNode } from './support/evm-node.ts';
import type { EvmNode } from './support/evm-node.ts';
import { deployToken, payEth, payToken } from './support/evm-chain.ts';
import { testXpub } from './support/evm-fixture.ts';
import { startProviderFront } from './support/evm-provider-front.ts';
import type { ProviderFront, ProviderShape } from './support/evm-provider-front.ts';

describe('provider errors, classified from their real messages', () => {
  test('too large, rate limited, time-out, unavailable, or a real answer', () => {
    const cases: [number | undefined, number | undefined, string, RemoteFailureKind | null][] = [
      [undefined, -32005, 'query returned more than 10000 results', 'too_large'],
      [undefined, -32602, 'range 1000000 exceeds limit of 10000', 'too_large'],
      [undefined, -32600, 'You can make eth_getLogs requests with up to a 500 block range. Based on your parameters, this block range should work: [0x123c9b2, 0x123cba5]', 'too_large'],
      [undefined, -32602, 'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response.', 'too_large'],
      [undefined, -32614, 'eth_getLogs is limited to a 10,000 range', 'too_large'],
      [undefined, -32000, 'query exceeds max results 20000, retry with the range 24383075-24383096', 'too_large'],
      [undefined, -32000, 'block range is bigger than maxBlockRange', 'too_large'],
      [undefined, -32600, 'batch too large', 'too_large'],
      [undefined, -32003, 'response too large', 'too_large'],
      [413, undefined, 'HTTP 413 Payload Too Large', 'too_large'],
      [429, undefined, 'HTTP 429', 'rate_limited'],
      [undefined, 429, 'Your app has exceeded its compute units per second capacity.', 'rate_limited'],
      [undefined, -32005, 'project ID request rate exceeded', 'rate_limited'],
      [undefined, -32005, 'query timeout exceeded', 'too_large'],
      [undefined, -32002, 'request timed out', 'timeout'],
      [503, undefined, 'HTTP 503', 'unavailable'],
      [undefined, 3, 'execution reverted', null],
      [undefined, -32601, 'the method debug_traceBlockByNumber does not exist/is not available', null],
    ];
    for (const [httpStatus, code, message, kind] of cases) {
      assert.equal(classifyRpcFailure({ httpStatus, code, message }), kind, message);
    }
  });

  test('a limit or range the provider names is read from its message', () => {
    assert.deepEqual(statedRangeLimit('You can make eth_getLogs requests with up to a 10 block range. Based on your parameters, this block range should work: [0x10, 0x19]'),
      { maxBlocks: 10, suggested: { from: 16, to: 25 } });
    assert.deepEqual(statedRangeLimit('Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size').maxBlocks, 2000);
    assert.equal(statedRangeLimit('range 1000000 exceeds limit of 10000').maxBlocks, 10_000);
    assert.equal(statedRangeLimit('eth_getLogs is limited to a 10,000 range').maxBlocks, 10_000);
    assert.deepEqual(statedRangeLimit('query exceeds max results 20000, retry with the range 24383075-24383096'),
      { maxBlocks: null, suggested: { from: 24383075, to: 24383096 } });
    assert.deepEqual(statedRangeLimit('query returned more than 10000 results'), { maxBlocks: null, suggested: null });
  });

  test('a range read splits until it fits, caps at a stated limit, and never resends the same shape', async () => {
    const size = new AdaptiveSize({ initial: 1000, min: 1, max: 10_000 });
    const asked: number[] = [];
    const read = async (from: number, to: number): Promise<number[]> => {
      asked.push(to - from + 1);
      if (to - from + 1 > 10) throw new JsonRpcError('eth_getLogs', `range ${to - from + 1} exceeds limit of 10`, -32602);
      return [from];
    };
    const got = await readRangeAdaptive(1, 100, size, read);
    assert.equal(got.length, 10);
    assert.deepEqual(asked.slice(0, 2), [100, 10]);
    assert.equal(size.value, 10);
    // A refusal even at one block is thrown after log2 halvings, not retried forever.
    const never = new AdaptiveSize({ initial: 64, min: 1, max: 64 });
    let calls = 0;
    await assert.rejects(readRangeAdaptive(1, 64, never, async () => {
      calls += 1;
      throw new JsonRpcError('eth_getLogs', 'query returned more than 10000 results', -32005);
    }));
    assert.equal(calls, 7);
  });
});

const SHAPES: readonly { shape: ProviderShape; batchRefusal: '413' | 'geth'; retryAfter: string; rateLimitEvery: number }[] = [
  { shape: 'alchemy', batchRefusal: '413', retryAfter: '1', rateLimitEvery: 40 },
  { shape: 'infura', batchRefusal: 'geth', retryAfter: '0', rateLimitEvery: 9 },
  { shape: 'quicknode', batchRefusal: '413', retryAfter: '0', rateLimitEvery: 9 },
  { shape: 'public', batchRefusal: 'geth', retryAfter: '0', rateLimitEvery: 9 },
];

describe('following through a provider-shaped front', () => {
  let node: EvmNode;
  let usdc: Hex;
  let start: number;
  const payees: string[] = [];
  const payments = new Map<string, bigint>();

  before(async () => {
    node = await startEvmNode({ chainId: 1 });
    usdc = await deployToken(node, 'USDC', 6);
    start = (await node.blockNumber()) + 1;
    // 60 blocks: a token payment every 6th block, an ETH payment every 10th, traffic between.
    for (let i = 0; i < 60; i++) {
      const payee = `0x${randomBytes(20).toString('hex')}`;
      if (i % 6 === 0) {
        payees.push(payee);
        payments.set(`1:${await payToken(node, usdc, payee, 1_000n + BigInt(i))}:0`, 1_000n + BigInt(i));
      } else if (i % 10 === 1) {
        payees.push(payee);
        payments.set(`1:${await payEth(node, payee, 10n ** 12n + BigInt(i))}:native`, 10n ** 12n + BigInt(i));
      } else {
        await payEth(node, payee, 1n);
      }
    }
  });
  after(async () => { await node.close(); });

  for (const { shape, batchRefusal, retryAfter, rateLimitEvery } of SHAPES) {
    test(`${shape}: ranges over 10 blocks and batches over 5 calls refused, 429 (Retry-After: ${retryAfter}) every ${rateLimitEvery}th request — every payment credited once`, async () => {
      // Proves the stuck follower is gone: refused ranges and batches are split, 429 waited out, and nothing is missed or doubled.
      const front = await startProviderFront({ upstream: node.url, shape, logsRangeMax: 10, batchMax: 5, batchRefusal, rateLimitEvery, retryAfter });
      const { watcher, ctx, adapter } = await follow(front, usdc, start, payees);
      try {
        await ctx.waitFor((c) => [...payments.keys()].every((k) => c.latest.get(k)?.state === 'confirmed'), 60_000);
        for (const [key, amount] of payments) assert.equal(ctx.latest.get(key)?.amountUnits, amount, key);
        const keys = ctx.emitted.filter((o) => o.confirmations === 1).map((o) => o.paymentKey);
        assert.equal(new Set(keys).size, keys.length, 'a payment was first reported twice');
        assert.equal(new Set(ctx.emitted.map((o) => o.paymentKey)).size, payments.size);
        assert.ok(front.refused.logsRange > 0, 'no range was refused');
        assert.ok(front.refused.batch > 0, 'no batch was refused');
        assert.ok(front.refused.rateLimited > 0, 'no request was rate limited');
        // The batch size grows back after successes (and is refused again past 5): not asserted.
        assert.ok((adapter.readers.get(1)?.rpc.batchSize.value ?? 0) >= 1);
      } finally {
        await watcher.stop();
        await front.close();
      }
    });
  }

  test('garbage, a log from another contract and a malformed log: logged with their source, never credited, the watcher goes on', async () => {
    // Proves bad node input never credits and never stops following: each is logged naming the node, and the real payments still arrive once.
    const front = await startProviderFront({ upstream: node.url, shape: 'public', logsRangeMax: 1_000 });
    const warnings: { fields: Record<string, unknown>; message: string }[] = [];
    const log = capture(warnings);
    const stranger = `0x${randomBytes(20).toString('hex')}`;
    const victim = payees[0] as string;
    const { watcher, ctx } = await follow(front, usdc, start, payees, log, () => {
      front.garbage(2);
      // The node's real logs plus one from another contract, to a watched address.
      front.tamper('eth_getLogs', (call, result) => {
        const filter = (call.params?.[0] ?? {}) as { fromBlock: string };
        const fake = { blockNumber: filter.fromBlock, blockHash: `0x${'ab'.repeat(32)}`, transactionHash: `0x${'cd'.repeat(32)}`, logIndex: '0x0', removed: false };
        return [...(result as unknown[]), { ...fake, address: stranger, topics: [TRANSFER_TOPIC, addressTopic(stranger), addressTopic(victim)], data: `0x${'00'.repeat(31)}ff` }];
      }, 1);
      // Then a log that is not a log at all.
      front.tamper('eth_getLogs', (_call, result) => [...(result as unknown[]), { address: usdc, topics: 'not a list' }], 1);
    });
    try {
      await ctx.waitFor((c) => [...payments.keys()].every((k) => c.latest.get(k)?.state === 'confirmed'), 60_000);
      assert.equal(new Set(ctx.emitted.map((o) => o.paymentKey)).size, payments.size);
      assert.ok(ctx.emitted.every((o) => payments.get(o.paymentKey) === o.amountUnits));
      // The malformed log comes with the next range read: make one.
      for (let i = 0; i < 100 && !warnings.some((w) => JSON.stringify(w.fields).includes('malformed answer')); i++) {
        await node.mine(1);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const text = warnings.map((w) => `${w.message} ${JSON.stringify(w.fields)}`);
      assert.ok(text.some((t) => t.includes('not JSON') && t.includes(front.url)), text.join('\n'));
      assert.ok(text.some((t) => t.includes('contract not asked for') && t.includes(stranger) && t.includes(front.url)), text.join('\n'));
      assert.ok(text.some((t) => t.includes('malformed answer') && t.includes(front.url)), text.join('\n'));
    } finally {
      await watcher.stop();
      await front.close();
    }
  });
});

function capture(into: { fields: Record<string, unknown>; message: string }[]): Logger {
  const fn = (fields: object | string, message?: string): void => {
    into.push(typeof fields === 'string' ? { fields: {}, message: fields } : { fields: fields as Record<string, unknown>, message: message ?? '' });
  };
  const logger: Logger = { debug: () => {}, info: fn, warn: fn, error: fn, child: () => logger };
  return logger;
}

async function follow(front: ProviderFront, usdc: Hex, startBlock: number, payees: readonly string[], log?: Logger, beforeStart?: () => void): Promise<{ watcher: Watcher; ctx: MemoryWatcherContext; adapter: Awaited<ReturnType<typeof createEvmMethod>> }> {
  const config = evmConfigFromSettings({
    xpub: testXpub(),
    chains: [{ chainId: 1, rpcUrl: front.url, confirmations: 1, pollIntervalMs: 20, startBlock, provider: 'own-node' }],
    methods: [{ id: 'ethereum' }, { id: 'usdc_erc20', token: { contract: usdc, decimals: 6 } }],
  }, 'regtest');
  const adapter = await createEvmMethod(config, { clock: systemClock, log: log ?? (await import('../src/core/logger.ts')).silentLogger });
  const ctx = new MemoryWatcherContext();
  if (log !== undefined) (ctx as { log: Logger }).log = log;
  const until = new Date(Date.now() + 86_400_000);
  for (const [i, payee] of payees.entries()) ctx.addTarget({ methodId: i % 2 === 0 ? 'usdc_erc20' : 'ethereum', targetKey: payee, invoiceId: `inv-${i}`, watchUntil: until });
  beforeStart?.();
  const watcher = adapter.createWatcher?.(ctx) as Watcher;
  await watcher.start();
  return { watcher, ctx, adapter };
}
