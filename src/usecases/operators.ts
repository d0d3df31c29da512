// Operator users of the console: created from the command line only (no default password),
// passwords hashed as the website's (scrypt, web-password.ts), sign-in through the same
// concurrency-safe limits (web-login-throttle.ts reserveSignIn), then a TOTP code or a recovery
// code (operator-totp.ts). A session starts at the 'password' stage, where only the second factor
// (or its enrolment) is reachable; giving it replaces the session with a fresh 'full' one (a new
// cookie token: a token seen before the second factor is worthless after it).

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CofferError } from '../core/errors.ts';
import { AdminLimits, WebLimits } from '../core/limits.ts';
import { OperatorRoles } from '../storage/operators-store.ts';
import type { OperatorRole, OperatorSession, OperatorSessionStage, OperatorUser } from '../storage/operators-store.ts';
import type { StoreTx } from '../storage/store.ts';
import type { Deps } from './deps.ts';
import { appendAudit } from './operator-audit.ts';
import type { Actor } from './operator-audit.ts';
import { looksLikeRecoveryCode, newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpStep, totpUri } from './operator-totp.ts';
import { recordFailedSignIn, releaseSignIn, reserveSignIn, throttleKeys } from './web-login-throttle.ts';
import { burnPasswordCheck, checkNewPassword, hashPassword, normaliseEmail, verifyPassword } from './web-password.ts';

const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;
const WRONG = 'Wrong email or password';

export interface SignedInOperator {
  readonly operator: OperatorUser;
  readonly session: OperatorSession;
}

export const operatorActor = (operator: Pick<OperatorUser, 'id' | 'email'>): Actor => ({ id: operator.id, name: operator.email });

const operatorKey = (email: string) => `operator:${email}`;

function sessionId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function isOperatorRole(value: string): value is OperatorRole {
  return (OperatorRoles as readonly string[]).includes(value);
}

export async function createOperator(deps: Pick<Deps, 'store' | 'clock'>, input: { email: string; password: string; role: string }, actor: Actor): Promise<OperatorUser> {
  const email = normaliseEmail(input.email);
  if (!isOperatorRole(input.role)) throw new CofferError('invalid_param', `role must be one of ${OperatorRoles.join(', ')}`, { field: 'role' });
  checkNewPassword(input.password, email);
  const now = deps.clock.now();
  const user: OperatorUser = {
    id: `op_${randomUUID().replaceAll('-', '')}`, email, passwordHash: await hashPassword(input.password), role: input.role,
    totpSecret: null, totpEnabledAt: null, totpLastStep: null, createdAt: now, updatedAt: now, disabledAt: null,
  };
  await deps.store.transaction(async (tx) => {
    if (await tx.operators.byEmail(email)) throw new CofferError('conflict', `An operator ${email} exists already`, { field: 'email' });
    await tx.operators.insert(user);
    await appendAudit(tx, now, actor, 'operator.create', `operator:${user.id}`, null, { email, role: user.role });
  });
  return user;
}

async function startSession(tx: StoreTx, operatorId: string, stage: OperatorSessionStage, now: Date): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const ttl = stage === 'full' ? WebLimits.sessionTtlMs : AdminLimits.passwordStageTtlMs;
  await tx.operators.insertSession({ id: sessionId(token), operatorId, stage, createdAt: now, expiresAt: new Date(now.getTime() + ttl) });
  return token;
}

/** Email and password; returns a password-stage session token (the second factor comes next). */
export async function operatorSignIn(deps: Pick<Deps, 'store' | 'clock'>, input: { email: string; password: string; ip: string }): Promise<{ token: string; enrolled: boolean }> {
  const email = normaliseEmail(input.email);
  if (input.password.length === 0) throw new CofferError('missing_param', 'Enter your password', { field: 'password' });
  const keys = [operatorKey(email), throttleKeys.address(input.ip)];
  await reserveSignIn(deps, keys);
  // A removed operator is answered as an unknown email, after the same scrypt work.
  const found = await deps.store.operators.byEmail(email);
  const user = found?.disabledAt === null ? found : null;
  const ok = user ? await verifyPassword(input.password, user.passwordHash) : (await burnPasswordCheck(input.password), false);
  if (!ok || !user) {
    await recordFailedSignIn(deps, keys);
    throw new CofferError('unauthorized', WRONG, { field: 'password' });
  }
  await releaseSignIn(deps, keys);
  const token = await deps.store.transaction((tx) => startSession(tx, user.id, 'password', deps.clock.now()));
  return { token, enrolled: user.totpEnabledAt !== null };
}

/** The operator behind a cookie token at any stage, or null (unknown or expired). */
export async function resolveOperatorSession(deps: Pick<Deps, 'store' | 'clock'>, token: string | undefined): Promise<SignedInOperator | null> {
  if (token === undefined || !TOKEN_RE.test(token)) return null;
  const now = deps.clock.now();
  const session = await deps.store.operators.session(sessionId(token));
  if (!session) return null;
  if (session.expiresAt <= now) {
    await deps.store.operators.deleteSession(session.id);
    return null;
  }
  const operator = await deps.store.operators.byId(session.operatorId);
  if (!operator || operator.disabledAt !== null) return null;
  if (session.stage === 'full') {
    const slid = new Date(now.getTime() + WebLimits.sessionTtlMs);
    if (slid.getTime() - session.expiresAt.getTime() >= WebLimits.sessionRefreshMs) {
      await deps.store.operators.extendSession(session.id, slid);
      return { operator, session: { ...session, expiresAt: slid } };
    }
  }
  return { operator, session };
}

