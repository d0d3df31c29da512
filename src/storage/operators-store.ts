// The operator console's storage: operator users, their sessions, single-use recovery codes and
// the append-only audit log (the table refuses update and delete: migration 005). The operator
// use cases (usecases/operators.ts, usecases/operator-audit.ts) are its only callers.

import type { Kysely, Selectable } from 'kysely';
import type { Database, OperatorAuditTable, OperatorSessionsTable, OperatorUsersTable } from './schema.ts';
import { iso, toDate, toDateOrNull } from './codec.ts';

export const OperatorRoles = ['read_only', 'operator'] as const;
export type OperatorRole = (typeof OperatorRoles)[number];

export interface OperatorUser {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly role: OperatorRole;
  readonly totpSecret: string | null;
  readonly totpEnabledAt: Date | null;
  readonly totpLastStep: number | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** When the operator was removed (it can no longer sign in), or null. */
  readonly disabledAt: Date | null;
}

export type OperatorSessionStage = 'password' | 'full';

export interface OperatorSession {
  readonly id: string;
  readonly operatorId: string;
  readonly stage: OperatorSessionStage;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface AuditEntry {
  readonly actorId: string;
  readonly actorName: string;
  readonly action: string;
  readonly target: string;
  /** JSON text of the state before and after, or null where there is none. */
  readonly before: string | null;
  readonly after: string | null;
  readonly at: Date;
}

export interface AuditRow extends AuditEntry {
  readonly seq: number;
}

function toOperator(row: Selectable<OperatorUsersTable>): OperatorUser {
  return {
    id: row.id, email: row.email, passwordHash: row.password_hash, role: row.role as OperatorRole, totpSecret: row.totp_secret,
    totpEnabledAt: toDateOrNull(row.totp_enabled_at), totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
    createdAt: toDate(row.created_at), updatedAt: toDate(row.updated_at), disabledAt: toDateOrNull(row.disabled_at),
  };
}

function toSession(row: Selectable<OperatorSessionsTable>): OperatorSession {
  return { id: row.id, operatorId: row.operator_id, stage: row.stage as OperatorSessionStage, createdAt: toDate(row.created_at), expiresAt: toDate(row.expires_at) };
}

function toAudit(row: Selectable<OperatorAuditTable>): AuditRow {
  return {
    seq: Number(row.seq), actorId: row.actor_id, actorName: row.actor_name, action: row.action, target: row.target,
    before: row.before_state, after: row.after_state, at: toDate(row.at),
  };
}

export class OperatorsStore {
  constructor(private readonly k: Kysely<Database>, private readonly rowLocks = false) {}

  async insert(user: OperatorUser): Promise<void> {
    await this.k.insertInto('operator_users').values({
      id: user.id, email: user.email, password_hash: user.passwordHash, role: user.role, totp_secret: user.totpSecret,
      totp_enabled_at: user.totpEnabledAt ? iso(user.totpEnabledAt) : null, totp_last_step: user.totpLastStep,
      created_at: iso(user.createdAt), updated_at: iso(user.updatedAt), disabled_at: user.disabledAt ? iso(user.disabledAt) : null,
    }).execute();
  }

  async byEmail(email: string, lock = false): Promise<OperatorUser | null> {
    let query = this.k.selectFrom('operator_users').selectAll().where('email', '=', email);
    if (lock && this.rowLocks) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toOperator(row) : null;
  }

  /**
   * Ids of the operators not removed that have `role`, their rows locked (PostgreSQL): two
   * removals at once queue here, and the second sees the first one's removal.
   */
  async activeIdsWithRole(role: OperatorRole): Promise<string[]> {
    let query = this.k.selectFrom('operator_users').select('id').where('role', '=', role).where('disabled_at', 'is', null);
    if (this.rowLocks) query = query.forUpdate();
    return (await query.orderBy('id').execute()).map((row) => row.id);
  }

  async disable(id: string, now: Date): Promise<void> {
    await this.k.updateTable('operator_users').set({ disabled_at: iso(now), updated_at: iso(now) }).where('id', '=', id).execute();
  }

  async byId(id: string, lock = false): Promise<OperatorUser | null> {
    let query = this.k.selectFrom('operator_users').selectAll().where('id', '=', id);
    if (lock && this.rowLocks) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toOperator(row) : null;
  }

