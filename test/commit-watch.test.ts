// The balance cache's change detection: PRAGMA data_version sees every commit by another
// connection or process (after a checkpoint has reset the WAL too), checked once per event-loop
// turn and reporting no change when there was none; and this process's own commits — a
// transaction's COMMIT or a write in autocommit, through Kysely on the writer — show on the very
// next read, in the same turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import BetterSqlite3 from 'better-sqlite3';
import { CommitWatch } from '../src/storage/read-cache.ts';
import { migrate, openDatabase } from '../src/storage/database.ts';
import { Store } from '../src/storage/store.ts';

const betterSqlite3Path = createRequire(import.meta.url).resolve('better-sqlite3');
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function insertFromAnotherProcess(path: string): void {
  execFileSync(process.execPath, ['-e', `const D = require(${JSON.stringify(betterSqlite3Path)}); const db = new D(${JSON.stringify(path)}); db.pragma('busy_timeout = 5000'); db.prepare('insert into t (x) values (2)').run(); db.close();`]);
}

for (const journal of ['wal', 'delete'] as const) {
  test(`commits by other connections are seen from the next turn (${journal} journal)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-watch-'));
    const path = join(dir, 'watch.db');
    const writer = new BetterSqlite3(path);
    writer.pragma(`journal_mode = ${journal}`);
    writer.exec('create table t (x integer)');
    const reader = new BetterSqlite3(path, { readonly: true });
    const watch = new CommitWatch(reader);
    try {
      assert.equal(watch.changed(), true, 'the first call always reports a change');
      await nextTurn();
      assert.equal(watch.changed(), false);
      writer.prepare('insert into t (x) values (1)').run();
      assert.equal(watch.changed(), false, 'checked once per turn: the answer stands for the rest of it');
      await nextTurn();
      assert.equal(watch.changed(), true, 'a commit by another connection');
      await nextTurn();
      assert.equal(watch.changed(), false);
      insertFromAnotherProcess(path);
      await nextTurn();
      assert.equal(watch.changed(), true, 'a commit by another process');
      if (journal === 'wal') {
        writer.pragma('wal_checkpoint(TRUNCATE)');
        await nextTurn();
        watch.changed();
        writer.prepare('insert into t (x) values (3)').run();
        await nextTurn();
        assert.equal(watch.changed(), true, 'a commit after the WAL was reset');
      }
      // A read-only statement commits nothing.
      writer.prepare('select count(*) from t').get();
      await nextTurn();
      assert.equal(watch.changed(), false);
      assert.equal((reader.prepare('select count(*) as n from t').get() as { n: number }).n, journal === 'wal' ? 3 : 2);
    } finally {
      reader.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("this process's commits show on the next read in the same turn (transaction and autocommit)", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-watch-'));
  const db = await openDatabase({ sqlitePath: join(dir, 'coffer.db') });
  try {
    await migrate(db);
    const store = new Store(db);
    const balance = async () => (await store.ledger.balancesWithPending('acct:watch:', 'acc_watch')).balances.map((b) => b.balance);
    const now = new Date().toISOString();
    await db.kysely.insertInto('ledger_accounts').values({ id: 'acct:watch:USD', currency: 'USD', balance: '1', updated_at: now }).execute();
    await nextTurn();
    // Each step below runs within one turn (SQLite's driver is synchronous): data_version is
    // checked once, at the first read, so only the writer's own report can tell the later ones.
    assert.deepEqual(await balance(), [1n]);
    await db.kysely.transaction().execute((trx) => trx.updateTable('ledger_accounts').set({ balance: '2' }).where('id', '=', 'acct:watch:USD').execute());
    assert.deepEqual(await balance(), [2n], 'a committed transaction');
    await db.kysely.updateTable('ledger_accounts').set({ balance: '3' }).where('id', '=', 'acct:watch:USD').execute();
    assert.deepEqual(await balance(), [3n], 'a write in autocommit');
    assert.deepEqual(await balance(), [3n]);
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
