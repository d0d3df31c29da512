// Proves the real `coffer serve` process: bad configuration stops it at start naming the
// setting; it serves health, readiness and metrics; and SIGTERM lets an in-flight request
// finish before a clean exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const MAIN = join(ROOT, 'src/main.ts');

function coffer(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

test('bad configuration stops the server at start with a message naming the setting', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-cfg-'));
  try {
    const cases: Array<[Record<string, string>, string]> = [
      [{ COFFER_MODE: 'production' }, 'COFFER_MODE'],
      [{ PORT: 'eighty' }, 'PORT'],
      [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
      [{ COFFER_ADMIN_TOKEN: 'short' }, 'COFFER_ADMIN_TOKEN'],
      [{ COFFER_DEPOSIT_MAX: 'USD=lots' }, 'COFFER_DEPOSIT_MAX'],
      [{ COFFER_MODE: 'regtest', COFFER_BITCOIN_XPUB: 'xpub-not-a-key', COFFER_BITCOIN_RPC_URL: 'http://u:p@127.0.0.1:1' }, 'COFFER_BITCOIN_XPUB'],
    ];
    for (const [env, setting] of cases) {
      const result = coffer(['serve'], { COFFER_DATA_DIR: dataDir, PORT: '0', ...env });
      assert.equal(result.status, 1, `${JSON.stringify(env)}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`Configuration error: ${setting}`), result.stderr);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('serve answers health, readiness and metrics, and drains in-flight requests on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-serve-'));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const env = { COFFER_DATA_DIR: dataDir, PORT: String(port), COFFER_LOG_LEVEL: 'warn' };
  try {
    const created = coffer(['account', 'create', '--type', 'business', '--currency', 'EUR', '--json'], env);
    assert.equal(created.status, 0, created.stderr);
    const account = JSON.parse(created.stdout.trim().split('\n').pop()!) as { api_id: string; api_secret: string };
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 200; i++) {
      try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* starting */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
    const headers = { authorization: 'Basic ' + Buffer.from(`${account.api_id}:${account.api_secret}`).toString('base64'), 'content-type': 'application/json' };
    const balance = (await (await fetch(`${base}/v2/accounts/balance`, { headers })).json()) as { data: { balance: number; currency: string } };
    assert.deepEqual(balance.data.balance, 0);
    assert.equal(balance.data.currency, 'EUR');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /coffer_http_requests_total\{method="GET",route="\/v2\/accounts\/balance",status="200"\} 1/);
    assert.match(metrics, /coffer_method_up\{method="bitcoin"\} 1/);
    // A request surely in flight when SIGTERM arrives: its headers sent first, its body after the
    // signal, on a keep-alive connection the client never closes (the server must, once answered).
    const body = JSON.stringify({ amount: '5.5', currency: 'EUR', payment_method: 'lightning' });
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => { received += chunk.toString(); });
    const closedByServer = once(socket, 'close');
    socket.write(`POST /v2/accounts/deposit HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\nAuthorization: ${headers.authorization}\r\n`
      + `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    socket.write(body);
    await closedByServer;
    assert.match(received, /^HTTP\/1\.1 200 /);
    assert.equal((JSON.parse(received.slice(received.indexOf('\r\n\r\n') + 4)) as { data: { amount: number } }).data.amount, 5.5);
    assert.equal(await exited, 0, `the server's log:\n${log}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('kill -9 while a keyed deposit is in flight: the retry after restart yields exactly one invoice', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-kill-'));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const env = { COFFER_DATA_DIR: dataDir, PORT: String(port), COFFER_LOG_LEVEL: 'warn' };
  const base = `http://127.0.0.1:${port}`;
  const start = async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    for (let i = 0; i < 300; i++) {
      try { if ((await fetch(`${base}/healthz`)).ok) return { child, exited }; } catch { /* starting */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('server did not start');
  };
  try {
    const created = coffer(['account', 'create', '--type', 'business', '--currency', 'USD', '--json'], env);
    const account = JSON.parse(created.stdout.trim().split('\n').pop()!) as { api_id: string; api_secret: string };
    const headers = { authorization: 'Basic ' + Buffer.from(`${account.api_id}:${account.api_secret}`).toString('base64'), 'content-type': 'application/json' };
    const body = JSON.stringify({ amount: 12, currency: 'USD', payment_method: 'bitcoin' });
    for (const [round, delayMs] of [[1, 0], [2, 15], [3, 40]] as const) {
      const server = await start();
      const keyed = { ...headers, 'idempotency-key': `crash-${round}` };
      const first = fetch(`${base}/v2/accounts/deposit`, { method: 'POST', headers: keyed, body }).then((r) => r.json() as Promise<{ data: { id: string } }>, () => null);
      await new Promise((r) => setTimeout(r, delayMs));
      server.child.kill('SIGKILL');
      await server.exited;
      const answered = await first;
      const again = await start();
      const retry = await fetch(`${base}/v2/accounts/deposit`, { method: 'POST', headers: keyed, body });
      assert.equal(retry.status, 200);
      const id = ((await retry.json()) as { data: { id: string } }).data.id;
      if (answered) assert.equal(id, answered.data.id, 'a response that got out is the one replayed');
      const list = (await (await fetch(`${base}/v2/invoices?limit=50`, { headers })).json()) as { data: unknown[] };
      assert.equal(list.data.length, round, `one invoice per key after round ${round}`);
      again.child.kill('SIGTERM');
      await again.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
