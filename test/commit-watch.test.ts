// The balance cache's change detector sees every commit — by another connection of this process,
// by another process, after a checkpoint has reset the WAL — and reports no change when there was
// none; without a WAL (no -shm file) it falls back to PRAGMA data_version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import BetterSqlite3 from 'better-sqlite3';
import { CommitWatch } from '../src/storage/sql-text.ts';

const betterSqlite3Path = createRequire(import.meta.url).resolve('better-sqlite3');

function insertFromAnotherProcess(path: string): void {
  execFileSync(process.execPath, ['-e', `const D = require(${JSON.stringify(betterSqlite3Path)}); const db = new D(${JSON.stringify(path)}); db.pragma('busy_timeout = 5000'); db.prepare('insert into t (x) values (2)').run(); db.close();`]);
}

for (const journal of ['wal', 'delete'] as const) {
  test(`commits are seen (${journal} journal)`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'coffer-watch-'));
    const path = join(dir, 'watch.db');
    const writer = new BetterSqlite3(path);
    writer.pragma(`journal_mode = ${journal}`);
    writer.exec('create table t (x integer)');
    const reader = new BetterSqlite3(path, { readonly: true });
    const watch = new CommitWatch(reader);
    try {
      assert.equal(watch.readsWalIndex, journal === 'wal');
      assert.equal(watch.changed(), true, 'the first call always reports a change');
      assert.equal(watch.changed(), false);
      assert.equal(watch.changed(), false);
      writer.prepare('insert into t (x) values (1)').run();
      assert.equal(watch.changed(), true, 'a commit by another connection');
      assert.equal(watch.changed(), false);
      insertFromAnotherProcess(path);
      assert.equal(watch.changed(), true, 'a commit by another process');
      assert.equal(watch.changed(), false);
      if (journal === 'wal') {
        writer.pragma('wal_checkpoint(TRUNCATE)');
        watch.changed();
        writer.prepare('insert into t (x) values (3)').run();
        assert.equal(watch.changed(), true, 'a commit after the WAL was reset');
      }
      // A read-only statement commits nothing.
      writer.prepare('select count(*) from t').get();
      assert.equal(watch.changed(), false);
      assert.equal((reader.prepare('select count(*) as n from t').get() as { n: number }).n, journal === 'wal' ? 3 : 2);
    } finally {
      watch.close();
      reader.close();
      writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
