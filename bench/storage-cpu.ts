// Process CPU per deposit and per credit through the use cases, in one process (no HTTP, SQLite):
// the storage path with the least noise around it. It can run another checkout's code (--root, a
// `git worktree` of an older commit with node_modules linked), so two commits can be alternated:
//   for r in OLD NEW OLD NEW; do node --import tsx bench/storage-cpu.ts --root $r; done
// Usage: node --import tsx bench/storage-cpu.ts [--root DIR] [--deposits 3000] [--concurrency 20]
// Prints one JSON line: CPU microseconds per deposit and per credit (half the deposits paid, confirmed).

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Invoice } from '../src/core/invoice.ts';

const { values } = parseArgs({ options: {
  root: { type: 'string', default: new URL('../', import.meta.url).pathname }, deposits: { type: 'string', default: '3000' },
  concurrency: { type: 'string', default: '20' },
} });
const root = resolve(values.root);
const count = Number(values.deposits);
const concurrency = Number(values.concurrency);
// The same modules, from the checkout under test.
const harness = await import(`${root}/test/support/harness.ts`) as typeof import('../test/support/harness.ts');
const observations = await import(`${root}/test/support/observations.ts`) as typeof import('../test/support/observations.ts');
const { applyObservation } = await import(`${root}/src/usecases/apply-observations.ts`) as typeof import('../src/usecases/apply-observations.ts');

const world = await harness.openWorld('sqlite', { rates: harness.staticRates({ 'BTC/USD': '50000' }) });
const acct = await harness.businessAccount(world.deps);

/** `n` deposits, `concurrency` at a time. */
async function deposits(n: number): Promise<Invoice[]> {
  const made: Invoice[] = [];
  let started = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (started++ < n) made.push(await observations.deposit(world.deps, acct.id, '10'));
  }));
  return made;
}

/** Each invoice paid in full with one confirmation, `concurrency` at a time. */
async function credits(invoices: readonly Invoice[]): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < invoices.length) {
      const invoice = invoices[next++]!;
      await applyObservation(world.deps, observations.pay(invoice, invoice.priceUnits!, 1));
    }
  }));
}

const cpuMicros = (): number => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

// Warm-up: the JIT, the page cache, the derivation worker.
await credits((await deposits(500)).slice(0, 300));
let start = cpuMicros();
const invoices = await deposits(count);
const depositCpuMicros = (cpuMicros() - start) / count;
const paid = invoices.slice(0, Math.floor(count / 2));
start = cpuMicros();
await credits(paid);
const creditCpuMicros = (cpuMicros() - start) / paid.length;
console.log(JSON.stringify({ root, depositCpuMicros: Math.round(depositCpuMicros), creditCpuMicros: Math.round(creditCpuMicros) }));
await world.close();
