// "EVM at mainnet shape" (issue 14), imported by bench/evm-follow.ts:
// 1. Requests per block followed at Arbitrum speed: an EDR node on chain 42161 makes a block every
//    250 ms (one transaction each), the real adapter follows it with the chain's default poll
//    interval; idle = every transaction goes to strangers (ETH and USDC), busy = every one pays one
//    of our open deposit addresses. Counted by the adapter's JSON-RPC client (HTTP requests and
//    calls) from the end of the watcher's first step. 20 ETH and 20 USDC deposit addresses are
//    open. EDR has no block tracer, so busy blocks are traced per transaction.
// 2. Catch-up of 10,000 blocks (10 payments spread over them) through a provider-shaped front
//    that refuses eth_getLogs ranges over 10 blocks with Alchemy's error: time, requests, and every
//    payment credited once. The chain is built on the in-process EDR node, one evm_mine per block
//    (~2.5 s for 10,000): anvil's `anvil_mine <count>` slows down as its chain grows (over 20 min
//    for 10,000 blocks on this machine; EVM_CATCHUP_NODE=anvil still builds it there), and EDR's
//    `hardhat_mine <count>` makes blocks whose parentHash does not match the previous block's hash
//    (the watcher rightly refuses them: "blocks do not link").

import { randomBytes } from 'node:crypto';
import { silentLogger } from '../src/core/logger.ts';
import { systemClock } from '../src/core/clock.ts';
import { evmConfigFromSettings } from '../src/methods/evm/config.ts';
import type { EvmSettings } from '../src/methods/evm/config.ts';
import { createEvmMethod } from '../src/methods/evm/evm-method.ts';
import { MemoryWatcherContext } from '../test/support/memory-watcher-context.ts';
import { startEvmNode } from '../test/support/evm-node.ts';
import type { EvmNode } from '../test/support/evm-node.ts';
import { startAnvilNode } from '../test/support/anvil-node.ts';
import { deployToken, payEth, payToken } from '../test/support/evm-chain.ts';
import { testXpub } from '../test/support/evm-fixture.ts';
import { startProviderFront } from '../test/support/evm-provider-front.ts';

const BLOCK_MS = 250;
const FOLLOW_SECONDS = Number(process.env.EVM_SHAPE_SECONDS ?? 30);
const OPEN = 20;

function randomAddress(): string {
  return `0x${randomBytes(20).toString('hex')}`;
}

function settings(chainId: number, rpcUrl: string, usdc: string, extra: Partial<EvmSettings['chains'][number]> = {}): EvmSettings {
  return {
    xpub: testXpub(),
    chains: [{ chainId, rpcUrl, confirmations: 1, ...extra }],
    methods: [{ id: 'ethereum', chainId }, { id: chainId === 42161 ? 'usdc_arbitrum' : 'usdc_erc20', chainId, token: { contract: usdc, decimals: 6 } }],
  };
}

async function followAtSpeed(node: EvmNode, usdc: `0x${string}`, busy: boolean): Promise<Record<string, number>> {
  const config = evmConfigFromSettings(settings(42161, node.url, usdc), 'regtest');
  const adapter = await createEvmMethod(config, { clock: systemClock, log: silentLogger });
  const ctx = new MemoryWatcherContext();
  const until = new Date(Date.now() + 86_400_000);
  const ours = Array.from({ length: 2 * OPEN }, randomAddress);
  for (const [i, a] of ours.entries()) ctx.addTarget({ methodId: i < OPEN ? 'ethereum' : 'usdc_arbitrum', targetKey: a, invoiceId: `inv-${i}`, watchUntil: until });
  const watcher = adapter.createWatcher!(ctx);
  await watcher.start();
  const rpc = adapter.readers.get(42161)!.rpc;
  // Steady state: counted from the end of the first step (which reads the bodies once, to learn
  // the open addresses' balances).
  await ctx.waitFor((c) => c.health.length > 0, 30_000);
  const startBlock = await node.blockNumber();
  const [requests0, calls0] = [rpc.requests, rpc.calls];
  const ends = Date.now() + FOLLOW_SECONDS * 1000;
  let i = 0;
  while (Date.now() < ends) {
    const tick = Date.now();
    const to = busy ? (ours[i % ours.length] as string) : randomAddress();
    if (i % 2 === 0) await payEth(node, to, 1_000n + BigInt(i));
    else await payToken(node, usdc, to, 1_000n + BigInt(i));
    i += 1;
    await new Promise((r) => setTimeout(r, Math.max(0, BLOCK_MS - (Date.now() - tick))));
  }
  const blocks = (await node.blockNumber()) - startBlock;
  // Let the watcher reach the head, then count.
  await new Promise((r) => setTimeout(r, config.chains[0]!.pollIntervalMs + 500));
  const requests = rpc.requests - requests0;
  const calls = rpc.calls - calls0;
  await watcher.stop();
  const found = new Set(ctx.emitted.map((o) => o.paymentKey)).size;
  return {
    blocks, pollIntervalMs: config.chains[0]!.pollIntervalMs, requests, calls,
    requestsPerBlock: Number((requests / blocks).toFixed(3)), callsPerBlock: Number((calls / blocks).toFixed(3)),
    paymentsFound: found, paymentsMade: busy ? i : 0,
  };
}

