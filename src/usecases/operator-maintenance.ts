// What the command line does to an existing operator (`coffer operator reset-password|reset-2fa|
// recovery-codes|remove`): each change, the sessions it ends and its audit entry commit in one
// transaction. Removal disables the row rather than deleting it: the append-only audit log names
// operators by id (migration 008), and those entries must keep resolving to who wrote them.

import { CofferError } from '../core/errors.ts';
import type { OperatorUser } from '../storage/operators-store.ts';
import type { StoreTx } from '../storage/store.ts';
import type { Deps } from './deps.ts';
import { appendAudit } from './operator-audit.ts';
import type { Actor } from './operator-audit.ts';
import { newRecoveryCodes, recoveryCodeHash } from './operator-totp.ts';
import { checkNewPassword, hashPassword, normaliseEmail } from './web-password.ts';

const target = (operator: OperatorUser) => `operator:${operator.id}`;

/** The operator with `email`, its row locked; a removed one is refused like an unknown one would be, but says so. */
async function activeOperator(tx: StoreTx, email: string): Promise<OperatorUser> {
  const operator = await tx.operators.byEmail(email, true);
  if (!operator) throw new CofferError('not_found', `No operator has the email ${email}`, { field: 'email' });
  if (operator.disabledAt !== null) throw new CofferError('conflict', `The operator ${email} was removed`, { field: 'email' });
  return operator;
}

/** A new password (the rules of `operator create`); every session of the operator ends. */
export async function resetOperatorPassword(deps: Pick<Deps, 'store' | 'clock'>, input: { email: string; password: string }, actor: Actor): Promise<{ sessionsEnded: number }> {
  const email = normaliseEmail(input.email);
  checkNewPassword(input.password, email);
  const passwordHash = await hashPassword(input.password);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const operator = await activeOperator(tx, email);
    await tx.operators.setPasswordHash(operator.id, passwordHash, now);
    const sessionsEnded = await tx.operators.deleteSessionsOf(operator.id);
    await appendAudit(tx, now, actor, 'operator.reset_password', target(operator), null, { email, sessions_ended: sessionsEnded });
    return { sessionsEnded };
  });
}

/** Clears the TOTP enrolment and the recovery codes (the next sign-in enrols again); every session ends. */
export async function resetOperatorTwoFactor(deps: Pick<Deps, 'store' | 'clock'>, input: { email: string }, actor: Actor): Promise<{ sessionsEnded: number }> {
  const email = normaliseEmail(input.email);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const operator = await activeOperator(tx, email);
    await tx.operators.setTotp(operator.id, null, null, now);
    await tx.operators.replaceRecoveryCodes(operator.id, []);
    const sessionsEnded = await tx.operators.deleteSessionsOf(operator.id);
    await appendAudit(tx, now, actor, 'operator.reset_2fa', target(operator), { two_factor: operator.totpEnabledAt !== null },
      { two_factor: false, sessions_ended: sessionsEnded });
    return { sessionsEnded };
  });
}

/** Ten new single-use recovery codes, returned once (stored hashed); the previous ones stop working. */
export async function regenerateRecoveryCodes(deps: Pick<Deps, 'store' | 'clock'>, input: { email: string }, actor: Actor): Promise<string[]> {
  const email = normaliseEmail(input.email);
  const codes = newRecoveryCodes();
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const operator = await activeOperator(tx, email);
    // Recovery codes belong to an enrolment: without one, the first sign-in issues them.
    if (operator.totpEnabledAt === null) throw new CofferError('conflict', `The operator ${email} has not set up two-factor sign-in yet: recovery codes are issued then`);
    await tx.operators.replaceRecoveryCodes(operator.id, codes.map(recoveryCodeHash));
    await appendAudit(tx, now, actor, 'operator.recovery_codes', target(operator), null, { recovery_codes: codes.length });
    return codes;
  });
}

/**
 * Removes an operator: disabled (it cannot sign in, its sessions end), never deleted. The last
 * operator with role `operator` is refused: nobody could act in the console after it.
 */
export async function removeOperator(deps: Pick<Deps, 'store' | 'clock'>, input: { email: string }, actor: Actor): Promise<{ sessionsEnded: number }> {
  const email = normaliseEmail(input.email);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    // The operators' rows are locked first, in one order, so two removals at once queue rather
    // than both counting the other as the one that stays.
    const acting = await tx.operators.activeIdsWithRole('operator');
    const operator = await activeOperator(tx, email);
    if (operator.role === 'operator' && acting.every((id) => id === operator.id)) {
      throw new CofferError('conflict', `${email} is the last operator with role operator: create another one first`, { field: 'email' });
    }
    await tx.operators.disable(operator.id, now);
    const sessionsEnded = await tx.operators.deleteSessionsOf(operator.id);
    await appendAudit(tx, now, actor, 'operator.remove', target(operator), { email, role: operator.role }, { disabled_at: now.toISOString(), sessions_ended: sessionsEnded });
    return { sessionsEnded };
  });
}
