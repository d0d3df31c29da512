// The ordered list of migrations and the runner. Each migration runs once, in its own
// transaction, recorded in coffer_migrations. Concurrent starters are serialised: PostgreSQL by
// an advisory lock taken before anything else, SQLite by its single writer.

import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import * as initial from './001-initial.ts';
import * as webhooks from './002-webhooks.ts';
import * as web from './003-web.ts';
import * as webhookBatches from './004-webhook-batches.ts';
import * as invoiceConversion from './005-invoice-conversion.ts';
import * as webResetTokens from './006-web-reset-tokens.ts';
import * as operators from './007-operators.ts';
import * as operatorRemoval from './008-operator-removal.ts';

export type MigrationDialect = 'sqlite' | 'postgres';

interface Migration {
  readonly name: string;
  up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void>;
}

export const migrations: readonly Migration[] = [
  { name: '001-initial', up: initial.up },
  { name: '002-webhooks', up: webhooks.up },
  { name: '003-web', up: web.up },
  { name: '004-webhook-batches', up: webhookBatches.up },
  { name: '005-invoice-conversion', up: invoiceConversion.up },
  { name: '006-web-reset-tokens', up: webResetTokens.up },
  { name: '007-operators', up: operators.up },
  { name: '008-operator-removal', up: operatorRemoval.up },
];

const MIGRATION_LOCK_ID = 7_264_001;

/**
 * Applies what is missing. On PostgreSQL the advisory lock comes first, before anything else
 * touches the catalogue: two starters creating `coffer_migrations` at once on an empty database
 * otherwise collide in pg_type's unique index (`create table if not exists` is not safe against
 * a concurrent create). It is a session lock on one connection, held across the migrations'
 * own transactions; SQLite serialises the starters by its single writer.
 */
export async function migrateToLatest(db: Kysely<unknown>, dialect: MigrationDialect): Promise<string[]> {
  if (dialect !== 'postgres') return applyPending(db, dialect);
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(conn);
    try {
      return await applyPending(conn, dialect);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(conn);
    }
  });
}

async function applyPending(db: Kysely<unknown>, dialect: MigrationDialect): Promise<string[]> {
  await db.schema.createTable('coffer_migrations').ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();
  const applied: string[] = [];
  for (const migration of migrations) {
    const ran = await db.transaction().execute(async (trx) => {
      const done = await sql<{ name: string }>`select name from coffer_migrations where name = ${migration.name}`.execute(trx);
      if (done.rows.length > 0) return false;
      await migration.up(trx, dialect);
      await sql`insert into coffer_migrations (name, applied_at) values (${migration.name}, ${new Date().toISOString()})`.execute(trx);
      return true;
    });
    if (ran) applied.push(migration.name);
  }
  return applied;
}
