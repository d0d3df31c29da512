// Server memory after many invoices (issue 2: RSS under 200 MB after 100,000 invoices).
// Starts `coffer serve` (sandbox, SQLite), creates N deposits through POST /v2/accounts/deposit,
// then reads the server's resident set size from /proc.
// --compiled runs dist/ with plain node, as `npm start` does (run `npm run build` first); without it
// the server runs the sources through tsx, whose compiler and source maps add to the RSS.
// --breakdown also reports the server's process.memoryUsage() and V8 heap spaces at start and at the
// end, before and after a full collection (bench/support/memory-probe.mjs, preloaded).
// Usage: node --import tsx bench/memory.ts [--invoices 100000] [--method bitcoin] [--compiled] [--breakdown]

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { load, rssMb, startCoffer } from './support/processes.ts';

const { values } = parseArgs({ options: {
  invoices: { type: 'string', default: '100000' }, method: { type: 'string', default: 'bitcoin' },
  compiled: { type: 'boolean', default: false }, breakdown: { type: 'boolean', default: false },
} });
const count = Number(values.invoices);
const ROOT = new URL('../', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'coffer-mem-'));
const probeFile = join(dataDir, 'memory-probe.json');
const env = { COFFER_DATA_DIR: dataDir, ...(values.breakdown ? { COFFER_BENCH_MEMORY_PROBE: probeFile } : {}) };
const probe = new URL('./support/memory-probe.mjs', import.meta.url).href;
const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'account', 'create', '--type', 'business', '--currency', 'USD', '--json'],
  { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
const account = JSON.parse(out.trim().split('\n').pop()!) as Record<string, string>;
const server = await startCoffer(env, { compiled: values.compiled, nodeArgs: values.breakdown ? ['--expose-gc', '--import', probe] : [] });

/** The probe's report (SIGUSR2); read after it is written. */
async function breakdown(): Promise<unknown> {
  if (!values.breakdown) return undefined;
  rmSync(probeFile, { force: true });
  server.child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try { return JSON.parse(readFileSync(probeFile, 'utf8')) as unknown; } catch { /* not written yet */ }
  }
  throw new Error('no memory probe report');
}

try {
  const rssStartMb = rssMb(server.child);
  const startBreakdown = await breakdown();
  const started = performance.now();
  const run = await load({
    url: `${server.url}/v2/accounts/deposit`, connections: 20, durationS: 0, amount: count, method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`${account['api_id']}:${account['api_secret']}`).toString('base64'), 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 10, currency: 'USD', payment_method: values.method }),
  });
  const seconds = (performance.now() - started) / 1000;
  const rssAfter = rssMb(server.child);
  const endBreakdown = await breakdown();
  const list = await fetch(`${server.url}/v2/invoices?limit=1`, { headers: { authorization: 'Basic ' + Buffer.from(`${account['api_id']}:${account['api_secret']}`).toString('base64') } });
  const result = {
    at: new Date().toISOString(), invoices: run.ok, errors: run.non2xx, method: values.method, seconds: Math.round(seconds),
    rssStartMb: Math.round(rssStartMb), rssAfterMb: Math.round(rssAfter), listOk: list.ok, compiled: values.compiled,
    ...(values.breakdown ? { startBreakdown, endBreakdown } : {}),
  };
  writeFileSync(new URL('./results/memory.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result));
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
