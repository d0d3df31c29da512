// The audit log of operator actions (issue 19): who, what, when, the state before and after.
// Every admin operation writes its entry inside the transaction of its effect, through the
// `record` hook the use cases already call there (idempotency.ts RecordResponse): the entry
// commits with the effect or not at all, and a replayed request (same idempotency key) writes
// none. The table refuses update and delete (migration 005): append-only.

import type { StoreTx } from '../storage/store.ts';
import type { AuditRow } from '../storage/operators-store.ts';
import type { Deps } from './deps.ts';
import type { RecordResponse } from './idempotency.ts';
import { sealRecord } from './response-record.ts';
import { AdminLimits } from '../core/limits.ts';

/** Who acts: an operator user, or the holder of the admin API token. */
export interface Actor {
  readonly id: string;
  readonly name: string;
}

export const ADMIN_TOKEN_ACTOR: Actor = { id: 'admin-token', name: 'admin API token' };


export interface AuditSpec<T> {
  readonly action: string;
  readonly target: string;
  /** The state before, as read by the operation (null when the object did not exist). */
  readonly before?: unknown;
  readonly after: (result: T) => unknown;
}

function json(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export async function appendAudit(tx: StoreTx, now: Date, actor: Actor, action: string, target: string, before: unknown, after: unknown): Promise<void> {
  await tx.operators.appendAudit({ actorId: actor.id, actorName: actor.name, action, target, before: json(before), after: json(after), at: now });
}

/** A `record` hook that appends the audit entry, then runs the caller's own (the idempotent response). */
export function audited<T>(deps: Pick<Deps, 'clock'>, actor: Actor, spec: AuditSpec<T>, record?: RecordResponse<T>): RecordResponse<T> {
  return sealRecord<T>(async (tx, result) => {
    await appendAudit(tx, deps.clock.now(), actor, spec.action, spec.target, spec.before, spec.after(result));
    if (record) await record(tx, result);
  });
}

export function auditLog(deps: Pick<Deps, 'store'>, filter: { target?: string | undefined; beforeSeq?: number | undefined; limit?: number | undefined }): Promise<AuditRow[]> {
  return deps.store.operators.audit({ target: filter.target, beforeSeq: filter.beforeSeq, limit: Math.min(filter.limit ?? 50, AdminLimits.auditPageMax) });
}