  async list(): Promise<OperatorUser[]> {
    return (await this.k.selectFrom('operator_users').selectAll().orderBy('email').execute()).map(toOperator);
  }

  async setTotp(id: string, secret: string | null, enabledAt: Date | null, now: Date): Promise<void> {
    await this.k.updateTable('operator_users').set({ totp_secret: secret, totp_enabled_at: enabledAt ? iso(enabledAt) : null, totp_last_step: null, updated_at: iso(now) })
      .where('id', '=', id).execute();
  }

  /** Enables the stored TOTP secret (its first code was given; the accepted step stays recorded). */
  async enableTotp(id: string, now: Date): Promise<void> {
    await this.k.updateTable('operator_users').set({ totp_enabled_at: iso(now), updated_at: iso(now) }).where('id', '=', id).execute();
  }

  /** Records the accepted TOTP step only if it is later than the last one; false when it was already used. */
  async acceptTotpStep(id: string, step: number): Promise<boolean> {
    const result = await this.k.updateTable('operator_users').set({ totp_last_step: step }).where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)])).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async setPasswordHash(id: string, passwordHash: string, now: Date): Promise<void> {
    await this.k.updateTable('operator_users').set({ password_hash: passwordHash, updated_at: iso(now) }).where('id', '=', id).execute();
  }

  async insertSession(session: OperatorSession): Promise<void> {
    await this.k.insertInto('operator_sessions').values({
      id: session.id, operator_id: session.operatorId, stage: session.stage, created_at: iso(session.createdAt), expires_at: iso(session.expiresAt),
    }).execute();
  }

  async session(id: string): Promise<OperatorSession | null> {
    const row = await this.k.selectFrom('operator_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSession(row) : null;
  }

  async extendSession(id: string, expiresAt: Date): Promise<void> {
    await this.k.updateTable('operator_sessions').set({ expires_at: iso(expiresAt) }).where('id', '=', id).execute();
  }

  async deleteSession(id: string): Promise<void> {
    await this.k.deleteFrom('operator_sessions').where('id', '=', id).execute();
  }

  /** Ends every session of one operator; returns how many there were. */
  async deleteSessionsOf(operatorId: string): Promise<number> {
    const result = await this.k.deleteFrom('operator_sessions').where('operator_id', '=', operatorId).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    const result = await this.k.deleteFrom('operator_sessions').where('expires_at', '<=', iso(now)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async replaceRecoveryCodes(operatorId: string, codeHashes: readonly string[]): Promise<void> {
    await this.k.deleteFrom('operator_recovery_codes').where('operator_id', '=', operatorId).execute();
    if (codeHashes.length === 0) return;
    await this.k.insertInto('operator_recovery_codes').values(codeHashes.map((code_hash) => ({ operator_id: operatorId, code_hash, used_at: null }))).execute();
  }

  /** Marks an unused code used; true only for the one call that did (single use under concurrency). */
  async useRecoveryCode(operatorId: string, codeHash: string, now: Date): Promise<boolean> {
    const result = await this.k.updateTable('operator_recovery_codes').set({ used_at: iso(now) })
      .where('operator_id', '=', operatorId).where('code_hash', '=', codeHash).where('used_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async unusedRecoveryCodes(operatorId: string): Promise<number> {
    const row = await this.k.selectFrom('operator_recovery_codes').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('operator_id', '=', operatorId).where('used_at', 'is', null).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.k.insertInto('operator_audit').values({
      actor_id: entry.actorId, actor_name: entry.actorName, action: entry.action, target: entry.target,
      before_state: entry.before, after_state: entry.after, at: iso(entry.at),
    }).execute();
  }

  /** The audit log newest first; `target` filters to one object, `beforeSeq` pages. */
  async audit(filter: { target?: string | undefined; beforeSeq?: number | undefined; limit: number }): Promise<AuditRow[]> {
    let query = this.k.selectFrom('operator_audit').selectAll();
    if (filter.target !== undefined) query = query.where('target', '=', filter.target);
    if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
    return (await query.orderBy('seq', 'desc').limit(filter.limit).execute()).map(toAudit);
  }
}
