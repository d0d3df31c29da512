// Proves what a sandbox `coffer serve` does not load at start (docs/benchmarks.md, "Compiled
// release"): no payment rail's backend (RPC clients, watchers: loaded by the rail's `create` only
// when it is configured), no nodemailer (only with COFFER_SMTP_URL), no qrcode (at the first QR
// code). The process records every module it loads through Node's documented customization hooks
// (test/support/record-loads.mjs); the rails' plugins and sandboxes must be among them, so the
// recording itself is checked. Checked twice: on the TypeScript sources through tsx, and on the
// release bundle (scripts/build.mjs), where a loaded chunk stands for the sources esbuild's
// metafile says went into it, so a bundle that pulled a lazy module into a start would fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from '../scripts/build.mjs';

const ROOT = new URL('..', import.meta.url).pathname;

/** Every module URL a sandbox `coffer serve` (node with `args`) loaded until /healthz answered. */
async function loadedBySandboxServe(args: readonly string[]): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-loads-'));
  const out = join(dir, 'loads.txt');
  const port = 30000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, ['--import', join(ROOT, 'test/support/record-loads.mjs'), ...args, 'serve'], {
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

/**
 * Asserts what a sandbox start loaded, given whether it loaded one of our sources (path under src/)
 * and any file of a package.
 */
function assertNothingLazyLoaded(ours: (path: string) => boolean, pkg: (name: string) => boolean): void {
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
}

test('a sandbox coffer serve loads no rail backend, no nodemailer and no qrcode', async () => {
  const loaded = await loadedBySandboxServe(['--import', 'tsx', join(ROOT, 'src/main.ts')]);
  assertNothingLazyLoaded(
    (path) => loaded.some((url) => url.endsWith(`/src/${path}`)),
    (name) => loaded.some((url) => url.includes(`/node_modules/${name}/`)),
  );
});

test('the release bundle keeps them out of a sandbox start too, and holds the worker modules where its code looks', async () => {
  // Built under the checkout (its gitignored tmp/), so the external packages resolve from its
  // node_modules, and apart from dist/, which other tests run at the same time.
  mkdirSync(join(ROOT, 'tmp'), { recursive: true });
  const outdir = mkdtempSync(join(ROOT, 'tmp', 'bundle-'));
  try {
    const meta = await bundle(outdir);
    const loaded = await loadedBySandboxServe([join(outdir, 'main.js')]);
    // Output files and inputs are named relative to the checkout in the metafile (a package by its
    // real path, which may be outside the checkout when node_modules is a link).
    const inputs = loaded.flatMap((url) => url.startsWith('file:') ? Object.keys(meta.outputs[relative(ROOT, fileURLToPath(url))]?.inputs ?? {}) : []);
    // An external package (scripts/build.mjs) is recorded as its own files.
    const external = loaded.filter((url) => url.includes('/node_modules/'));
    assertNothingLazyLoaded(
      (path) => inputs.includes(`src/${path}`),
      (name) => inputs.some((input) => input.includes(`node_modules/${name}/`)) || external.some((url) => url.includes(`/node_modules/${name}/`)),
    );
    // The worker threads' modules, which the bundled code resolves against its own chunk's URL,
    // are there (the checkpointer's start is also checked by scripts/check-package.mjs).
    const workers = new Set(Object.keys(meta.outputs).flatMap((output) =>
      [...readFileSync(join(ROOT, output), 'utf8').matchAll(/"\.\/([\w-]+\.js)", import\.meta\.url/g)].map((m) => m[1]!)));
    assert.deepEqual([...workers].sort(), ['checkpointer-worker.js', 'derive-worker.js']);
    for (const worker of workers) assert.ok(existsSync(join(outdir, worker)), `${worker} beside the chunks`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});
