// Server CPU per request: a figure that a busy, shared machine disturbs far less than requests/s.
// Throughput on this 2-core VM swings by ±20 % within a minute (other processes take the cores);
// the CPU time the server process itself spends per request (user + system, all its threads,
// from /proc/<pid>/stat) moves much less, so a 10 % change shows through the noise.
// It can compare checkouts: --root points at another checkout (a `git worktree` of an older
// commit, with node_modules linked), and the script alternates between them, round by round.
// A root may carry environment for its server: `--root DIR@NAME=VALUE,NAME=VALUE` (the same
// checkout twice, with a setting on and off). --postgres runs every server on its own PostgreSQL
// database (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres) and also reports
// the CPU of that database's backend processes per request (found by the database name in their
// command line, /proc). --only deposit|balance skips the other endpoint.
// Usage: node --import tsx bench/request-cpu.ts [--root DIR[@NAME=VALUE,...]]... [--seconds 6] [--rounds 3]
//        [--connections 20] [--method bitcoin] [--postgres] [--only deposit|balance]
// Prints, per root, the median CPU microseconds per deposit and per balance read, and the requests/s.

import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { freePort, timedLoad } from './support/processes.ts';

const { values } = parseArgs({ options: {
  root: { type: 'string', multiple: true }, seconds: { type: 'string', default: '6' }, rounds: { type: 'string', default: '3' },
  connections: { type: 'string', default: '20' }, method: { type: 'string', default: 'bitcoin' },
  postgres: { type: 'boolean', default: false }, only: { type: 'string' },
} });
const roots = values.root ?? [new URL('../', import.meta.url).pathname];
const PG_ADMIN = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const TICKS_PER_SECOND = 100; // USER_HZ, as getconf CLK_TCK reports on Linux

interface Subject {
  readonly root: string; readonly child: ChildProcess; readonly url: string; readonly headers: Record<string, string>; readonly dir: string;
  readonly database: string | null;
}

/** utime + stime of the process (every thread), in microseconds. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6;
}

/** CPU of the PostgreSQL backends serving `database` (a backend's command line names its database). */
function databaseCpuMicros(database: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${database} `)) total += cpuMicros(Number(pid));
    } catch { /* exited, or not ours to read */ }
  }
  return total;
}

async function adminQuery(text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

/** `DIR@NAME=VALUE,NAME=VALUE` → the checkout and the environment its server runs with. */
function parseRoot(spec: string): { dir: string; env: Record<string, string> } {
  const at = spec.indexOf('@');
  if (at < 0) return { dir: resolve(spec), env: {} };
  const env = Object.fromEntries(spec.slice(at + 1).split(',').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  return { dir: resolve(spec.slice(0, at)), env };
}

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try { if ((await fetch(url)).ok) return; } catch { /* starting */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not come up`);
}

async function start(root: string, index: number): Promise<Subject> {
  const { dir: checkout, env: extra } = parseRoot(root);
  const dir = mkdtempSync(join(tmpdir(), 'coffer-cpu-'));
  const database = values.postgres ? `coffer_cpu_${index}_${process.pid}` : null;
  if (database) {
    await adminQuery(`drop database if exists ${database} with (force)`);
    await adminQuery(`create database ${database}`);
  }
  const env = {
    ...process.env, COFFER_DATA_DIR: dir, COFFER_LOG_LEVEL: 'warn', COFFER_RATE_LIMIT: '0', ...extra,
    ...(database ? { DATABASE_URL: PG_ADMIN.replace(/\/[^/]*$/, `/${database}`) } : {}),
  };
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'account', 'create', '--type', 'business', '--currency', 'USD', '--json'],
    { cwd: checkout, env, encoding: 'utf8' });
  const account = JSON.parse(out.trim().split('\n').pop()!) as Record<string, string>;
  const headers = { authorization: 'Basic ' + Buffer.from(`${account['api_id']}:${account['api_secret']}`).toString('base64'), 'content-type': 'application/json' };
  const port = freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], { cwd: checkout, env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitUp(`${url}/healthz`);
  return { root, child, url, headers, dir, database };
}

