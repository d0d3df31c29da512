// Server memory after many invoices (issue 2: RSS under 200 MB after 100,000 invoices).
// Starts `coffer serve` (sandbox, SQLite), creates N deposits through POST /v2/accounts/deposit,
// then reads the server's resident set size from /proc.
// Usage: node --import tsx bench/memory.ts [--invoices 100000] [--method bitcoin]

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { load, rssMb, startCoffer } from './support/processes.ts';

const { values } = parseArgs({ options: { invoices: { type: 'string', default: '100000' }, method: { type: 'string', default: 'bitcoin' } } });
const count = Number(values.invoices);
const ROOT = new URL('../', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'coffer-mem-'));
const env = { COFFER_DATA_DIR: dataDir };
const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'account', 'create', '--type', 'business', '--currency', 'USD', '--json'],
  { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
const account = JSON.parse(out.trim().split('\n').pop()!) as Record<string, string>;
const server = await startCoffer(env);
try {
  const rssStartMb = rssMb(server.child);
  const started = performance.now();
  const run = await load({
    url: `${server.url}/v2/accounts/deposit`, connections: 20, durationS: 0, amount: count, method: 'POST',
    headers: { authorization: 'Basic ' + Buffer.from(`${account['api_id']}:${account['api_secret']}`).toString('base64'), 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 10, currency: 'USD', payment_method: values.method }),
  });
  const seconds = (performance.now() - started) / 1000;
  const list = await fetch(`${server.url}/v2/invoices?limit=1`, { headers: { authorization: 'Basic ' + Buffer.from(`${account['api_id']}:${account['api_secret']}`).toString('base64') } });
  const result = {
    at: new Date().toISOString(), invoices: run.ok, errors: run.non2xx, method: values.method, seconds: Math.round(seconds),
    rssStartMb: Math.round(rssStartMb), rssAfterMb: Math.round(rssMb(server.child)), listOk: list.ok,
  };
  writeFileSync(new URL('./results/memory.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result));
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
