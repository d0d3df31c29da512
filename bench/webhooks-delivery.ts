// Webhook delivery benchmark (SQLite): (1) throughput — a backlog of outbox events fanned out and
// delivered to a local receiver in another process, with one endpoint, with four (each taking every
// event), with eight each subscribed to one event type (every event delivered once), and with one
// endpoint taking batches of up to 100 events per request (batch_max); compared
// with plain sequential POSTs to the same receiver in the same run; (2) lag — events committed
// at a steady 100/s while the worker loop runs, lag = receiver's arrival time − commit time.
// Run: node --import tsx bench/webhooks-delivery.ts [events=20000] [lagSeconds=20]
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { openWorld } from '../test/support/harness.ts';
import { systemClock } from '../src/core/clock.ts';
import type { OutboxEvent } from '../src/core/events.ts';
import type { Deps } from '../src/usecases/deps.ts';
import { createWebhookEndpoint } from '../src/usecases/webhook-endpoints.ts';
import { createUseCases } from '../src/usecases/use-cases.ts';
import { WebhookDefaults } from '../src/webhooks/webhook-config.ts';
import { WebhookWorker } from '../src/webhooks/webhook-worker.ts';
import { createWebhookSender } from '../src/webhooks/outbound-post.ts';

const EVENTS = Number(process.argv[2] ?? 20_000);
const LAG_SECONDS = Number(process.argv[3] ?? 20);
const config = { ...WebhookDefaults, allowPrivate: true };
const wallMs = () => performance.timeOrigin + performance.now();

interface Receiver { port: number; child: ChildProcess; arrivals: Map<string, number>; count: number }

async function startReceiver(): Promise<Receiver> {
  const child = fork(new URL('./webhooks-receiver-child.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'] });
  const receiver: Receiver = { port: 0, child, arrivals: new Map(), count: 0 };
  await new Promise<void>((resolve) => child.on('message', (m: { port?: number; received?: Array<[string, number]> }) => {
    if (m.port) { receiver.port = m.port; resolve(); }
    for (const [id, at] of m.received ?? []) { receiver.count++; if (!receiver.arrivals.has(id)) receiver.arrivals.set(id, at); }
  }));
  return receiver;
}

function stopReceiver(r: Receiver): Promise<void> {
  return new Promise((resolve) => { r.child.on('exit', () => resolve()); r.child.send({ stop: true }); });
}

const SPREAD_TYPES = ['invoice.created', 'invoice.payment_detected', 'invoice.payment_confirmed', 'invoice.complete',
  'invoice.expired', 'invoice.denied', 'invoice.payment_error', 'balance.credited'] as const;

