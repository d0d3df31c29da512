// The HTTP edge's cost on the hot path, as the ratio of this checkout to another commit's
// checkout, both in this one process (issue 15): GET /v2/accounts/balance and POST
// /v2/accounts/deposit through Fastify's inject() on SQLite, alternating the two apps in short
// slices so that a busy machine's drift hits both alike. No sockets: what is measured is the
// request pipeline (hooks, validation, handler, store, serializer), which is where the edge
// check, the rate-limit headers and the invoice fields sit.
// Usage: node --import tsx bench/edge-overhead.ts --base /path/to/other/checkout [--kinds balance,deposit] [--slices 20] [--per-slice 300]
// (make the other checkout with `git archive <commit> | tar -x -C DIR` and a node_modules symlink).

import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const { values } = parseArgs({ options: {
  base: { type: 'string' }, kinds: { type: 'string', default: 'balance,deposit' }, slices: { type: 'string', default: '20' }, 'per-slice': { type: 'string', default: '300' },
} });
if (!values.base) throw new Error('--base <checkout of the commit to compare with> is required');
const slices = Number(values.slices);
const perSlice = Number(values['per-slice']);

interface Injectable { inject(options: { method: string; url: string; headers: Record<string, string>; payload?: string }): Promise<{ statusCode: number }> }
interface HarnessModule {
  openWorld(dialect: 'sqlite', options?: object): Promise<{ app: Injectable; deps: unknown; close(): Promise<void> }>;
  businessAccount(deps: unknown): Promise<{ headers: Record<string, string> }>;
}

async function subject(root: string) {
  const harness = await import(pathToFileURL(resolve(root, 'test/support/harness.ts')).href) as HarnessModule;
  const world = await harness.openWorld('sqlite', { settings: { invoiceExpiryMs: 30 * 60 * 1000 } });
  const account = await harness.businessAccount(world.deps);
  return { world, headers: account.headers };
}

type Subject = Awaited<ReturnType<typeof subject>>;

async function slice(s: Subject, kind: 'balance' | 'deposit'): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < perSlice; i++) {
    const res = kind === 'balance'
      ? await s.world.app.inject({ method: 'GET', url: '/v2/accounts/balance', headers: s.headers })
      : await s.world.app.inject({ method: 'POST', url: '/v2/accounts/deposit', headers: s.headers, payload: '{"amount":10,"currency":"USD","payment_method":"bitcoin"}' });
    if (res.statusCode !== 200) throw new Error(`${kind}: ${res.statusCode}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const base = await subject(resolve(values.base));
const mine = await subject(resolve(new URL('..', import.meta.url).pathname));
const report: Record<string, { baseMsPerSlice: number; thisMsPerSlice: number; throughputRatio: number }> = {};
for (const kind of values.kinds.split(',') as Array<'balance' | 'deposit'>) {
  await slice(base, kind); // warm-up
  await slice(mine, kind);
  const ratios: number[] = [];
  const baseTimes: number[] = [];
  const mineTimes: number[] = [];
  for (let i = 0; i < slices; i++) {
    // Alternate which goes first, so neither always follows the other's garbage.
    let b: number;
    let m: number;
    if (i % 2 === 0) { b = await slice(base, kind); m = await slice(mine, kind); } else { m = await slice(mine, kind); b = await slice(base, kind); }
    baseTimes.push(b);
    mineTimes.push(m);
    ratios.push(b / m);
  }
  report[kind] = { baseMsPerSlice: Math.round(median(baseTimes)), thisMsPerSlice: Math.round(median(mineTimes)), throughputRatio: Math.round(median(ratios) * 1000) / 1000 };
  console.error(kind, JSON.stringify(report[kind]), 'ratios', ratios.map((r) => r.toFixed(3)).join(' '));
}
console.log(JSON.stringify({ at: new Date().toISOString(), slices, perSlice, ...report }, null, 2));
await base.world.close();
await mine.world.close();
