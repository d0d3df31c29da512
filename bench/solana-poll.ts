// Benchmark: one usdc_solana poll over 1,000 watched references (10 of them paid) against the
// LiteSVM-backed JSON-RPC node, compared in the same run with the bare calls any follower must
// make for the same poll (one getSignaturesForAddress per reference with the same number of
// requests in flight, one getTransaction per payment). Target: ratio <= 2. Then detection latency: a finalized payment
// until the watcher reports it, with the default 2 s poll interval.
//
// Run: node --import tsx bench/solana-poll.ts   (about half a minute; prints a JSON summary)

import { newReference } from '../src/methods/solana/keys.ts';
import { SolanaRpc } from '../src/methods/solana/rpc-client.ts';
import { SolanaWatcher } from '../src/methods/solana/watcher.ts';
import { POLL_INTERVAL_MS_DEFAULT, REFERENCE_WORKERS } from '../src/methods/solana/limits.ts';
import { MemoryWatcherContext } from '../test/support/memory-watcher-context.ts';
import { payUsdc, SolanaTestNode, usdcFixture } from '../test/support/solana-rpc.ts';

const REFERENCES = 1_000;
const PAID = 10;
const ROUNDS = 5;
const LATENCY_SAMPLES = 10;
const HOUR_MS = 3_600_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const node = await SolanaTestNode.start();
const fx = await usdcFixture(node);
const payer = await fx.payer(10n ** 12n);
const references = Array.from({ length: REFERENCES }, () => newReference());
const signatures: string[] = [];
for (let i = 0; i < PAID; i++) signatures.push((await payUsdc(fx, payer, 1_000_000n, { reference: references[i * 7] as string })).signature);

const config = { methodId: 'usdc_solana', mint: fx.mint, tokenAccount: fx.ownerAta, commitment: 'finalized' as const, pollIntervalMs: POLL_INTERVAL_MS_DEFAULT, staleAfterMs: HOUR_MS };

async function bare(): Promise<number> {
  const rpc = new SolanaRpc(node.url);
  const started = performance.now();
  await rpc.call('getSlot', [{ commitment: 'finalized' }]);
  const queue = [...references];
  const work = async (): Promise<void> => {
    for (let reference = queue.shift(); reference !== undefined; reference = queue.shift()) {
      await rpc.call('getSignaturesForAddress', [reference, { commitment: 'confirmed', limit: 1000 }]);
    }
  };
  await Promise.all(Array.from({ length: REFERENCE_WORKERS }, work));
  for (const signature of signatures) {
    await rpc.call('getTransaction', [signature, { encoding: 'jsonParsed', commitment: 'confirmed', maxSupportedTransactionVersion: 0 }]);
  }
  return performance.now() - started;
}

async function poll(): Promise<number> {
  const ctx = new MemoryWatcherContext();
  for (const reference of references) ctx.addTarget({ methodId: 'usdc_solana', targetKey: reference, invoiceId: reference, watchUntil: new Date(Date.now() + HOUR_MS) });
  const watcher = new SolanaWatcher(config, new SolanaRpc(node.url), ctx);
  await watcher.load();
  const started = performance.now();
  await watcher.step();
  const ms = performance.now() - started;
  if (ctx.emitted.length !== PAID) throw new Error(`expected ${PAID} payments, got ${ctx.emitted.length}`);
  return ms;
}

const bareMs: number[] = [];
const pollMs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  bareMs.push(await bare());
  pollMs.push(await poll());
}

// Detection latency with the default poll interval and a handful of watched references.
const ctx = new MemoryWatcherContext();
const watcher = new SolanaWatcher(config, new SolanaRpc(node.url), ctx);
const abort = new AbortController();
const running = watcher.run(abort.signal, () => {});
const latencies: number[] = [];
for (let i = 0; i < LATENCY_SAMPLES; i++) {
  const reference = newReference();
  ctx.addTarget({ methodId: 'usdc_solana', targetKey: reference, invoiceId: reference, watchUntil: new Date(Date.now() + HOUR_MS) });
  await new Promise((resolve) => setTimeout(resolve, Math.random() * POLL_INTERVAL_MS_DEFAULT));
  const paid = await payUsdc(fx, payer, 1_000_000n, { reference });
  const started = performance.now();
  await ctx.waitFor((c) => c.emitted.some((o) => o.txid === paid.signature), 10_000);
  latencies.push(performance.now() - started);
}
abort.abort();
await running;
await node.close();

console.log(JSON.stringify({
  references: REFERENCES, paid: PAID,
  bareMsMedian: Math.round(median(bareMs)), pollMsMedian: Math.round(median(pollMs)),
  ratio: Number((median(pollMs) / median(bareMs)).toFixed(2)),
  ratios: pollMs.map((p, i) => Number((p / (bareMs[i] as number)).toFixed(2))),
  detectionMs: { median: Math.round(median(latencies)), max: Math.round(Math.max(...latencies)) },
}, null, 2));
