// Proves issue 15 finding 7 on the real `coffer serve` process: a refused or missing PostgreSQL
// database, a port in use and a data directory under a file each stop the start with one line
// naming DATABASE_URL / PORT / COFFER_DATA_DIR and what to do, without a stack; live mode with no
// payment method refuses to start; a bad usdt_trc20 xpub or contract names its setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DATABASE_URL } from './support/harness.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const MAIN = join(ROOT, 'src/main.ts');
const START_TIMEOUT_MS = 60_000;

/** Runs `coffer serve` and resolves with its exit code and stderr; kills it if it starts serving instead. */
function serve(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve'], { env: { ...process.env, COFFER_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
    child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stderr }); });
  });
}

function assertOneLine(result: { status: number | null; stderr: string }, setting: string): void {
  assert.equal(result.status, 1, result.stderr);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, no stack: ${result.stderr}`);
  assert.match(lines[0]!, new RegExp(`^Configuration error: ${setting}: `), result.stderr);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

test('start-up failures name the setting in one line, without a stack', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-start-'));
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  try {
    const dataDir = join(dir, 'data');
    const taken = (blocker.address() as AddressInfo).port;
    assertOneLine(await serve({ COFFER_DATA_DIR: dataDir, PORT: String(taken) }), 'PORT');

    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    assertOneLine(await serve({ COFFER_DATA_DIR: join(file, 'data'), PORT: '0' }), 'COFFER_DATA_DIR');

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await serve({ COFFER_DATA_DIR: dataDir, PORT: '0', DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/test` });
    assertOneLine(refused, 'DATABASE_URL');

    const live = await serve({ COFFER_DATA_DIR: dataDir, PORT: '0', COFFER_MODE: 'live' });
    assertOneLine(live, 'COFFER_MODE');
    assert.match(live.stderr, /payment method/);

    // usdt_trc20: an unparseable xpub and a contract whose base58check checksum is wrong.
    const tron = { COFFER_DATA_DIR: dataDir, PORT: '0', COFFER_MODE: 'regtest', COFFER_TRON_RPC_URL: 'http://127.0.0.1:1/jsonrpc' };
    assertOneLine(await serve({ ...tron, COFFER_TRON_XPUB: 'xpub-not-a-key' }), 'COFFER_TRON_XPUB');
    const tronXpub = 'xpub6D1AabNHCupeiLM65ZR9UStMhJ1vCpyV4XbZdyhMZBiJXALQtmn9p42VTQckoHVn8WNqS7dqnJokZHAHcHGoaQgmv8D45oNUKx6DZMNZBCd';
    assertOneLine(await serve({ ...tron, COFFER_TRON_XPUB: tronXpub, COFFER_TRON_USDT_CONTRACT: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u' }), 'COFFER_TRON_USDT_CONTRACT');

    const debug = await serve({ COFFER_DATA_DIR: dataDir, PORT: String(taken), COFFER_LOG_LEVEL: 'debug' });
    assert.match(debug.stderr, /^Configuration error: PORT: /);
    assert.match(debug.stderr, /\n\s+at /, 'the stack at debug level');
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a PostgreSQL database that does not exist names DATABASE_URL', { skip: TEST_DATABASE_URL ? false : 'TEST_DATABASE_URL is not set' }, async () => {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = '/coffer_no_such_database';
  const dir = mkdtempSync(join(tmpdir(), 'coffer-start-'));
  try {
    const result = await serve({ COFFER_DATA_DIR: dir, PORT: '0', DATABASE_URL: url.toString() });
    assertOneLine(result, 'DATABASE_URL');
    assert.match(result.stderr, /does not exist/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