function events(count: number, now: Date, types: readonly OutboxEvent['type'][] = ['balance.credited']): OutboxEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `evt_${randomBytes(12).toString('hex')}`, type: types[i % types.length]!, accountId: 'acct_bench', invoiceId: null, createdAt: now,
    payload: { account_id: 'acct_bench', invoice_id: `inv_${i}`, currency: 'USD', amount: '10.00', late: false },
  }));
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('bench timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * `endpoints` endpoints on one receiver. `spread`: each endpoint subscribes to one event type and
 * the events cycle through those types, so every event is delivered once, over `endpoints` lanes
 * in parallel (ordering holds per endpoint). Otherwise every endpoint takes every event.
 */
async function throughput(endpoints: number, spread = false, batchMax = 1): Promise<{ endpoints: number; events: number; seconds: number; eventsPerSecond: number; deliveriesPerSecond: number }> {
  const world = await openWorld('sqlite');
  const receiver = await startReceiver();
  const deps: Deps = { ...world.deps, clock: systemClock };
  const types = spread ? SPREAD_TYPES.slice(0, endpoints) : ['balance.credited' as const];
  for (let i = 0; i < endpoints; i++) {
    await createWebhookEndpoint(deps, { url: `http://127.0.0.1:${receiver.port}/e${i}`, eventTypes: spread ? [types[i]!] : ['*'], batchMax });
  }
  const perEvent = spread ? 1 : endpoints;
  const backlog = events(EVENTS, systemClock.now(), types);
  // Chunked: one multi-row insert must stay under SQLite's bound-parameter limit.
  for (let i = 0; i < backlog.length; i += 1000) await deps.store.transaction((tx) => tx.outbox.insert(backlog.slice(i, i + 1000)));
  const worker = new WebhookWorker(createUseCases(deps), config);
  const started = performance.now();
  while (receiver.count < EVENTS * perEvent) {
    await worker.pass();
    await worker.drain();
    if (receiver.count < EVENTS * perEvent) await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  await stopReceiver(receiver);
  await world.close();
  return { endpoints, events: EVENTS, seconds, eventsPerSecond: EVENTS / seconds, deliveriesPerSecond: (EVENTS * perEvent) / seconds };
}

async function httpCeiling(count: number): Promise<number> {
  const receiver = await startReceiver();
  const sender = createWebhookSender({ allowPrivate: true, timeoutMs: 10_000, responseBytesMax: 65_536, socketsPerHostMax: 4 }, { clock: systemClock });
  const body = JSON.stringify({ id: 'evt_x', type: 'balance.credited', data: { amount: '10.00' } });
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const result = await sender.send({ url: `http://127.0.0.1:${receiver.port}/ceiling`, body, eventId: `evt_${i}`, eventType: 'balance.credited', deliveryId: 'd', attempt: 1, secrets: ['whsec_bench'] });
    if (!result.ok) throw new Error(result.error ?? 'send failed');
  }
  const perSecond = count / ((performance.now() - started) / 1000);
  sender.close();
  await stopReceiver(receiver);
  return perSecond;
}

async function lag(): Promise<{ ratePerSecond: number; events: number; p50Ms: number; p99Ms: number; maxMs: number }> {
  const world = await openWorld('sqlite');
  const receiver = await startReceiver();
  const deps: Deps = { ...world.deps, clock: systemClock };
  await createWebhookEndpoint(deps, { url: `http://127.0.0.1:${receiver.port}/lag`, eventTypes: ['*'] });
  const worker = new WebhookWorker(createUseCases(deps), config);
  // The same scheduling as WorkerLoops: one pass per poll interval, skipped while one is running.
  let busy = false;
  const loop = setInterval(() => { if (!busy) { busy = true; void worker.pass().finally(() => { busy = false; }); } }, config.pollMs);
  const committed = new Map<string, number>();
  const total = LAG_SECONDS * 100;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + i * 10;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const [event] = events(1, systemClock.now());
    await deps.store.transaction((tx) => tx.outbox.insert([event!]));
    committed.set(event!.id, wallMs());
  }
  await until(() => receiver.arrivals.size >= total, 30_000);
  clearInterval(loop);
  await worker.stop();
  const lags = [...committed].map(([id, at]) => receiver.arrivals.get(id)! - at).sort((a, b) => a - b);
  const pick = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]!;
  await stopReceiver(receiver);
  await world.close();
  return { ratePerSecond: 100, events: total, p50Ms: pick(0.5), p99Ms: pick(0.99), maxMs: lags.at(-1)! };
}

// A failure must not leave the receiver child (and this process) hanging.
process.on('uncaughtException', (error) => { console.error(error); process.exit(1); });
process.on('unhandledRejection', (error) => { console.error(error); process.exit(1); });
const ceiling = await httpCeiling(5000);
const one = await throughput(1);
const four = await throughput(4);
const spread = await throughput(8, true);
const batched = await throughput(1, false, 100);
const lagResult = await lag();
const result = {
  date: new Date().toISOString(), node: process.version, events: EVENTS,
  httpCeilingSequentialPostsPerSecond: Math.round(ceiling),
  oneEndpoint: { ...one, eventsPerSecond: Math.round(one.eventsPerSecond), deliveriesPerSecond: Math.round(one.deliveriesPerSecond), ratioToCeiling: +(one.deliveriesPerSecond / ceiling).toFixed(2) },
  fourEndpoints: { ...four, eventsPerSecond: Math.round(four.eventsPerSecond), deliveriesPerSecond: Math.round(four.deliveriesPerSecond) },
  oneEndpointBatchMax100: { ...batched, eventsPerSecond: Math.round(batched.eventsPerSecond), deliveriesPerSecond: Math.round(batched.deliveriesPerSecond) },
  eightEndpointsEachOneType: { ...spread, eventsPerSecond: Math.round(spread.eventsPerSecond), deliveriesPerSecond: Math.round(spread.deliveriesPerSecond) },
  lag: { ...lagResult, p50Ms: +lagResult.p50Ms.toFixed(1), p99Ms: +lagResult.p99Ms.toFixed(1), maxMs: +lagResult.maxMs.toFixed(1) },
};
console.log(JSON.stringify(result, null, 2));
writeFileSync(new URL('./webhooks-delivery.last.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
