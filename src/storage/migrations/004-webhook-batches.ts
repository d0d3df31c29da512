// Operator endpoints may take several events per request (`batch_max`, 1 = one event each).

import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('webhook_endpoints').addColumn('batch_max', 'integer', (c) => c.notNull().defaultTo(1)).execute();
}