interface Measured { readonly micros: number; readonly dbMicros: number; readonly perSecond: number }

async function cpuPerRequest(s: Subject, path: string, method: 'GET' | 'POST', body?: string): Promise<Measured> {
  const before = cpuMicros(s.child.pid!);
  const dbBefore = s.database ? databaseCpuMicros(s.database) : 0;
  const result = await timedLoad({ url: `${s.url}${path}`, connections, durationS: seconds, method, headers: s.headers, ...(body ? { body } : {}) });
  // Let queued work (the WAL checkpointer thread included) finish inside the window it belongs to.
  await new Promise((r) => setTimeout(r, 500));
  const spent = cpuMicros(s.child.pid!) - before;
  const dbSpent = s.database ? databaseCpuMicros(s.database) - dbBefore : 0;
  const ok = Math.max(1, result.ok);
  return { micros: spent / ok, dbMicros: dbSpent / ok, perSecond: result.requestsPerSecond };
}

const SKIPPED: Measured = { micros: Number.NaN, dbMicros: Number.NaN, perSecond: Number.NaN };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const subjects: Subject[] = [];
type Series = Record<'deposit' | 'balance' | 'depositDb' | 'depositPerSecond' | 'balancePerSecond', number[]>;
try {
  for (const [i, root] of roots.entries()) subjects.push(await start(root, i));
  const deposit = JSON.stringify({ amount: 10, currency: 'USD', payment_method: values.method });
  const results = new Map<string, Series>(roots.map((r) => [r, { deposit: [], balance: [], depositDb: [], depositPerSecond: [], balancePerSecond: [] }]));
  // Warm-up (JIT, caches) on each measured endpoint.
  for (const s of subjects) {
    if (values.only !== 'deposit') await timedLoad({ url: `${s.url}/v2/accounts/balance`, connections, durationS: 2, headers: s.headers });
    if (values.only !== 'balance') await timedLoad({ url: `${s.url}/v2/accounts/deposit`, connections, durationS: 2, method: 'POST', headers: s.headers, body: deposit });
  }
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const s of subjects) {
      const b = values.only === 'deposit' ? SKIPPED : await cpuPerRequest(s, '/v2/accounts/balance', 'GET');
      const d = values.only === 'balance' ? SKIPPED : await cpuPerRequest(s, '/v2/accounts/deposit', 'POST', deposit);
      const r = results.get(s.root)!;
      r.balance.push(b.micros); r.balancePerSecond.push(b.perSecond);
      r.deposit.push(d.micros); r.depositDb.push(d.dbMicros); r.depositPerSecond.push(d.perSecond);
      console.error(`round ${round} ${s.root}: balance ${b.micros.toFixed(0)} µs CPU (${b.perSecond.toFixed(0)}/s), deposit ${d.micros.toFixed(0)} µs CPU`
        + `${s.database ? ` + ${d.dbMicros.toFixed(0)} µs PostgreSQL` : ''} (${d.perSecond.toFixed(0)}/s)`);
    }
  }
  for (const [root, r] of results) {
    console.log(JSON.stringify({ root, depositCpuMicrosMedian: Math.round(median(r.deposit)), balanceCpuMicrosMedian: Math.round(median(r.balance)),
      ...(values.postgres ? { depositDbCpuMicrosMedian: Math.round(median(r.depositDb)) } : {}),
      depositPerSecondMedian: Math.round(median(r.depositPerSecond)), balancePerSecondMedian: Math.round(median(r.balancePerSecond)),
      deposit: r.deposit.map(Math.round), balance: r.balance.map(Math.round), depositPerSecond: r.depositPerSecond.map(Math.round),
      ...(values.postgres ? { depositDb: r.depositDb.map(Math.round) } : {}) }));
  }
} finally {
  for (const s of subjects) {
    s.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    rmSync(s.dir, { recursive: true, force: true });
    if (s.database) await adminQuery(`drop database if exists ${s.database} with (force)`).catch(() => {});
  }
}
