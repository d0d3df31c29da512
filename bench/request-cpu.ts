// Server CPU per request: a figure that a busy, shared machine disturbs far less than requests/s.
// Throughput on this 2-core VM swings by ±20 % within a minute (other processes take the cores);
// the CPU time the server process itself spends per request (user + system, all its threads,
// from /proc/<pid>/stat) moves much less, so a 10 % change shows through the noise.
// It can compare checkouts: --root points at another checkout (a `git worktree` of an older
// commit, with node_modules linked), and the script alternates between them, round by round.
// Usage: node --import tsx bench/request-cpu.ts [--root DIR]... [--seconds 6] [--rounds 3]
//        [--connections 20] [--method bitcoin]
// Prints, per root, the median CPU microseconds per deposit and per balance read (SQLite).

import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, timedLoad } from './support/processes.ts';

const { values } = parseArgs({ options: {
  root: { type: 'string', multiple: true }, seconds: { type: 'string', default: '6' }, rounds: { type: 'string', default: '3' },
  connections: { type: 'string', default: '20' }, method: { type: 'string', default: 'bitcoin' },
} });
const roots = (values.root ?? [new URL('../', import.meta.url).pathname]).map((r) => resolve(r));
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const TICKS_PER_SECOND = 100; // USER_HZ, as getconf CLK_TCK reports on Linux

interface Subject { readonly root: string; readonly child: ChildProcess; readonly url: string; readonly headers: Record<string, string>; readonly dir: string }

/** utime + stime of the process (every thread), in microseconds. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6;
}

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(url)).ok) return; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

async function start(root: string): Promise<Subject> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-cpu-'));
  const env = { ...process.env, COFFER_DATA_DIR: dir, COFFER_LOG_LEVEL: 'warn', COFFER_RATE_LIMIT: '0' };
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'account', 'create', '--type', 'business', '--currency', 'USD', '--json'],
    { cwd: root, env, encoding: 'utf8' });
  const account = JSON.parse(out.trim().split('\n').pop()!) as Record<string, string>;
  const headers = { authorization: 'Basic ' + Buffer.from(`${account['api_id']}:${account['api_secret']}`).toString('base64'), 'content-type': 'application/json' };
  const port = freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], { cwd: root, env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitUp(`${url}/healthz`);
  return { root, child, url, headers, dir };
}

async function cpuPerRequest(s: Subject, path: string, method: 'GET' | 'POST', body?: string): Promise<{ micros: number; perSecond: number }> {
  const before = cpuMicros(s.child.pid!);
  const result = await timedLoad({ url: `${s.url}${path}`, connections, durationS: seconds, method, headers: s.headers, ...(body ? { body } : {}) });
  // Let queued work (the WAL checkpointer thread included) finish inside the window it belongs to.
  await new Promise((r) => setTimeout(r, 500));
  const spent = cpuMicros(s.child.pid!) - before;
  return { micros: spent / Math.max(1, result.ok), perSecond: result.requestsPerSecond };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const subjects: Subject[] = [];
try {
  for (const root of roots) subjects.push(await start(root));
  const deposit = JSON.stringify({ amount: 10, currency: 'USD', payment_method: values.method });
  const results = new Map<string, { deposit: number[]; balance: number[] }>(roots.map((r) => [r, { deposit: [], balance: [] }]));
  for (const s of subjects) await timedLoad({ url: `${s.url}/v2/accounts/balance`, connections, durationS: 2, headers: s.headers });
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const s of subjects) {
      const b = await cpuPerRequest(s, '/v2/accounts/balance', 'GET');
      const d = await cpuPerRequest(s, '/v2/accounts/deposit', 'POST', deposit);
      results.get(s.root)!.balance.push(b.micros);
      results.get(s.root)!.deposit.push(d.micros);
      console.error(`round ${round} ${s.root}: balance ${b.micros.toFixed(0)} µs CPU (${b.perSecond.toFixed(0)}/s), deposit ${d.micros.toFixed(0)} µs CPU (${d.perSecond.toFixed(0)}/s)`);
    }
  }
  for (const [root, r] of results) {
    console.log(JSON.stringify({ root, depositCpuMicrosMedian: Math.round(median(r.deposit)), balanceCpuMicrosMedian: Math.round(median(r.balance)),
      deposit: r.deposit.map(Math.round), balance: r.balance.map(Math.round) }));
  }
} finally {
  for (const s of subjects) {
    s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(s.dir, { recursive: true, force: true });
  }
}
