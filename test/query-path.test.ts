// One query path on SQLite: outside a transaction, a read written with the query builder and one
// written as a store's fixed SQL text behave alike while the writer has a transaction open —
// neither waits for it to end, both see only what is committed — and both see its commit after.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, openDatabase } from '../src/storage/database.ts';
import { Store } from '../src/storage/store.ts';

const WAITED = 'waited for the writer';
async function within<T>(work: Promise<T>, ms: number): Promise<T | typeof WAITED> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work, new Promise<typeof WAITED>((resolve) => { timer = setTimeout(() => resolve(WAITED), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}

test('reads outside a transaction, builder or fixed text, do not wait behind the writer and see committed rows only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coffer-path-'));
  const db = await openDatabase({ sqlitePath: join(dir, 'coffer.db') });
  let finish = (): void => {};
  try {
    await migrate(db);
    const store = new Store(db);
    const createdAt = new Date();
    await store.accounts.insert({ id: 'acc_path', type: 'business', currency: 'USD', status: 'active', label: null, createdAt });
    const finished = new Promise<void>((resolve) => { finish = resolve; });
    let changed!: () => void;
    const statusChanged = new Promise<void>((resolve) => { changed = resolve; });
    const transaction = store.transaction(async (tx) => {
      await tx.accounts.setStatus('acc_path', 'frozen');
      changed();
      await finished;
    });
    await statusChanged;
    // The writer now holds an open transaction with an uncommitted change.
    const viaBuilder = await within(store.accounts.list(10, 0), 2000);
    const viaText = await within(store.accounts.get('acc_path'), 2000);
    assert.notEqual(viaBuilder, WAITED, 'the query builder read');
    assert.notEqual(viaText, WAITED, 'the fixed-text read');
    assert.deepEqual(viaBuilder === WAITED ? null : viaBuilder.map((a) => a.status), ['active']);
    assert.equal(viaText === WAITED ? null : viaText?.status, 'active');
    finish();
    await transaction;
    assert.deepEqual((await store.accounts.list(10, 0)).map((a) => a.status), ['frozen']);
    assert.equal((await store.accounts.get('acc_path'))?.status, 'frozen');
  } finally {
    finish();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
