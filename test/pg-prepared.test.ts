// PostgreSQL runs the hot-path statements (SqlText's fixed texts) as named prepared statements,
// prepared once per connection; with COFFER_DB_PREPARED_STATEMENTS=false (a pooler that cannot
// keep them) nothing is prepared and the same work gives the same results.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { openDatabase } from '../src/storage/database.ts';
import { Store } from '../src/storage/store.ts';
import { loadConfig } from '../src/config.ts';
import { openTestDb, TEST_DATABASE_URL } from './support/harness.ts';
import type { TestDb } from './support/harness.ts';

describe('PostgreSQL prepared statements', { skip: TEST_DATABASE_URL === '' ? 'no TEST_DATABASE_URL' : false }, () => {
  let testDb: TestDb;
  before(async () => { testDb = await openTestDb('postgres'); });
  after(() => testDb.close());

  for (const prepared of [true, false]) {
    test(`preparedStatements ${prepared}: ${prepared ? 'each fixed text is prepared once on the connection' : 'nothing is prepared'}`, async () => {
      // One connection, so the session whose prepared statements are listed is the one that worked.
      const db = await openDatabase({ databaseUrl: TEST_DATABASE_URL, schema: testDb.location.schema!, poolSize: 1, preparedStatements: prepared });
      try {
        const store = new Store(db);
        const wallet = `prepared-${prepared}`;
        const firsts: number[] = [];
        for (let i = 0; i < 3; i++) firsts.push(await store.transaction((tx) => tx.derivation.reserve(wallet, 2), { singleStatement: true }));
        assert.deepEqual(firsts, [0, 2, 4]);
        const listed = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements where name like 'coffer\\_%'`.execute(db.kysely);
        if (!prepared) assert.equal(listed.rows.length, 0);
        else {
          assert.equal(listed.rows.length, 1, 'three reservations, one prepared statement');
          assert.match(listed.rows[0]!.statement, /derivation_indexes/);
        }
      } finally {
        await db.close();
      }
    });
  }
});

test('COFFER_DB_PREPARED_STATEMENTS is on by default, false turns it off, anything else stops the start naming it', () => {
  assert.equal(loadConfig({}).databasePreparedStatements, true);
  assert.equal(loadConfig({ COFFER_DB_PREPARED_STATEMENTS: 'false' }).databasePreparedStatements, false);
  assert.throws(() => loadConfig({ COFFER_DB_PREPARED_STATEMENTS: 'no' }), /COFFER_DB_PREPARED_STATEMENTS/);
});
