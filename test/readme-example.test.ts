// Proves issue 15 finding 8 (README): the README's JavaScript example runs as pasted into an .mjs
// file, unchanged, against a real Coffer server on each dialect, and ends with the balance credited.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAccount } from '../src/usecases/manage-accounts.ts';
import { dialects, openWorld } from './support/harness.ts';
import type { World } from './support/harness.ts';

const EXAMPLE_TIMEOUT_MS = 90_000;

/** The ```js block of the README's "A deposit, end to end" section. */
function readmeExample(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## A deposit, end to end'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  assert.ok(match, 'the README has a js block under "A deposit, end to end"');
  return match[1]!;
}

function runNode(file: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), EXAMPLE_TIMEOUT_MS);
    child.on('exit', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
}

for (const dialect of dialects()) {
  describe(`README example (${dialect})`, () => {
    let world: World;
    let dir: string;
    before(async () => {
      world = await openWorld(dialect);
      await world.app.listen({ port: 0, host: '127.0.0.1' });
      dir = mkdtempSync(join(tmpdir(), 'coffer-readme-'));
    });
    after(async () => {
      await world.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('the deposit example runs unchanged as an .mjs file and credits 250 USD', async () => {
      const file = join(dir, 'deposit.mjs');
      writeFileSync(file, readmeExample());
      const { issued } = await createAccount(world.deps, { type: 'business', currency: 'USD' });
      const port = (world.app.server.address() as AddressInfo).port;
      const result = await runNode(file, { API_ID: issued.apiId!, API_SECRET: issued.apiSecret!, COFFER_URL: `http://127.0.0.1:${port}` });
      assert.equal(result.status, 0, result.stderr);
      const lines = result.stdout.trim().split('\n');
      assert.match(lines[0]!, /^pay 0\.\d+ BTC to \S+$/);
      assert.equal(lines.at(-1), 'complete 250 USD');
    });
  });
}
