// Proves `npm start` leaves no orphan: SIGTERM sent to the process `npm start` started (npm
// itself) reaches the server, which shuts down cleanly, and npm exits 0 after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

/** The pid every pino line of the server carries, to stop an orphan should the test fail. */
function serverPids(log: string): number[] {
  return [...new Set([...log.matchAll(/"pid":(\d+)/g)].map((m) => Number(m[1])))];
}

test('SIGTERM to the npm start process shuts the server down cleanly, and npm exits 0', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'coffer-npm-start-'));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const env = { ...process.env, COFFER_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', COFFER_LOG_LEVEL: 'info' };
  const npm = spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  for (const stream of [npm.stdout, npm.stderr]) stream.on('data', (chunk: Buffer) => { log += chunk.toString(); });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => npm.on('exit', (code, signal) => resolve({ code, signal })));
  const healthz = `http://127.0.0.1:${port}/healthz`;
  try {
    let up = false;
    for (let i = 0; i < 300 && !up; i++) {
      try { up = (await fetch(healthz)).ok; } catch { await new Promise((r) => setTimeout(r, 100)); }
    }
    assert.ok(up, `npm start did not serve /healthz:\n${log}`);
    npm.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null }, `npm's exit; the log:\n${log}`);
    assert.match(log, /"msg":"shut down"/, 'the server ran its shutdown');
    await assert.rejects(fetch(healthz), 'nothing serves the port any more');
  } finally {
    npm.kill('SIGKILL');
    for (const pid of serverPids(log)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('npm run coffer -- help prints the usage', () => {
  const result = spawnSync('npm', ['run', '-s', 'coffer', '--', 'help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^coffer — prepaid balances/);
  assert.match(result.stdout, /coffer serve/);
});
