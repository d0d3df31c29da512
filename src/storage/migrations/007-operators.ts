// The operator console (issue 19): operator users (scrypt password hash, TOTP secret, role),
// their browser sessions, single-use recovery codes (hashed), and the append-only audit log of
// every operator action — update and delete are refused by a trigger on both dialects. Held
// payments gain how an operator resolved them. Frozen in time: imports no application code.

import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { MigrationDialect } from './index.ts';

export async function up(db: Kysely<unknown>, dialect: MigrationDialect): Promise<void> {
  const pg = dialect === 'postgres';
  const seq = pg ? sql`bigint generated always as identity primary key` : sql`integer primary key autoincrement`;

  await db.schema.createTable('operator_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('totp_secret', 'text')
    .addColumn('totp_enabled_at', 'text')
    .addColumn('totp_last_step', 'bigint')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // A session is 'password' (TOTP still to give or enrol) or 'full'.
  await db.schema.createTable('operator_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operator_users.id'))
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_sessions_operator').on('operator_sessions').column('operator_id').execute();

  await db.schema.createTable('operator_recovery_codes')
    .addColumn('operator_id', 'text', (c) => c.notNull().references('operator_users.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addPrimaryKeyConstraint('operator_recovery_codes_pk', ['operator_id', 'code_hash'])
    .execute();

  await db.schema.createTable('operator_audit')
    .addColumn('seq', seq)
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('before_state', 'text')
    .addColumn('after_state', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_audit_target').on('operator_audit').column('target').execute();

  if (pg) {
    await sql`create function operator_audit_append_only() returns trigger language plpgsql as $$
      begin raise exception 'operator_audit is append-only'; end $$`.execute(db);
    await sql`create trigger operator_audit_no_change before update or delete on operator_audit
      for each row execute function operator_audit_append_only()`.execute(db);
  } else {
    await sql`create trigger operator_audit_no_update before update on operator_audit
      begin select raise(abort, 'operator_audit is append-only'); end`.execute(db);
    await sql`create trigger operator_audit_no_delete before delete on operator_audit
      begin select raise(abort, 'operator_audit is append-only'); end`.execute(db);
  }

  await db.schema.alterTable('payments').addColumn('resolution', 'text').execute();
  await db.schema.alterTable('payments').addColumn('resolution_note', 'text').execute();
}
