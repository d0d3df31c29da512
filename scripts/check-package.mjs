#!/usr/bin/env node
// CI: proves the release package. `npm pack` (which compiles src/ to dist/ through `prepare`),
// then `npm install <tarball>` in an empty folder — production dependencies only, as a user
// would install it — and run the installed `coffer` with plain node: `help`, `account create`,
// and `serve` answering /healthz and an authenticated balance, then a clean exit on SIGTERM.
// The tarball's dependencies come from the npm registry (through the local cache when it has
// them). Prints one line per check and a last line 'check-package: P passed, F failed'.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'coffer-package-'));
const app = join(work, 'app');
const dataDir = join(work, 'data');
let passed = 0;
let failed = 0;
const check = (name, ok, detail = '') => {
  if (ok) passed++; else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || !detail ? '' : ' — ' + detail}`);
  return ok;
};
const finish = () => {
  rmSync(work, { recursive: true, force: true });
  console.log(`check-package: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
};
const run = (cmd, args, options = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });

try {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT }));
  const tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  check('npm pack builds a tarball with the compiled server and no TypeScript sources',
    files.includes('dist/main.js') && files.includes('bin/coffer.mjs') && !files.some((f) => f.endsWith('.ts')), files.slice(0, 20).join(' '));

  mkdirSync(app);
  // The native modules' install scripts are approved here as in the project's own package.json;
  // coffer's own `prepare` (the build) does not run for a tarball, which already holds dist/.
  writeFileSync(join(app, 'package.json'), JSON.stringify({ private: true, allowScripts: { 'better-sqlite3': true, secp256k1: true, coffer: false } }));
  const started = Date.now();
  run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, env: { ...process.env, JOBS: 'max' }, stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`     (npm install of the tarball took ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  const devOnly = ['typescript', 'tsx', 'viem', 'fast-check'].filter((name) => existsSync(join(app, 'node_modules', name)));
  check('the install holds production dependencies only', devOnly.length === 0, devOnly.join(', '));

  const coffer = join(app, 'node_modules', '.bin', 'coffer');
  const env = { ...process.env, COFFER_DATA_DIR: dataDir, COFFER_LOG_LEVEL: 'info' };
  delete env.COFFER_MODE;
  check('coffer help', /coffer serve/.test(run(coffer, ['help'], { cwd: app, env })));
  const account = JSON.parse(run(coffer, ['account', 'create', '--type', 'business', '--currency', 'USD', '--json'], { cwd: app, env }).trim().split('\n').pop());
  check('coffer account create', typeof account.api_id === 'string' && typeof account.api_secret === 'string', JSON.stringify(account));

  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = spawn(coffer, ['serve'], { cwd: app, env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  for (const stream of [server.stdout, server.stderr]) stream.on('data', (chunk) => { log += chunk; });
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  const base = `http://127.0.0.1:${port}`;
  let up = false;
  for (let i = 0; i < 200 && !up; i++) {
    try { up = (await fetch(`${base}/healthz`)).ok; } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  if (check('coffer serve answers /healthz', up, log.slice(-600))) {
    const authorization = 'Basic ' + Buffer.from(`${account.api_id}:${account.api_secret}`).toString('base64');
    const balance = await fetch(`${base}/v2/accounts/balance`, { headers: { authorization } });
    check('coffer serve answers an authenticated balance', balance.status === 200, String(balance.status));
  }
  server.kill('SIGTERM');
  const exit = await Promise.race([exited, new Promise((r) => setTimeout(() => r({ timeout: true }), 30_000))]);
  check('SIGTERM shuts it down cleanly', exit.code === 0 && /"msg":"shut down"/.test(log), JSON.stringify(exit));
  check('its worker threads ran (the SQLite checkpointer)', !/COFFER_CHECKPOINTER/.test(log), log.slice(-600));
  server.kill('SIGKILL');
} catch (error) {
  check('the package checks ran', false, String(error.stderr || error.stack || error).slice(0, 800));
}
finish();
