// Issue 15, finding 8c: an invoice in another currency than its account's credits the account's
// currency at a rate locked at creation. The invoice stores that currency and the rate (value,
// sources, time). Nullable: invoices created before keep crediting their own currency. Frozen in
// time like every migration: it imports no application code.

import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { MigrationDialect } from './index.ts';

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const pg = dialect === 'postgres';
  // Same exact-integer column as 001's amounts: SQLite text, checked; PostgreSQL NUMERIC.
  const amount = (column: string) => (pg ? sql`numeric(78,0)` : sql`text check (${sql.ref(column)} <> '' and ${sql.ref(column)} not glob '*[^0-9-]*')`);
  await db.schema.alterTable('invoices').addColumn('credit_currency', 'text').execute();
  await db.schema.alterTable('invoices').addColumn('fx_rate_units', amount('fx_rate_units')).execute();
  await db.schema.alterTable('invoices').addColumn('fx_rate_scale', 'integer').execute();
  await db.schema.alterTable('invoices').addColumn('fx_rate_sources', 'text').execute();
  await db.schema.alterTable('invoices').addColumn('fx_rate_at', 'text').execute();
}
