// HTTP throughput, as ratios to baselines measured in the same run (issue 2):
//  - GET /v2/accounts/balance vs a bare Fastify hello-world (same tool, same connections);
//  - POST /v2/accounts/deposit on SQLite (invoices/s) and on PostgreSQL vs `pgbench -N` TPS.
// Usage: node --import tsx bench/api-throughput.ts [--seconds 10] [--connections 20] [--no-postgres]
// Writes bench/results/api-throughput.json.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { load, startCoffer, startHello } from './support/processes.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '20' }, 'no-postgres': { type: 'boolean' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const PG_ADMIN = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT = new URL('../', import.meta.url).pathname;

function createAccount(env: Record<string, string>): Record<string, string> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'account', 'create', '--type', 'business', '--currency', 'USD', '--json'],
    { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Record<string, string>;
}

function basic(account: Record<string, string>): Record<string, string> {
  return { authorization: 'Basic ' + Buffer.from(`${account['api_id']}:${account['api_secret']}`).toString('base64'), 'content-type': 'application/json' };
}

const DEPOSIT = JSON.stringify({ amount: 10, currency: 'USD', payment_method: 'bitcoin' });

async function coffeeRun(env: Record<string, string>) {
  const account = createAccount(env);
  const server = await startCoffer(env);
  try {
    const headers = basic(account);
    await load({ url: `${server.url}/v2/accounts/balance`, connections, durationS: 2, headers }); // warm-up
    const balance = await load({ url: `${server.url}/v2/accounts/balance`, connections, durationS: seconds, headers });
    const deposit = await load({ url: `${server.url}/v2/accounts/deposit`, connections, durationS: seconds, method: 'POST', headers, body: DEPOSIT });
    return { balance, deposit };
  } finally {
    await server.stop();
  }
}

async function withDatabase<T>(name: string, work: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`drop database if exists ${name}`);
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

function pgbench(url: string): number {
  const u = new URL(url);
  const args = ['-h', u.hostname, '-p', u.port || '5432', '-U', u.username || 'postgres'];
  execFileSync('pgbench', [...args, '-i', '-s', '10', '-q', u.pathname.slice(1)], { stdio: 'ignore' });
  const out = execFileSync('pgbench', [...args, '-N', '-c', String(connections), '-j', '2', '-T', String(seconds), u.pathname.slice(1)], { encoding: 'utf8' });
  return Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? 0);
}

const hello = await startHello();
await load({ url: `${hello.url}/`, connections, durationS: 2 });
const helloLoad = await load({ url: `${hello.url}/`, connections, durationS: seconds });
await hello.stop();

const dataDir = mkdtempSync(join(tmpdir(), 'coffer-bench-'));
const sqlite = await coffeeRun({ COFFER_DATA_DIR: dataDir });
rmSync(dataDir, { recursive: true, force: true });

let postgres: { deposit: number; pgbenchTps: number; ratio: number } | null = null;
if (!values['no-postgres']) {
  const tps = await withDatabase('coffer_pgbench', async (url) => pgbench(url));
  const run = await withDatabase('coffer_bench', async (url) => coffeeRun({ DATABASE_URL: url, COFFER_DATA_DIR: mkdtempSync(join(tmpdir(), 'coffer-bench-')) }));
  postgres = { deposit: run.deposit.requestsPerSecond, pgbenchTps: tps, ratio: run.deposit.requestsPerSecond / tps };
}

const result = {
  at: new Date().toISOString(), seconds, connections,
  helloWorldRps: helloLoad.requestsPerSecond,
  balanceRps: sqlite.balance.requestsPerSecond,
  balanceRatio: sqlite.balance.requestsPerSecond / helloLoad.requestsPerSecond,
  balanceP99Ms: sqlite.balance.latencyP99Ms,
  depositSqlitePerS: sqlite.deposit.requestsPerSecond,
  depositSqliteErrors: sqlite.deposit.non2xx,
  postgres,
};
writeFileSync(new URL('./results/api-throughput.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');
console.log(JSON.stringify(result, null, 2));
