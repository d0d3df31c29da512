// Idempotency-Key on every POST (API.md): same key and body → the stored response replayed;
// same key, different body → 422; concurrent duplicate → 409 (in this process) or a wait and then
// the replay (another process). The key, the request's hash and the response are written in the
// same transaction as the effect they report (the use case calls `record` inside it): the key's
// primary key lets exactly one of several concurrent duplicates commit — the others roll back,
// effect and all — and a crash between commit and answer leaves a replayable response, never a
// second effect. There is no other path: the API's POSTs (http/guards.ts idempotent()) and the
// website's forms that create something (web/web-idempotency.ts formOnce) all run runOnce below.

import { createHash } from 'node:crypto';
import { CofferError } from '../core/errors.ts';
import { Limits } from '../core/limits.ts';
import type { StoreTx } from '../storage/store.ts';
import type { Deps } from './deps.ts';
import { sealRecord } from './response-record.ts';
import type { RecordResponse } from './response-record.ts';

export interface IdempotencyRequest {
  readonly scope: string;
  readonly key: string;
  readonly requestHash: string;
}

export interface StoredResponse {
  readonly status: number;
  readonly body: string;
}

/** Runs inside the effect's transaction with the rendered response (response-record.ts). */
export type { RecordResponse } from './response-record.ts';

const KEY_RE = /^[\x21-\x7e]+$/;

/** An idempotency key as given (header or form field): 1..255 printable ASCII characters, or 400. */
export function checkIdempotencyKey(key: string, field = 'Idempotency-Key'): string {
  if (key.length === 0 || key.length > Limits.idempotencyKeyLengthMax || !KEY_RE.test(key)) {
    throw new CofferError('invalid_idempotency_key', `${field} must be 1 to ${Limits.idempotencyKeyLengthMax} printable ASCII characters`, { field });
  }
  return key;
}

export function idempotencyRequest(scope: string, key: string, method: string, url: string, rawBody: string): IdempotencyRequest {
  checkIdempotencyKey(key);
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

export type IdempotentOutcome<T> =
  | { readonly replayed: false; readonly result: T }
  | { readonly replayed: true; readonly stored: StoredResponse };

/**
 * The one idempotent execution, for the API's and the website's POSTs alike. A stored response
 * is replayed (a different request under the key → 422); a duplicate already running in this
 * process → 409; otherwise `run` executes and must call `record` inside its own transaction. If
 * another process committed the key first, that transaction rolls back (effect included) and the
 * winner's response is replayed. `seed` (scope and key) lets an effect derive stable identifiers.
 */
export async function runOnce<T>(
  deps: Pick<Deps, 'store' | 'clock'>, inFlight: Set<string>, request: IdempotencyRequest,
  run: (record: RecordResponse<T>, seed: string) => Promise<T>, render: (result: T) => StoredResponse,
): Promise<IdempotentOutcome<T>> {
  const stored = await storedResponse(deps, request);
  if (stored) return { replayed: true, stored };
  const flight = `${request.scope}\u0000${request.key}`;
  if (inFlight.has(flight)) throw new CofferError('idempotency_key_in_use', 'A request with this Idempotency-Key is already being processed');
  inFlight.add(flight);
  try {
    let recorded = false;
    const record = sealRecord(async (tx: StoreTx, result: T) => {
      await recordResponse(tx, request, render(result), deps.clock.now());
      recorded = true;
    });
    const result = await run(record, `${request.scope}:${request.key}`);
    // An effect that took `record` and never called it would leave its key unprotected.
    if (!recorded) throw new Error(`idempotent effect in scope ${request.scope} finished without recording its response`);
    return { replayed: false, result };
  } catch (error) {
    if (error instanceof CofferError && error.code === 'idempotency_key_in_use') {
      const winner = await storedResponse(deps, request);
      if (winner) return { replayed: true, stored: winner };
    }
    throw error;
  } finally {
    inFlight.delete(flight);
  }
}

/** Records `response` in `tx`; if another request got there first the transaction must roll back. */
export async function recordResponse(tx: StoreTx, request: IdempotencyRequest, response: StoredResponse, now: Date): Promise<void> {
  const inserted = await tx.idempotency.insert(request.scope, request.key, request.requestHash, response.status, response.body, now);
  if (!inserted) throw new CofferError('idempotency_key_in_use', 'A request with this Idempotency-Key is already being processed');
}

export async function purgeIdempotency(deps: Pick<Deps, 'store' | 'clock'>): Promise<void> {
  await deps.store.idempotency.purgeOlderThan(new Date(deps.clock.now().getTime() - Limits.idempotencyRetentionMs));
}
