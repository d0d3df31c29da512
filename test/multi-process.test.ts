// Proves exactly-once across OS processes on every dialect: two processes applying the same
// observations at once credit each payment once (ADVERSARIAL 1), and a process killed with
// SIGKILL mid-stream and restarted leaves every payment credited exactly once with zero ledger
// drift (ADVERSARIAL 4).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyLedger } from '../src/usecases/verify-ledger.ts';
import { accountBalances } from '../src/usecases/read-account.ts';
import { businessAccount, dialects, openWorld, staticRates } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { accountOf, deposit, pay } from './support/observations.ts';
import type { Observation } from '../src/core/observation.ts';

const RATES = { 'BTC/USD': '50000' };
const SCRIPT = new URL('./support/apply-process.ts', import.meta.url).pathname;

function jobFile(world: World, observations: readonly Observation[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'coffer-job-')), 'job.json');
  writeFileSync(path, JSON.stringify({
    location: world.testDb.location, rates: RATES,
    observations: observations.map((o) => ({ ...o, amountUnits: o.amountUnits.toString() })),
  }));
  return path;
}

function run(path: string, onLine?: (line: string, kill: () => void) => void): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter(Boolean)) onLine?.(line, () => child.kill('SIGKILL'));
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
}

for (const dialect of dialects()) {
  describe(`multi-process exactly-once (${dialect})`, () => {
    let world: World;
    before(async () => { world = await openWorld(dialect, { rates: staticRates(RATES) }); });
    after(() => world.close());

    async function fixture(count: number) {
      const acct = await businessAccount(world.deps);
      const confirmed: Observation[] = [];
      for (let i = 0; i < count; i++) {
        const invoice = await deposit(world.deps, acct.id, '2');
        confirmed.push(pay(invoice, invoice.priceUnits!, 1));
      }
      // Each payment is first seen in the mempool, then confirmed, as a watcher reports it.
      const stream = confirmed.flatMap((o) => [{ ...o, state: 'seen' as const, confirmations: 0 }, o]);
      return { acct, stream, payments: confirmed.length };
    }

    async function assertCreditedOnce(accountId: string, payments: number): Promise<void> {
      const account = await accountOf(world.deps, accountId);
      const usd = (await accountBalances(world.deps.store, account)).find((b) => b.currency === 'USD')!.balanceMinor;
      assert.equal(usd, BigInt(payments) * 200n);
      const report = await verifyLedger(world.deps.store);
      assert.ok(report.ok, JSON.stringify(report));
    }

    test('two processes applying the same observations at once credit each payment once', async () => {
      const { acct, stream, payments } = await fixture(60);
      const forward = jobFile(world, stream);
      const backward = jobFile(world, [...stream].reverse());
      const codes = await Promise.all([run(forward), run(backward)]);
      assert.deepEqual(codes, [0, 0]);
      await assertCreditedOnce(acct.id, payments);
    });

    test('kill -9 mid-stream, then restart: every payment credited exactly once, zero drift', async () => {
      const { acct, stream, payments } = await fixture(120);
      const path = jobFile(world, stream);
      let killedAt = 0;
      const code = await run(path, (line, kill) => {
        const n = Number(line.split(' ')[1]);
        if (killedAt === 0 && n >= 70) { killedAt = n; kill(); }
      });
      assert.equal(code, null, 'the first process was killed');
      assert.ok(killedAt > 0);
      assert.equal(await run(path), 0);
      await assertCreditedOnce(acct.id, payments);
    });
  });
}
