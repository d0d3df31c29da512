// Issue 15, finding 8c: an invoice in another currency than its account's credits the account's
// currency at rates locked at creation: the invoice stores that currency, its crypto asset's rate
// in it and in the invoice's own currency, and their sources and time. Nullable: invoices created
// before keep crediting their own currency. Frozen in time: it imports no application code.

import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { MigrationDialect } from './index.ts';

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const pg = dialect === 'postgres';
  // Same exact-integer column as 001's amounts: SQLite text, checked; PostgreSQL NUMERIC.
  const amount = (column: string) => (pg ? sql`numeric(78,0)` : sql`text check (${sql.ref(column)} <> '' and ${sql.ref(column)} not glob '*[^0-9-]*')`);
  const columns = [
    ['credit_currency', sql`text`], ['credit_rate_units', amount('credit_rate_units')], ['credit_rate_scale', sql`integer`],
    ['fx_invoice_rate_units', amount('fx_invoice_rate_units')], ['fx_invoice_rate_scale', sql`integer`],
    ['fx_sources', sql`text`], ['fx_at', sql`text`],
  ] as const;
  for (const [name, type] of columns) await db.schema.alterTable('invoices').addColumn(name, type).execute();
}
