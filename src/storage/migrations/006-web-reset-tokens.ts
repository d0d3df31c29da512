// One-time link tokens for website logins — password reset and email confirmation (`purpose`):
// only the SHA-256 of each token is stored (the token itself travels in the emailed link), with
// its expiry and the moment it was used (single use). Logins get `email_verified_at`.
// Frozen in time like every migration: it imports no application code.

import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('web_reset_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('web_users.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('web_reset_tokens_user').on('web_reset_tokens').column('user_id').execute();
  await db.schema.createIndex('web_reset_tokens_expiry').on('web_reset_tokens').column('expires_at').execute();
  await db.schema.alterTable('web_users').addColumn('email_verified_at', 'text').execute();
}