async function catchUp(): Promise<Record<string, number | string>> {
  const kind = process.env.EVM_CATCHUP_NODE === 'anvil' ? 'anvil' : 'edr';
  const node = kind === 'anvil' ? await startAnvilNode({ chainId: 1 }) : await startEvmNode({ chainId: 1 });
  const mineMany = (n: number): Promise<unknown> => kind === 'anvil' ? node.mine(n).catch(() => node.mine(n)) : node.mine(n);
  const usdc = await deployToken(node, 'USDC', 6);
  const start = (await node.blockNumber()) + 1;
  const payees: string[] = [];
  const built = performance.now();
  for (let k = 0; k < 10; k++) {
    const payee = randomAddress();
    payees.push(payee);
    if (k % 2 === 0) await payToken(node, usdc, payee, 1_000n + BigInt(k));
    else await payEth(node, payee, 1_000n + BigInt(k));
    await mineMany(999);
    console.error('catch-up chain', k, await node.blockNumber());
  }
  const head = await node.blockNumber();
  const buildMs = Math.round(performance.now() - built);
  console.error('catch-up chain ready', start, head, `${buildMs} ms`);
  const front = await startProviderFront({ upstream: node.url, shape: 'alchemy', logsRangeMax: 10 });
  const config = evmConfigFromSettings(settings(1, front.url, usdc, { startBlock: start, pollIntervalMs: 20 }), 'regtest');
  const adapter = await createEvmMethod(config, { clock: systemClock, log: silentLogger });
  const ctx = new MemoryWatcherContext();
  for (const [k, p] of payees.entries()) ctx.addTarget({ methodId: k % 2 === 0 ? 'usdc_erc20' : 'ethereum', targetKey: p, invoiceId: `c-${k}`, watchUntil: new Date(Date.now() + 86_400_000) });
  const rpc = adapter.readers.get(1)!.rpc;
  const began = performance.now();
  const watcher = adapter.createWatcher!(ctx);
  await watcher.start();
  await ctx.waitFor(() => (ctx.health.at(-1)?.height ?? 0) >= head, 600_000);
  const ms = performance.now() - began;
  await watcher.stop();
  await front.close();
  await node.close();
  // Every payee paid once must have exactly one payment key.
  const keysPerPayee = payees.map((p) => new Set(ctx.emitted.filter((o) => o.targetKey === p).map((o) => o.paymentKey)).size);
  return {
    node: kind, buildMs, blocks: head - start + 1, ms: Math.round(ms), requests: rpc.requests, calls: rpc.calls,
    requestsPerBlock: Number((rpc.requests / (head - start + 1)).toFixed(3)),
    logsRangeRefusals: front.refused.logsRange, paymentsFound: new Set(ctx.emitted.map((o) => o.paymentKey)).size, paymentsMade: payees.length,
    everyPayeeOnce: keysPerPayee.every((n) => n === 1) ? 'yes' : `no: ${keysPerPayee.join(',')}`,
  };
}

export async function mainnetShape(): Promise<Record<string, unknown>> {
  // EVM_SHAPE_PARTS=catchup runs only the catch-up (the speed part needs ~2 x EVM_SHAPE_SECONDS).
  if (process.env.EVM_SHAPE_PARTS === 'catchup') return { catchUp10k: await catchUp() };
  const speedOnly = process.env.EVM_SHAPE_PARTS === 'speed';
  const node = await startEvmNode({ chainId: 42161 });
  const usdc = await deployToken(node, 'USDC', 6);
  const idle = await followAtSpeed(node, usdc, false);
  console.error('idle', JSON.stringify(idle));
  const busy = await followAtSpeed(node, usdc, true);
  console.error('busy', JSON.stringify(busy));
  await node.close();
  const arbitrumSpeed = { blockMs: BLOCK_MS, seconds: FOLLOW_SECONDS, openAddresses: 2 * OPEN, idle, busy };
  return speedOnly ? { arbitrumSpeed } : { arbitrumSpeed, catchUp10k: await catchUp() };
}
