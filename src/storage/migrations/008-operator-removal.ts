// Removing an operator (issue 17 follow-up): the operator is disabled, not deleted. The append-only
// audit log names operators by id (actor_id, and targets `operator:<id>`), and sessions and
// recovery codes reference operator_users: a disabled row keeps every audit entry resolvable to
// the email it was written by. Frozen in time: imports no application code.

import type { Kysely } from 'kysely';
import type { MigrationDialect } from './index.ts';

export async function up(db: Kysely<unknown>, _dialect: MigrationDialect): Promise<void> {
  // Null while the operator may sign in; the time of removal after.
  await db.schema.alterTable('operator_users').addColumn('disabled_at', 'text').execute();
}
