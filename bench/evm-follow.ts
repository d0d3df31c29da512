// Benchmark: following 1,000 blocks with 100,000 watched addresses against a real in-process EDR
// node over HTTP JSON-RPC, compared in the same run with the bare calls any follower must make
// for the same range (eth_getLogs for the token contracts + blocks with full transactions).
// Target: ratio <= 2. Then detection latency: a token payment reaching its confirmations until
// the watcher reports it, with the default poll interval.
//
// Then "mainnet shape" (issue 14): JSON-RPC requests per block followed at Arbitrum speed (4
// blocks/s, the chain's default poll interval), on an idle chain (traffic, none of it ours) and a
// busy one (a payment to us in every block); goal <= 0.2 HTTP requests per idle block. And a
// catch-up of 10,000 blocks through a provider-shaped front capped at 10 blocks per eth_getLogs.
//
// Run: node --import tsx bench/evm-follow.ts          (both parts, ~3 minutes; JSON summary)
//      node --import tsx bench/evm-follow.ts shape    (the mainnet-shape part only)

import { randomBytes } from 'node:crypto';
import { silentLogger } from '../src/core/logger.ts';
import { systemClock } from '../src/core/clock.ts';
import { ChainReader } from '../src/methods/evm/chain-reader.ts';
import { ChainWatcher } from '../src/methods/evm/chain-watcher.ts';
import { evmConfigFromSettings } from '../src/methods/evm/config.ts';
import { createEvmMethod } from '../src/methods/evm/evm-method.ts';
import { TRANSFER_TOPIC } from '../src/methods/evm/erc20.ts';
import { JsonRpcClient } from '../src/methods/evm/json-rpc.ts';
import { MemoryWatcherContext } from '../test/support/memory-watcher-context.ts';
import { startEvmNode } from '../test/support/evm-node.ts';
import { deployToken, payEth, payToken } from '../test/support/evm-chain.ts';
import { testXpub } from '../test/support/evm-fixture.ts';
import { mainnetShape } from './evm-shape.ts';

if (process.argv.includes('shape')) {
  console.log(JSON.stringify(await mainnetShape(), null, 2));
  process.exit(0);
}

const BLOCKS = 1_000;
const WATCHED = 100_000;
const PAYMENTS = 50;
const RANGE = 100;
const ROUNDS = 5;

