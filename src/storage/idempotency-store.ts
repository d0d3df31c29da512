// Idempotency keys: the recorded response of each completed keyed request.

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { iso, toDate } from './codec.ts';

export interface IdempotencyRecord {
  readonly requestHash: string;
  readonly responseStatus: number;
  readonly responseBody: string;
  readonly createdAt: Date;
}

export class IdempotencyStore {
  constructor(private readonly k: Kysely<Database>) {}

  async get(scope: string, key: string): Promise<IdempotencyRecord | null> {
    const row = await this.k.selectFrom('idempotency_keys').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst();
    if (!row || row.response_status === null || row.response_body === null) return null;
    return { requestHash: row.request_hash, responseStatus: row.response_status, responseBody: row.response_body, createdAt: toDate(row.created_at) };
  }

  /** Records the response of a completed request; false when another request recorded the key first. */
  async insert(scope: string, key: string, requestHash: string, status: number, body: string, now: Date): Promise<boolean> {
    const result = await this.k.insertInto('idempotency_keys').values({
      scope, key, request_hash: requestHash, state: 'done', response_status: status, response_body: body, created_at: iso(now),
    }).onConflict((oc) => oc.columns(['scope', 'key']).doNothing()).executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async purgeOlderThan(before: Date): Promise<void> {
    await this.k.deleteFrom('idempotency_keys').where('created_at', '<', iso(before)).execute();
  }
}
