// Lightning benchmarks (not tests): run with `node --import tsx bench/lightning-bench.ts`.
// `node --import tsx bench/lightning-bench.ts poll-only` runs only part 3 with the subscription down.
// 1. Settle-to-observation latency through the subscription (polling effectively off), per
//    backend, against the fake LND / CLN REST servers: target p95 < 500 ms.
// 2. 1,000 invoice creations through the adapter (backend call + BOLT11 decode/verify) compared,
//    in the same run, with the bare REST call to the same fake: the difference is Coffer's own
//    overhead per call. Fake-node costs (signing the BOLT11) are in both and cancel out.
// 3. Mainnet shape (issue 14): settle → credited in the real store (SQLite, API deposits, the real
//    watcher supervisor) with a 10,000-invoice backlog behind an old open invoice on a fake LND
//    over HTTPS with the invoice macaroon, through the subscription and with the subscription down
//    (the poll sweeping the whole backlog, 50 ms poll interval): target ≤ 0.5 s.

import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/core/clock.ts';
import { silentLogger } from '../src/core/logger.ts';
import { KnownMethodSpecs as DefaultMethodSpecs } from '../src/methods/registry.ts';
import type { Observation } from '../src/core/observation.ts';
import type { PaymentMethodAdapter, TargetRequest } from '../src/core/payment-method.ts';
import { decodeBolt11, verifyBolt11 } from '../src/methods/lightning/bolt11.ts';
import type { LightningConfig } from '../src/methods/lightning/lightning-config.ts';
import { createLightningMethod } from '../src/methods/lightning/lightning-method.ts';
import { RestClient } from '../src/methods/lightning/rest-client.ts';
import { MemoryWatcherContext } from '../test/support/memory-watcher-context.ts';
import { FakeLnd } from '../test/support/fake-lnd.ts';
import { FakeCln } from '../test/support/fake-cln.ts';
import { ChainWorld } from '../test/support/chain-world.ts';
import { lightningRegistry } from '../test/support/chain-lightning.ts';
import { staticRates } from '../test/support/harness.ts';
import { lightningConfigFor } from '../test/support/chain-lightning.ts';

const PAYMENTS = 200;
const CREATIONS = 1_000;
const spec = DefaultMethodSpecs.find((m) => m.id === 'lightning');
if (spec === undefined) throw new Error('no lightning spec');
const noIndexes = { next: async (): Promise<number> => 0 };

class TimedContext extends MemoryWatcherContext {
  readonly seenAt = new Map<string, number>();
  override async emit(observations: readonly Observation[]): Promise<void> {
    const now = performance.now();
    for (const o of observations) this.seenAt.set(o.paymentKey, now);
    await super.emit(observations);
  }
}

function configFor(fake: FakeLnd | FakeCln, pollIntervalMs: number): LightningConfig {
  return { ...lightningConfigFor(fake, pollIntervalMs), requestTimeoutMs: 10_000 };
}

