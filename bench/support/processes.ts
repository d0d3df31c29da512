// Starting and stopping the servers a benchmark measures, and the load tool.

import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface Server {
  readonly child: ChildProcess;
  readonly url: string;
  stop(): Promise<void>;
}

export function freePort(): number {
  return 20000 + Math.floor(Math.random() * 20000);
}

async function waitUp(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status < 500) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server at ${url} did not start`);
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

export async function startHello(): Promise<Server> {
  const port = freePort();
  const child = spawn(process.execPath, [`${ROOT}bench/support/hello-server.mjs`], { env: { ...process.env, PORT: String(port) }, stdio: 'ignore', cwd: ROOT });
  const url = `http://127.0.0.1:${port}`;
  await waitUp(`${url}/`, child, 20_000);
  return { child, url, stop: stopper(child) };
}

/** `compiled`: run dist/ (what `npm start` runs; build it first) with plain node instead of the sources through tsx. */
export async function startCoffer(env: Record<string, string>, options: { compiled?: boolean; nodeArgs?: readonly string[] } = {}): Promise<Server> {
  const port = freePort();
  const entry = options.compiled ? [`${ROOT}dist/main.js`] : ['--import', 'tsx', `${ROOT}src/main.ts`];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry, 'serve'], {
    env: { ...process.env, COFFER_LOG_LEVEL: 'warn', COFFER_RATE_LIMIT: '0', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'], cwd: ROOT,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUp(`${url}/healthz`, child, 60_000);
  return { child, url, stop: stopper(child) };
}

export function rssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export interface Load {
  readonly requestsPerSecond: number;
  readonly ok: number;
  readonly non2xx: number;
  readonly latencyP99Ms: number;
}

export async function load(options: { url: string; connections: number; durationS: number; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; amount?: number }): Promise<Load> {
  const result = await autocannon({
    url: options.url, connections: options.connections, pipelining: 1,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationS }),
    method: options.method ?? 'GET', headers: options.headers ?? {}, ...(options.body ? { body: options.body } : {}),
  });
  const ok = result['2xx'];
  const seconds = result.duration;
  return { requestsPerSecond: ok / seconds, ok, non2xx: result.non2xx + result.errors, latencyP99Ms: result.latency.p99 };
}

/** wrk (C, from Debian) when installed: it leaves more of the 2 cores to the server than autocannon. */
export const wrkAvailable = (() => {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version.
    return (error as { status?: number }).status === 1;
  }
})();

function luaString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** One load run with wrk (one thread): successful responses per second, non-2xx count, p99. */
export async function wrkLoad(options: { url: string; connections: number; durationS: number; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<Load> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-wrk-'));
  const script = join(dir, 'request.lua');
  const lines = [`wrk.method = ${luaString(options.method ?? 'GET')}`];
  if (options.body !== undefined) lines.push(`wrk.body = ${luaString(options.body)}`);
  for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  writeFileSync(script, lines.join('\n') + '\n');
  const out = await new Promise<string>((resolve, reject) => {
    execFile('wrk', ['-t1', `-c${options.connections}`, `-d${options.durationS}s`, '--latency', '-s', script, options.url], { encoding: 'utf8' },
      (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
  const seconds = options.durationS;
  // No Lua response hook (it would slow wrk itself down): wrk's own summary counts non-2xx.
  const total = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99Ms = p99 ? Number(p99[1]) * (p99[2] === 'us' ? 0.001 : p99[2] === 's' ? 1000 : 1) : 0;
  return { requestsPerSecond: (total - non2xx) / seconds, ok: total - non2xx, non2xx, latencyP99Ms: p99Ms };
}

/** wrk when installed, else autocannon (timed runs only). */
export function timedLoad(options: { url: string; connections: number; durationS: number; method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }): Promise<Load> {
  return wrkAvailable ? wrkLoad(options) : load(options);
}
