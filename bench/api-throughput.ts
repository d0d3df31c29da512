// HTTP throughput, as ratios to baselines measured in the same run (issue 2):
//  - GET /v2/accounts/balance vs a bare Fastify hello-world (same tool, same connections);
//  - POST /v2/accounts/deposit on SQLite (invoices/s) and on PostgreSQL vs `pgbench -N` TPS.
// The machine this runs on is a shared VM whose speed drifts by tens of percent within a minute,
// so baseline and subject alternate in rounds (baseline, subject, baseline, subject, …) and each
// ratio is taken between neighbours; the median round is reported, with every round listed.
// Load: wrk (one thread) when installed, else autocannon; both servers stay up, the idle one idles.
// Usage: node --import tsx bench/api-throughput.ts [--seconds 8] [--rounds 3] [--connections 20]
//        [--method bitcoin] [--no-postgres]
// Writes bench/results/api-throughput.json.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { startCoffer, startHello, timedLoad, wrkAvailable } from './support/processes.ts';
import type { Server } from './support/processes.ts';

const { values } = parseArgs({ options: {
  seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' }, connections: { type: 'string', default: '20' },
  method: { type: 'string', default: 'bitcoin' }, 'no-postgres': { type: 'boolean' },
} });
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const PG_ADMIN = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = new URL('../', import.meta.url).pathname;
const DEPOSIT = JSON.stringify({ amount: 10, currency: 'USD', payment_method: values.method });

function createAccount(env: Record<string, string>): Record<string, string> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'account', 'create', '--type', 'business', '--currency', 'USD', '--json'],
    { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, string>;
}

function basic(account: Record<string, string>): Record<string, string> {
  return { authorization: 'Basic ' + Buffer.from(`${account['api_id']}:${account['api_secret']}`).toString('base64'), 'content-type': 'application/json' };
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

async function withDatabase<T>(name: string, work: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
  try {
    return await work(url);
  } finally {
    const dropper = new pg.Client({ connectionString: PG_ADMIN });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`);
    await dropper.end();
  }
}

function pgbenchArgs(url: string): string[] {
  const u = new URL(url);
  return ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres'];
}

function pgbench(url: string): number {
  const out = execFileSync('pgbench', [...pgbenchArgs(url), '-N', '-c', String(connections), '-j', '2', '-T', String(seconds), new URL(url).pathname.slice(1)], { encoding: 'utf8' });
  return Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? 0);
}

async function withCoffer<T>(env: Record<string, string>, work: (server: Server, headers: Record<string, string>) => Promise<T>): Promise<T> {
  const headers = basic(createAccount(env));
  const server = await startCoffer(env);
  try {
    return await work(server, headers);
  } finally {
    await server.stop();
  }
}

const hello = await startHello();
const sqliteDir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
const sqliteRounds: Array<{ hello: number; balance: number; ratio: number; deposit: number; depositErrors: number; balanceP99Ms: number }> = [];
try {
  await withCoffer({ COFFER_DATA_DIR: sqliteDir }, async (server, headers) => {
    const balanceUrl = `${server.url}/v2/accounts/balance`;
    await timedLoad({ url: `${hello.url}/`, connections, durationS: 2 });
    await timedLoad({ url: balanceUrl, connections, durationS: 2, headers });
    // Every balance round before any deposit round: after a deposit round the server's WAL
    // checkpointer (a worker thread) spends seconds writing the new pages home, which would take
    // CPU from the next balance round and measure the checkpoint, not the endpoint.
    const balanceRounds: Array<{ h: Awaited<ReturnType<typeof timedLoad>>; b: Awaited<ReturnType<typeof timedLoad>> }> = [];
    for (let round = 1; round <= rounds; round++) {
      const h = await timedLoad({ url: `${hello.url}/`, connections, durationS: seconds });
      const b = await timedLoad({ url: balanceUrl, connections, durationS: seconds, headers });
      balanceRounds.push({ h, b });
      console.error(`round ${round}: hello ${Math.round(h.requestsPerSecond)}/s, balance ${Math.round(b.requestsPerSecond)}/s`);
    }
    for (const [i, { h, b }] of balanceRounds.entries()) {
      const d = await timedLoad({ url: `${server.url}/v2/accounts/deposit`, connections, durationS: seconds, method: 'POST', headers, body: DEPOSIT });
      sqliteRounds.push({ hello: Math.round(h.requestsPerSecond), balance: Math.round(b.requestsPerSecond), ratio: round2(b.requestsPerSecond / h.requestsPerSecond),
        deposit: Math.round(d.requestsPerSecond), depositErrors: d.non2xx, balanceP99Ms: b.latencyP99Ms });
      console.error(`deposit round ${i + 1}: ${Math.round(d.requestsPerSecond)}/s`);
    }
  });
} finally {
  await hello.stop();
  rmSync(sqliteDir, { recursive: true, force: true });
}

let postgres: { rounds: Array<{ pgbenchTps: number; deposit: number; ratio: number }>; medianRatio: number } | null = null;
if (!values['no-postgres']) {
  const pgRounds: Array<{ pgbenchTps: number; deposit: number; ratio: number }> = [];
  await withDatabase('coffer_pgbench', async (benchUrl) => {
    execFileSync('pgbench', [...pgbenchArgs(benchUrl), '-i', '-s', '10', '-q', new URL(benchUrl).pathname.slice(1)], { stdio: 'ignore' });
    await withDatabase('coffer_bench', async (url) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
      try {
        await withCoffer({ DATABASE_URL: url, COFFER_DATA_DIR: dataDir }, async (server, headers) => {
          const depositLoad = (durationS: number) => timedLoad({ url: `${server.url}/v2/accounts/deposit`, connections, durationS, method: 'POST', headers, body: DEPOSIT });
          await depositLoad(2);
          for (let round = 1; round <= rounds; round++) {
            const tps = pgbench(benchUrl);
            const d = await depositLoad(seconds);
            pgRounds.push({ pgbenchTps: Math.round(tps), deposit: Math.round(d.requestsPerSecond), ratio: round2(d.requestsPerSecond / tps) });
            console.error(`pg round ${round}: pgbench -N ${Math.round(tps)} TPS, deposit ${Math.round(d.requestsPerSecond)}/s`);
          }
        });
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
  postgres = { rounds: pgRounds, medianRatio: median(pgRounds.map((r) => r.ratio)) };
}

const result = {
  at: new Date().toISOString(), loadTool: wrkAvailable ? 'wrk -t1' : 'autocannon', seconds, rounds, connections, method: values.method,
  balanceRatioMedian: median(sqliteRounds.map((r) => r.ratio)),
  depositSqliteMedianPerS: median(sqliteRounds.map((r) => r.deposit)),
  sqliteRounds,
  postgres,
};
writeFileSync(new URL('./results/api-throughput.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
