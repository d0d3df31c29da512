// The credit path: confirmed observations applied through applyObservation (the only way money
// enters the ledger) on SQLite: half of them 64 at a time, the other half as a watcher delivers a
// block's worth — one applyObservations batch.
// Usage: node --import tsx bench/credits.ts [--invoices 10000] [--concurrency 64]
// Writes bench/results/credits.json.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { applyObservation, applyObservations } from '../src/usecases/apply-observations.ts';
import { verifyLedger } from '../src/usecases/verify-ledger.ts';
import { businessAccount, openWorld, staticRates } from '../test/support/harness.ts';
import { deposit, pay } from '../test/support/observations.ts';
import type { Invoice } from '../src/core/invoice.ts';

const { values } = parseArgs({ options: { invoices: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '64' }, dialect: { type: 'string', default: 'sqlite' } } });
const count = Number(values.invoices);
const concurrency = Number(values.concurrency);
const world = await openWorld(values.dialect === 'postgres' ? 'postgres' : 'sqlite', { rates: staticRates({ 'BTC/USD': '50000' }) });
const acct = await businessAccount(world.deps);

/** Wall time (ms) of running `work` over `items` with `concurrency` in flight; CPU time is noted in cpuMs. */
const cpuMs: number[] = [];
async function inParallel<T>(items: readonly T[], work: (item: T) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
  const used = process.cpuUsage(cpu);
  cpuMs.push((used.user + used.system) / 1000);
  return performance.now() - started;
}

const invoices: Invoice[] = [];
const slots = Array.from({ length: count }, (_, i) => i);
const depositMs = await inParallel(slots, async () => { invoices.push(await deposit(world.deps, acct.id, '1')); });
const half = Math.floor(invoices.length / 2);
const creditMs = await inParallel(invoices.slice(0, half), (invoice) => applyObservation(world.deps, pay(invoice, invoice.priceUnits!, 1)));
// The watcher's path: the other half confirmed in one block, delivered as one batch.
const batchCpu = process.cpuUsage();
const batchStarted = performance.now();
const outcomes = await applyObservations(world.deps, invoices.slice(half).map((invoice) => pay(invoice, invoice.priceUnits!, 1)));
const batchMs = performance.now() - batchStarted;
const batchUsed = process.cpuUsage(batchCpu);
if (outcomes.some((o) => o !== 'applied')) throw new Error('a batch observation was not applied');
const report = await verifyLedger(world.deps.store);
await world.close();

const result = {
  at: new Date().toISOString(), dialect: values.dialect, invoices: count, concurrency,
  depositsPerS: Math.round(count / (depositMs / 1000)),
  creditsPerS: Math.round(half / (creditMs / 1000)),
  creditsInOneBatchPerS: Math.round((count - half) / (batchMs / 1000)),
  depositCpuUsPerOp: Math.round((cpuMs[0]! * 1000) / count),
  creditCpuUsPerOp: Math.round((cpuMs[1]! * 1000) / half),
  creditInOneBatchCpuUsPerOp: Math.round((batchUsed.user + batchUsed.system) / (count - half)),
  ledgerOk: report.ok, transfers: report.transfers,
};
writeFileSync(new URL(`./results/credits-${values.dialect}.json`, import.meta.url), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result));
