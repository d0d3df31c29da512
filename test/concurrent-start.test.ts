// Proves that servers starting at once on an empty PostgreSQL schema all come up: N pools migrating
// it concurrently (issue 15, finding 5: the migrations table was created before the advisory
// lock, and one starter died in pg_type's unique index). SQLite starters are separate processes
// in test/idempotency-processes.test.ts (in one process better-sqlite3's busy wait blocks the loop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, openDatabase } from '../src/storage/database.ts';
import type { Db } from '../src/storage/database.ts';
import { migrations } from '../src/storage/migrations/index.ts';
import { TEST_DATABASE_URL, dialects } from './support/harness.ts';

const STARTERS = 4;
const ROUNDS = 6;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try { await client.query(statement); } finally { await client.end(); }
}

/** Opens `STARTERS` independent handles on one empty database and migrates them all at once. */
async function startTogether(open: () => Promise<Db>): Promise<string[][]> {
  const dbs = await Promise.all(Array.from({ length: STARTERS }, open));
  try {
    const outcomes = await Promise.allSettled(dbs.map((db) => migrate(db)));
    const failed = outcomes.filter((o) => o.status === 'rejected').map((o) => String((o as PromiseRejectedResult).reason));
    assert.deepEqual(failed, [], 'every starter comes up');
    return outcomes.map((o) => (o as PromiseFulfilledResult<string[]>).value);
  } finally {
    await Promise.all(dbs.map((db) => db.close()));
  }
}

for (const dialect of dialects().filter((d) => d === 'postgres')) {
  test(`${STARTERS} starters on an empty PostgreSQL schema all come up, and each migration runs once`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const schema = `coffer_start_${randomBytes(6).toString('hex')}`;
      await admin(`create schema ${schema}`);
      let applied: string[][];
      try {
        applied = await startTogether(() => openDatabase({ databaseUrl: TEST_DATABASE_URL, schema, poolSize: 2 }));
      } finally {
        await admin(`drop schema ${schema} cascade`);
      }
      assert.deepEqual(applied.flat().sort(), migrations.map((m) => m.name).sort(), 'each migration applied by exactly one starter');
    }
  });
}