export async function endOperatorSession(deps: Pick<Deps, 'store'>, token: string | undefined): Promise<void> {
  if (token === undefined || !TOKEN_RE.test(token)) return;
  await deps.store.operators.deleteSession(sessionId(token));
}

/** Starts (or restarts) TOTP enrolment: a new secret, stored but not enabled until a code from it is given. */
export async function beginEnrolment(deps: Pick<Deps, 'store' | 'clock'>, signedIn: SignedInOperator): Promise<{ secret: string; uri: string }> {
  if (signedIn.operator.totpEnabledAt !== null) throw new CofferError('conflict', 'Two-factor sign-in is set up already');
  const secret = signedIn.operator.totpSecret ?? newTotpSecret();
  if (signedIn.operator.totpSecret === null) await deps.store.operators.setTotp(signedIn.operator.id, secret, null, deps.clock.now());
  return { secret, uri: totpUri(secret, signedIn.operator.email) };
}

async function checkCode(deps: Pick<Deps, 'store' | 'clock'>, operator: OperatorUser, secret: string, code: string): Promise<boolean> {
  const now = deps.clock.now();
  if (looksLikeRecoveryCode(code)) {
    if (operator.totpEnabledAt === null) return false;
    return deps.store.operators.useRecoveryCode(operator.id, recoveryCodeHash(code), now);
  }
  const step = totpStep(secret, code, now);
  return step !== null && deps.store.operators.acceptTotpStep(operator.id, step);
}

/** The second factor, under the same attempt limits as the password; returns the full session's token. */
async function secondFactor(deps: Pick<Deps, 'store' | 'clock'>, signedIn: SignedInOperator, code: string, ip: string,
  onSuccess: (tx: StoreTx, now: Date) => Promise<void>): Promise<string> {
  const operator = await deps.store.operators.byId(signedIn.operator.id);
  if (!operator?.totpSecret) throw new CofferError('conflict', 'Start the two-factor set-up again');
  if (code.trim().length === 0) throw new CofferError('missing_param', 'Enter the code from your authenticator app', { field: 'code' });
  const keys = [operatorKey(operator.email), throttleKeys.address(ip)];
  await reserveSignIn(deps, keys);
  if (!(await checkCode(deps, operator, operator.totpSecret, code))) {
    await recordFailedSignIn(deps, keys);
    throw new CofferError('unauthorized', 'That code is not right (or was used already)', { field: 'code' });
  }
  await releaseSignIn(deps, keys);
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    await tx.operators.deleteSession(signedIn.session.id);
    await onSuccess(tx, now);
    return startSession(tx, operator.id, 'full', now);
  });
}

/** Confirms enrolment with a first code: enables TOTP, issues recovery codes (returned once), signs in fully. */
export async function confirmEnrolment(deps: Pick<Deps, 'store' | 'clock'>, signedIn: SignedInOperator, code: string, ip: string): Promise<{ token: string; recoveryCodes: string[] }> {
  if (signedIn.operator.totpEnabledAt !== null) throw new CofferError('conflict', 'Two-factor sign-in is set up already');
  const recoveryCodes = newRecoveryCodes();
  const token = await secondFactor(deps, signedIn, code, ip, async (tx, now) => {
    await tx.operators.enableTotp(signedIn.operator.id, now);
    await tx.operators.replaceRecoveryCodes(signedIn.operator.id, recoveryCodes.map(recoveryCodeHash));
    await appendAudit(tx, now, operatorActor(signedIn.operator), 'operator.totp_enrol', `operator:${signedIn.operator.id}`, null, { recovery_codes: recoveryCodes.length });
  });
  return { token, recoveryCodes };
}

/** A TOTP or recovery code after the password: returns the full session's token. */
export async function verifyOperatorCode(deps: Pick<Deps, 'store' | 'clock'>, signedIn: SignedInOperator, code: string, ip: string): Promise<string> {
  if (signedIn.operator.totpEnabledAt === null) throw new CofferError('conflict', 'Set up two-factor sign-in first');
  return secondFactor(deps, signedIn, code, ip, async (tx, now) => {
    await appendAudit(tx, now, operatorActor(signedIn.operator), 'operator.sign_in', `operator:${signedIn.operator.id}`, null,
      { with: looksLikeRecoveryCode(code) ? 'recovery code' : 'authenticator code' });
  });
}

export function unusedRecoveryCodes(deps: Pick<Deps, 'store'>, operatorId: string): Promise<number> {
  return deps.store.operators.unusedRecoveryCodes(operatorId);
}

export function listOperators(deps: Pick<Deps, 'store'>): Promise<OperatorUser[]> {
  return deps.store.operators.list();
}

/** Housekeeping for a worker loop: drops expired operator sessions. */
export function purgeOperatorSessions(deps: Pick<Deps, 'store' | 'clock'>): Promise<number> {
  return deps.store.operators.deleteExpiredSessions(deps.clock.now());
}
