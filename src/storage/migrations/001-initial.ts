// The first schema. Frozen in time: a migration never imports application code, so it keeps
// meaning what it meant when it shipped. Dialect differences are two small column types.

import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { MigrationDialect } from './index.ts';

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const pg = dialect === 'postgres';
  // Amounts: exact integers. SQLite stores canonical integer text, checked; PostgreSQL NUMERIC.
  const amount = (column: string) => (pg ? sql`numeric(78,0)` : sql`text check (${sql.ref(column)} <> '' and ${sql.ref(column)} not glob '*[^0-9-]*')`);
  const seq = pg ? sql`bigint generated always as identity primary key` : sql`integer primary key autoincrement`;

  await db.schema.createTable('accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('credentials')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('credentials_secret_hash').on('credentials').column('secret_hash').execute();
  await db.schema.createIndex('credentials_account').on('credentials').column('account_id').execute();

  await db.schema.createTable('invoices')
    .addColumn('seq', seq)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', amount('amount'))
    .addColumn('method_id', 'text', (c) => c.notNull())
    .addColumn('asset', 'text', (c) => c.notNull())
    .addColumn('unit_scale', 'integer', (c) => c.notNull())
    .addColumn('price_precision', 'integer', (c) => c.notNull())
    .addColumn('price_units', amount('price_units'))
    .addColumn('rate_units', amount('rate_units'))
    .addColumn('rate_scale', 'integer')
    .addColumn('rate_sources', 'text')
    .addColumn('rate_at', 'text')
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('uri', 'text', (c) => c.notNull())
    .addColumn('lightning_invoice', 'text')
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('chain_id', 'integer')
    .addColumn('contract_address', 'text')
    .addColumn('wallet_id', 'text')
    .addColumn('derivation_index', 'integer')
    .addColumn('confirmations_required', 'integer', (c) => c.notNull())
    .addColumn('received_units', amount('received_units'), (c) => c.notNull())
    .addColumn('credited_amount', amount('credited_amount'), (c) => c.notNull())
    .addColumn('webhook_url', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('watch_until', 'text', (c) => c.notNull())
    .addColumn('completed_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // (target_key, method_id) serves lookups by target alone too: a payment of another asset to a known address.
  await db.schema.createIndex('invoices_target').on('invoices').columns(['target_key', 'method_id']).unique().execute();
  await db.schema.createIndex('invoices_account_seq').on('invoices').columns(['account_id', 'seq']).execute();
  // Partial indexes: only invoices still in play are in them, so they stay small and cheap to update.
  await db.schema.createIndex('invoices_account_pending').on('invoices').columns(['account_id', 'status'])
    .where(sql.ref('status'), 'in', ['payment_detected', 'payment_confirmed', 'payment_error']).execute();
  await db.schema.createIndex('invoices_open_expiry').on('invoices').columns(['expires_at'])
    .where(sql.ref('status'), 'in', ['unpaid', 'payment_detected', 'payment_confirmed']).execute();

  // Companion payment targets of an invoice (the BOLT11 in a bitcoin invoice's unified BIP21).
  // created_seq is the parent invoice's seq: watchers page targets by that one cursor.
  await db.schema.createTable('invoice_targets')
    .addColumn('invoice_id', 'text', (c) => c.notNull().references('invoices.id'))
    .addColumn('method_id', 'text', (c) => c.notNull())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('created_seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('invoice_targets_target').on('invoice_targets').columns(['target_key', 'method_id']).unique().execute();
  await db.schema.createIndex('invoice_targets_seq').on('invoice_targets').columns(['created_seq']).execute();

  await db.schema.createTable('payments')
    .addColumn('seq', seq)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('invoice_id', 'text', (c) => c.notNull().references('invoices.id'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('method_id', 'text', (c) => c.notNull())
    .addColumn('payment_key', 'text', (c) => c.notNull().unique())
    .addColumn('target_key', 'text', (c) => c.notNull())
    .addColumn('txid', 'text', (c) => c.notNull())
    .addColumn('amount_units', amount('amount_units'), (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('confirmations', 'integer', (c) => c.notNull())
    .addColumn('block_hash', 'text')
    .addColumn('block_height', 'integer')
    .addColumn('rbf', 'integer', (c) => c.notNull())
    .addColumn('late', 'integer', (c) => c.notNull())
    .addColumn('rate_units', amount('rate_units'))
    .addColumn('rate_scale', 'integer')
    .addColumn('rate_sources', 'text')
    .addColumn('credited_amount', amount('credited_amount'))
    .addColumn('reversed', 'integer', (c) => c.notNull())
    .addColumn('held_reason', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('payments_invoice').on('payments').column('invoice_id').execute();
  await db.schema.createIndex('payments_method_state').on('payments').columns(['method_id', 'state']).execute();

  await db.schema.createTable('ledger_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('balance', amount('balance'), (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('transfers')
    .addColumn('seq', seq)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', amount('amount'), (c) => c.notNull())
    .addColumn('debit_account', 'text', (c) => c.notNull().references('ledger_accounts.id'))
    .addColumn('credit_account', 'text', (c) => c.notNull().references('ledger_accounts.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('invoice_id', 'text')
    .addColumn('payment_id', 'text')
    .addColumn('charge_id', 'text')
    .addColumn('reverses_id', 'text')
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addCheckConstraint('transfers_positive', pg ? sql`amount > 0` : sql`length(amount) > 0 and amount not glob '-*' and amount <> '0'`)
    .addCheckConstraint('transfers_distinct_accounts', sql`debit_account <> credit_account`)
    .execute();
  await db.schema.createIndex('transfers_account_seq').on('transfers').columns(['account_id', 'seq']).execute();

  await db.schema.createTable('charges')
    .addColumn('seq', seq)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('amount', amount('amount'), (c) => c.notNull())
    .addColumn('refunded_amount', amount('refunded_amount'), (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('charges_idempotency').on('charges').columns(['account_id', 'idempotency_key']).unique().execute();

  await db.schema.createTable('idempotency_keys')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['scope', 'key'])
    .execute();

  await db.schema.createTable('outbox')
    .addColumn('seq', seq)
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text')
    .addColumn('invoice_id', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema.createTable('watcher_state')
    .addColumn('watcher', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('watcher_state_pk', ['watcher', 'key'])
    .execute();

  await db.schema.createTable('derivation_indexes')
    .addColumn('wallet_id', 'text', (c) => c.primaryKey())
    .addColumn('next_index', 'integer', (c) => c.notNull())
    .execute();

  await db.schema.createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}
