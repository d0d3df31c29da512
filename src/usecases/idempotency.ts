// Idempotency-Key on every POST (API.md): same key and body → the stored response replayed;
// same key, different body → 422; concurrent duplicate → 409. The response is recorded in the
// same transaction as the effect it reports, so a crash between commit and answer still leaves
// a replayable response and never a second effect.

import { createHash } from 'node:crypto';
import { CofferError } from '../core/errors.ts';
import { Limits } from '../core/limits.ts';
import type { StoreTx } from '../storage/store.ts';
import type { Deps } from './deps.ts';

export interface IdempotencyRequest {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
}

export interface StoredResponse {
  readonly status: number;
  readonly body: string;
}

/** Runs inside the effect's transaction with the rendered response. */
export type RecordResponse<T> = (tx: StoreTx, result: T) => Promise<void>;

const KEY_RE = /^[\x21-\x7e]+$/;

export function idempotencyRequest(scope: string, key: string, method: string, url: string, rawBody: string): IdempotencyRequest {
  if (key.length === 0 || key.length > Limits.idempotencyKeyLengthMax || !KEY_RE.test(key)) {
    throw new CofferError('invalid_param', `Idempotency-Key must be 1 to ${Limits.idempotencyKeyLengthMax} printable ASCII characters`, { field: 'Idempotency-Key' });
  }
  const requestHash = createHash('sha256').update(`${method} ${url}\n${rawBody}`).digest('hex');
  return { scope, key, requestHash };
}

/** The stored response for this key, or null when the request must run. Throws 422 on a body mismatch. */
export async function storedResponse(deps: Pick<Deps, 'store'>, request: IdempotencyRequest): Promise<StoredResponse | null> {
  const record = await deps.store.idempotency.get(request.scope, request.key);
  if (!record) return null;
  if (record.requestHash !== request.requestHash) {
    throw new CofferError('idempotency_key_reused', 'This Idempotency-Key was already used with a different request');
  }
  return { status: record.responseStatus, body: record.responseBody };
}

/** Records `response` in `tx`; if another request got there first the transaction must roll back. */
export async function recordResponse(tx: StoreTx, request: IdempotencyRequest, response: StoredResponse, now: Date): Promise<void> {
  const inserted = await tx.idempotency.insert(request.scope, request.key, request.requestHash, response.status, response.body, now);
  if (!inserted) throw new CofferError('idempotency_key_in_use', 'A request with this Idempotency-Key is already being processed');
}

export async function purgeIdempotency(deps: Pick<Deps, 'store' | 'clock'>): Promise<void> {
  await deps.store.idempotency.purgeOlderThan(new Date(deps.clock.now().getTime() - Limits.idempotencyRetentionMs));
}
