// Proves what a sandbox `coffer serve` does not load at start (docs/benchmarks.md, "Compiled
// release"): no payment rail's backend (RPC clients, watchers: loaded by the rail's `create` only
// when it is configured), no nodemailer (only with COFFER_SMTP_URL), no qrcode (at the first QR
// code). The process records every module it loads through Node's documented customization hooks
// (test/support/record-loads.mjs); the rails' plugins and sandboxes must be among them, so the
// recording itself is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;

/** Every module URL a sandbox `coffer serve` loaded until /healthz answered. */
async function loadedBySandboxServe(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-loads-'));
  const out = join(dir, 'loads.txt');
  const port = 30000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'test/support/record-loads.mjs'), join(ROOT, 'src/main.ts'), 'serve'], {
    env: { ...process.env, COFFER_MODE: 'sandbox', COFFER_DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1', COFFER_LOG_LEVEL: 'warn', RECORD_LOADS_FILE: out },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (let i = 0; ; i++) {
      assert.ok(i < 600 && child.exitCode === null, `coffer serve did not start: ${stderr}`);
      try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break; } catch { /* starting */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    return readFileSync(out, 'utf8').split('\n').filter(Boolean);
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a sandbox coffer serve loads no rail backend, no nodemailer and no qrcode', async () => {
  const loaded = await loadedBySandboxServe();
  const ours = (path: string) => loaded.some((url) => url.endsWith(`/src/${path}`));
  const pkg = (name: string) => loaded.some((url) => url.includes(`/node_modules/${name}/`));
  // The recording works: what the sandbox needs is there.
  for (const path of ['methods/registry.ts', 'methods/bitcoin/plugin.ts', 'methods/bitcoin/sandbox.ts', 'methods/evm/sandbox.ts', 'methods/tron/sandbox-target.ts', 'web/web-plugin.ts']) {
    assert.ok(ours(path), `${path} should be loaded`);
  }
  assert.ok(pkg('fastify') && pkg('kysely'), 'packages are recorded');
  const backends = [
    'methods/bitcoin/create-bitcoin-method.ts', 'methods/bitcoin/watcher.ts', 'methods/bitcoin/rpc-client.ts',
    'methods/lightning/lightning-method.ts', 'methods/lightning/lnd-backend.ts', 'methods/lightning/cln-backend.ts',
    'methods/evm/evm-method.ts', 'methods/evm/chain-watcher.ts', 'methods/evm/json-rpc.ts',
    'methods/solana/solana-method.ts', 'methods/solana/watcher.ts', 'methods/solana/rpc-client.ts',
    'methods/tron/tron-method.ts',
  ];
  assert.deepEqual(backends.filter(ours), [], 'rail backends loaded by a sandbox process');
  assert.deepEqual(['nodemailer', 'qrcode'].filter(pkg), [], 'packages loaded at start that only a feature in use needs');
});