function request(i: number, price: bigint | null): TargetRequest {
  return { invoiceId: `bench-${i}`, method: spec!, priceUnits: price, expiresAt: new Date(Date.now() + 900_000), description: `Coffer deposit bench-${i}` };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

async function latency(fake: FakeLnd | FakeCln): Promise<string> {
  const adapter = await createLightningMethod(configFor(fake, 600_000), { clock: systemClock, log: silentLogger });
  const ctx = new TimedContext();
  const watcher = adapter.createWatcher!(ctx);
  await watcher.start();
  await ctx.waitFor(() => ctx.health.length > 0);
  const samples: number[] = [];
  for (let i = 0; i < PAYMENTS; i += 1) {
    const target = await adapter.createTarget(request(i, 1_000n + BigInt(i)), noIndexes);
    ctx.addTarget({ methodId: 'lightning', targetKey: target.targetKey, invoiceId: `bench-${i}`, watchUntil: new Date(Date.now() + 86_400_000) });
    const paidAt = performance.now();
    fake.book.pay(target.targetKey);
    await ctx.waitFor((c) => c.seenAt.has(target.targetKey));
    samples.push((ctx.seenAt.get(target.targetKey) ?? NaN) - paidAt);
  }
  await adapter.close?.();
  samples.sort((a, b) => a - b);
  return `p50 ${percentile(samples, 0.5).toFixed(2)} ms, p95 ${percentile(samples, 0.95).toFixed(2)} ms, max ${samples.at(-1)?.toFixed(2)} ms over ${PAYMENTS} payments`;
}

async function rawCreate(fake: FakeLnd | FakeCln, i: number, client: RestClient): Promise<void> {
  const answer = fake instanceof FakeLnd
    ? await client.request('POST', '/v1/invoices', { memo: `Coffer deposit bench-${i}`, value_msat: String(1_000 + i), expiry: '900' })
    : await client.request('POST', '/v1/invoice', { amount_msat: `${1_000 + i}msat`, label: `raw-${i}-${Math.random()}`, description: `Coffer deposit bench-${i}`, expiry: 900 });
  if (answer.status >= 300) throw new Error(`raw create failed: ${answer.text}`);
  JSON.parse(answer.text);
}

async function creations(fake: FakeLnd | FakeCln): Promise<string> {
  const adapter: PaymentMethodAdapter = await createLightningMethod(configFor(fake, 600_000), { clock: systemClock, log: silentLogger });
  const headers: Record<string, string> = fake instanceof FakeLnd ? { 'Grpc-Metadata-macaroon': fake.macaroonHex } : { Rune: fake.rune };
  const client = new RestClient({ baseUrl: fake.url, headers, timeoutMs: 10_000, caPem: fake.tlsCert });
  for (let i = 0; i < 50; i += 1) { await rawCreate(fake, i, client); await adapter.createTarget(request(i, 1_000n), noIndexes); } // warm-up
  let t = performance.now();
  for (let i = 0; i < CREATIONS; i += 1) await rawCreate(fake, i, client);
  const rawMs = performance.now() - t;
  t = performance.now();
  const bolt11s: string[] = [];
  for (let i = 0; i < CREATIONS; i += 1) bolt11s.push((await adapter.createTarget(request(i, 1_000n + BigInt(i)), noIndexes)).address);
  const adapterMs = performance.now() - t;
  t = performance.now();
  for (const text of bolt11s) {
    const d = decodeBolt11(text);
    verifyBolt11(text, { nodeKey: fake.book.nodeKey, amountMsat: d.amountMsat, paymentHash: d.paymentHash, network: 'bcrt' });
  }
  const verifyMs = (performance.now() - t) / 2; // verifyBolt11 decodes again: half is one check
  client.close();
  await adapter.close?.();
  const perCall = (ms: number): string => `${((ms / CREATIONS) * 1000).toFixed(0)} µs`;
  return `bare REST ${perCall(rawMs)}/call, through adapter ${perCall(adapterMs)}/call, ` +
    `Coffer overhead ${perCall(adapterMs - rawMs)}/call (BOLT11 decode+verify alone ${perCall(verifyMs)}), ` +
    `${(CREATIONS / (adapterMs / 1000)).toFixed(0)} creations/s sequential`;
}

const BACKLOG = 10_000;
const BACKLOG_PAYMENTS = 30;

/** settle → the invoice is complete in the store, with `BACKLOG` invoices ahead on the node. */
async function backlogLatency(streamDown: boolean, backlogOpen: boolean): Promise<string> {
  const fake = await FakeLnd.start();
  const world = await ChainWorld.open('sqlite', { rates: staticRates({ 'BTC/USD': '50000' }), methods: (clock) => lightningRegistry(fake, clock) });
  try {
    const acct = await world.account('USD');
    const body = { amount: 10, currency: 'USD', payment_method: 'lightning' };
    await world.deposit(acct, body); // an old open invoice: the poll's sweep starts before it
    // Another application's invoices: still open, or final (1 in 10 settled, the rest expired and canceled).
    fake.book.addBacklog(BACKLOG, backlogOpen ? null : { settleEvery: 10 });
    const invoices = [];
    for (let i = 0; i < BACKLOG_PAYMENTS; i += 1) invoices.push(await world.deposit(acct, body));
    fake.streamDown = streamDown;
    await world.startWatchers();
    // Let the first sweep (the whole backlog, once per start) finish before measuring.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const samples: number[] = [];
    for (const invoice of invoices) {
      const hash = decodeBolt11(invoice.payment.address).paymentHash;
      const paidAt = performance.now();
      fake.book.pay(hash);
      while ((await world.deps.store.invoices.get(invoice.id))?.status !== 'complete') await new Promise((resolve) => setTimeout(resolve, 2));
      samples.push(performance.now() - paidAt);
    }
    const listed = fake.requests.filter((r) => r.startsWith('/v1/invoices?')).length;
    samples.sort((a, b) => a - b);
    return `p50 ${percentile(samples, 0.5).toFixed(0)} ms, p95 ${percentile(samples, 0.95).toFixed(0)} ms, max ${samples.at(-1)?.toFixed(0)} ms ` +
      `over ${BACKLOG_PAYMENTS} payments (${listed} ListInvoices pages read in all)`;
  } finally {
    fake.streamDown = false;
    await world.close();
    await fake.close();
  }
}

async function main(): Promise<void> {
  console.log(`lightning bench — node ${process.version}, ${new Date().toISOString()}`);
  if (process.argv.includes('poll-only')) {
    // Only the mainnet-shape figures with the subscription down (the LND poll alone).
    for (const backlogOpen of [false, true]) {
      const shape = `${BACKLOG} ${backlogOpen ? 'open' : 'settled/canceled'} invoices behind an open one`;
      console.log(`lnd settle→credited, ${shape}, subscription down (poll only): ${await backlogLatency(true, backlogOpen)}`);
    }
    return;
  }
  for (const backlogOpen of [false, true]) {
    const shape = `${BACKLOG} ${backlogOpen ? 'open' : 'settled/canceled'} invoices behind an open one`;
    console.log(`lnd settle→credited, ${shape}, subscription: ${await backlogLatency(false, backlogOpen)}`);
    console.log(`lnd settle→credited, ${shape}, subscription down (poll only): ${await backlogLatency(true, backlogOpen)}`);
  }
  for (const start of [FakeLnd.start, FakeCln.start]) {
    const fake = await start();
    const name = fake instanceof FakeLnd ? 'lnd' : 'cln';
    console.log(`${name} settle→observation (stream): ${await latency(fake)}`);
    console.log(`${name} ${CREATIONS} creations: ${await creations(fake)}`);
    await fake.close();
  }
}

await main();