function randomAddress(): string {
  return `0x${randomBytes(20).toString('hex')}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const node = await startEvmNode({ chainId: 1 });
const usdc = await deployToken(node, 'USDC', 6);
const usdt = await deployToken(node, 'USDT', 6);
const watched = Array.from({ length: WATCHED }, randomAddress);
const payees = watched.slice(0, PAYMENTS);

// 1,000 blocks of traffic (automine: one transaction per block): mostly token transfers and
// ether to strangers, 50 of them to watched addresses.
const from = (await node.blockNumber()) + 1;
for (let i = 0; i < BLOCKS; i++) {
  const to = i % (BLOCKS / PAYMENTS) === 0 ? (payees[i / (BLOCKS / PAYMENTS)] as string) : randomAddress();
  if (i % 3 === 0) await payEth(node, to, 1_000n + BigInt(i));
  else await payToken(node, i % 3 === 1 ? usdc : usdt, to, 1_000n + BigInt(i));
}
const to = from + BLOCKS - 1;

const settings = {
  xpub: testXpub(),
  chains: [{ chainId: 1, rpcUrl: node.url, confirmations: 4, blockRangeMax: RANGE, startBlock: from }],
  methods: [{ id: 'ethereum' }, { id: 'usdc_erc20', token: { contract: usdc, decimals: 6 } }, { id: 'usdt_erc20', token: { contract: usdt, decimals: 6 } }],
};
const config = evmConfigFromSettings(settings, 'regtest');
const chain = config.chains[0]!;

async function followOnce(): Promise<{ ms: number; loadMs: number; calls: number; found: number }> {
  const ctx = new MemoryWatcherContext();
  const until = new Date(Date.now() + 86_400_000);
  for (const [i, address] of watched.entries()) {
    ctx.addTarget({ methodId: i % 2 === 0 ? 'usdc_erc20' : 'ethereum', targetKey: address, invoiceId: `inv-${i}`, watchUntil: until });
  }
  const rpc = new JsonRpcClient(node.url);
  const watcher = new ChainWatcher(chain, config.methods, new ChainReader(rpc), ctx);
  // Loading the watched set happens once at start; it is timed apart from following.
  const loadStarted = performance.now();
  await watcher.load();
  const loadMs = performance.now() - loadStarted;
  const started = performance.now();
  // Steps until the last benchmarked block is processed (the node's head is a few blocks past it).
  while ((watcher.health.height ?? 0) < to) await watcher.step();
  const ms = performance.now() - started;
  return { ms, loadMs, calls: rpc.calls, found: ctx.latest.size };
}

async function bareOnce(): Promise<{ ms: number; calls: number; logs: number }> {
  const rpc = new JsonRpcClient(node.url);
  const reader = new ChainReader(rpc);
  const started = performance.now();
  let logs = 0;
  for (let f = from; f <= to; f += RANGE) {
    const t = Math.min(to, f + RANGE - 1);
    const [l] = await Promise.all([
      reader.logs({ fromBlock: f, toBlock: t, address: [usdc, usdt], topics: [TRANSFER_TOPIC] }),
      reader.blocks(f, t, true),
    ]);
    logs += l.length;
  }
  return { ms: performance.now() - started, calls: rpc.calls, logs };
}

// Warm up both paths once, then alternate rounds so both see the same node state and caches.
await bareOnce();
await followOnce();
const bare: number[] = [];
const follow: number[] = [];
let followCalls = 0;
let bareCalls = 0;
let found = 0;
const loads: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const b = await bareOnce();
  const f = await followOnce();
  bare.push(b.ms);
  follow.push(f.ms);
  loads.push(f.loadMs);
  bareCalls = b.calls;
  followCalls = f.calls;
  found = f.found;
}

// Detection latency: the real watcher loop with the default poll interval.
const adapter = await createEvmMethod(config, { clock: systemClock, log: silentLogger });
const ctx = new MemoryWatcherContext();
const live = adapter.createWatcher!(ctx);
await live.start();
const latencies: number[] = [];
for (let i = 0; i < 5; i++) {
  const payee = randomAddress();
  ctx.addTarget({ methodId: 'usdc_erc20', targetKey: payee, invoiceId: `lat-${i}`, watchUntil: new Date(Date.now() + 3_600_000) });
  const tx = await payToken(node, usdc, payee, 1_000_000n);
  await node.mine(chain.confirmations - 2);
  await new Promise((r) => setTimeout(r, 1_500));
  await node.mine(1);
  const final = performance.now();
  const key = `1:${tx}:0`;
  await ctx.waitFor((c) => (c.latest.get(key)?.confirmations ?? 0) >= chain.confirmations, 30_000);
  latencies.push(performance.now() - final);
}
await live.stop();
await payEth(node, randomAddress(), 1n);
await node.close();

const result = {
  blocks: BLOCKS, watched: WATCHED, payments: PAYMENTS, blockRangeMax: RANGE, rounds: ROUNDS,
  bareMsMedian: Math.round(median(bare)), followMsMedian: Math.round(median(follow)),
  ratio: Number((median(follow) / median(bare)).toFixed(2)),
  bareCalls, followCalls, paymentsFound: found, startupLoadMsMedian: Math.round(median(loads)),
  detection: { pollIntervalMs: chain.pollIntervalMs, msMedian: Math.round(median(latencies)), msMax: Math.round(Math.max(...latencies)) },
};
console.log(JSON.stringify({ ...result, mainnetShape: await mainnetShape() }, null, 2));
if (result.ratio > 2) process.exitCode = 1;
