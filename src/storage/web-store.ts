// The website's storage: logins attached to accounts, browser sessions, the sign-in throttle,
// and the small usage summary business accounts see. The web use cases are its only callers.

import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Database, WebLoginThrottleTable, WebSessionsTable, WebUsersTable } from './schema.ts';
import { iso, toAmount, toDate, toDateOrNull } from './codec.ts';
import type { WebUser } from '../core/account.ts';

// WebUser is a domain type (core/account.ts); re-exported for the use cases that read it from here.
export type { WebUser };

export interface WebSession {
  /** SHA-256 (hex) of the cookie token. */
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface ThrottleState {
  readonly key: string;
  readonly failures: number;
  readonly windowStartedAt: Date;
  readonly lockedUntil: Date | null;
}

export type LinkPurpose = 'reset' | 'verify';

export interface WebResetToken {
  /** SHA-256 (hex) of the token sent in the link. */
  readonly id: string;
  readonly userId: string;
  readonly purpose: LinkPurpose;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface UsageRow {
  readonly kind: string;
  readonly currency: string;
  readonly count: number;
  readonly totalMinor: bigint;
}

function toUser(row: Selectable<WebUsersTable>): WebUser {
  return {
    id: row.id, accountId: row.account_id, email: row.email, passwordHash: row.password_hash,
    createdAt: toDate(row.created_at), updatedAt: toDate(row.updated_at), emailVerifiedAt: toDateOrNull(row.email_verified_at ?? null),
  };
}

function toSession(row: Selectable<WebSessionsTable>): WebSession {
  return { id: row.id, userId: row.user_id, createdAt: toDate(row.created_at), expiresAt: toDate(row.expires_at) };
}

function toThrottle(row: Selectable<WebLoginThrottleTable>): ThrottleState {
  return { key: row.key, failures: row.failures, windowStartedAt: toDate(row.window_started_at), lockedUntil: toDateOrNull(row.locked_until) };
}

export class WebStore {
  constructor(private readonly k: Kysely<Database>, private readonly rowLocks = false) {}

  async insertUser(user: WebUser): Promise<void> {
    await this.k.insertInto('web_users').values({
      id: user.id, account_id: user.accountId, email: user.email, password_hash: user.passwordHash,
      created_at: iso(user.createdAt), updated_at: iso(user.updatedAt), email_verified_at: user.emailVerifiedAt ? iso(user.emailVerifiedAt) : null,
    }).execute();
  }

  async userByEmail(email: string): Promise<WebUser | null> {
    const row = await this.k.selectFrom('web_users').selectAll().where('email', '=', email).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  /** The first website login of an account, if any. */
  async emailOfAccount(accountId: string): Promise<string | null> {
    const row = await this.k.selectFrom('web_users').select('email').where('account_id', '=', accountId).orderBy('created_at').limit(1).executeTakeFirst();
    return row?.email ?? null;
  }

  async userById(id: string): Promise<WebUser | null> {
    const row = await this.k.selectFrom('web_users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : null;
  }

  async setPasswordHash(userId: string, passwordHash: string, now: Date): Promise<void> {
    await this.k.updateTable('web_users').set({ password_hash: passwordHash, updated_at: iso(now) }).where('id', '=', userId).execute();
  }

  async insertSession(session: WebSession): Promise<void> {
    await this.k.insertInto('web_sessions').values({
      id: session.id, user_id: session.userId, created_at: iso(session.createdAt), expires_at: iso(session.expiresAt),
    }).execute();
  }

  async session(id: string): Promise<WebSession | null> {
    const row = await this.k.selectFrom('web_sessions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toSession(row) : null;
  }

  async extendSession(id: string, expiresAt: Date): Promise<void> {
    await this.k.updateTable('web_sessions').set({ expires_at: iso(expiresAt) }).where('id', '=', id).execute();
  }

  async deleteSession(id: string): Promise<void> {
    await this.k.deleteFrom('web_sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user except `keepId` (after a password change). */
  async deleteSessionsOfUser(userId: string, keepId: string | null): Promise<void> {
    let query = this.k.deleteFrom('web_sessions').where('user_id', '=', userId);
    if (keepId !== null) query = query.where('id', '<>', keepId);
    await query.execute();
  }

  async deleteExpiredSessions(now: Date): Promise<number> {
    const result = await this.k.deleteFrom('web_sessions').where('expires_at', '<=', iso(now)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * The throttle row of `key`, created empty if missing and locked until the transaction ends
   * (PostgreSQL: `for update`; SQLite serialises write transactions anyway). Inside a transaction.
   */
  async lockThrottle(key: string, now: Date): Promise<ThrottleState> {
    await this.k.insertInto('web_login_throttle').values({ key, failures: 0, window_started_at: iso(now), locked_until: null })
      .onConflict((oc) => oc.column('key').doNothing()).execute();
    let query = this.k.selectFrom('web_login_throttle').selectAll().where('key', '=', key);
    if (this.rowLocks) query = query.forUpdate();
    return toThrottle(await query.executeTakeFirstOrThrow());
  }

  async putThrottle(state: ThrottleState): Promise<void> {
    const values = {
      key: state.key, failures: state.failures, window_started_at: iso(state.windowStartedAt),
      locked_until: state.lockedUntil ? iso(state.lockedUntil) : null,
    };
    await this.k.insertInto('web_login_throttle').values(values)
      .onConflict((oc) => oc.column('key').doUpdateSet({ failures: values.failures, window_started_at: values.window_started_at, locked_until: values.locked_until }))
      .execute();
  }

  /** Drops throttle rows whose window and lock are both over (they no longer limit anything). */
  async deleteStaleThrottles(windowStartedBefore: Date, now: Date): Promise<number> {
    const result = await this.k.deleteFrom('web_login_throttle').where('window_started_at', '<', iso(windowStartedBefore))
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', iso(now))])).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async insertResetToken(token: WebResetToken): Promise<void> {
    await this.k.insertInto('web_reset_tokens').values({
      id: token.id, user_id: token.userId, purpose: token.purpose, created_at: iso(token.createdAt), expires_at: iso(token.expiresAt), used_at: null,
    }).execute();
  }

  /** The unused, unexpired link token of this purpose with this hash, or null (a confirmation link never resets a password). */
  async liveResetToken(id: string, now: Date, purpose: LinkPurpose = 'reset'): Promise<WebResetToken | null> {
    const row = await this.k.selectFrom('web_reset_tokens').selectAll().where('id', '=', id).where('purpose', '=', purpose)
      .where('used_at', 'is', null).where('expires_at', '>', iso(now)).executeTakeFirst();
    return row ? { id: row.id, userId: row.user_id, purpose, createdAt: toDate(row.created_at), expiresAt: toDate(row.expires_at) } : null;
  }

  /**
   * Marks the token used if it is still live; true for exactly one caller (a conditional update,
   * so two concurrent resets with one link cannot both succeed). Inside the reset's transaction.
   */
  async consumeResetToken(id: string, now: Date, purpose: LinkPurpose = 'reset'): Promise<boolean> {
    const result = await this.k.updateTable('web_reset_tokens').set({ used_at: iso(now) }).where('id', '=', id).where('purpose', '=', purpose)
      .where('used_at', 'is', null).where('expires_at', '>', iso(now)).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Every other reset link of the user becomes worthless (after a reset or a password change). */
  async deleteResetTokensOfUser(userId: string): Promise<void> {
    await this.k.deleteFrom('web_reset_tokens').where('user_id', '=', userId).where('purpose', '=', 'reset').execute();
  }

  async setEmailVerified(userId: string, now: Date): Promise<void> {
    await this.k.updateTable('web_users').set({ email_verified_at: iso(now) }).where('id', '=', userId).where('email_verified_at', 'is', null).execute();
  }

  async deleteExpiredResetTokens(now: Date): Promise<number> {
    const result = await this.k.deleteFrom('web_reset_tokens').where('expires_at', '<=', iso(now)).executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async clearThrottle(key: string): Promise<void> {
    await this.k.deleteFrom('web_login_throttle').where('key', '=', key).execute();
  }

  /** Balance movements of an account since `since`, per kind and currency (exact sums). */
  async usage(accountId: string, since: Date): Promise<UsageRow[]> {
    // Amounts are integer text (SQLite) or NUMERIC (PostgreSQL); summing them as bigint and
    // reading the sum back as text stays exact on both.
    const rows = await this.k.selectFrom('transfers')
      .select(['kind', 'currency'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .select(sql<string>`cast(sum(cast(amount as bigint)) as text)`.as('total'))
      .where('account_id', '=', accountId).where('kind', '<>', 'receive').where('created_at', '>=', iso(since))
      .groupBy(['kind', 'currency']).orderBy('kind').orderBy('currency').execute();
    return rows.map((r) => ({ kind: r.kind, currency: r.currency, count: Number(r.n), totalMinor: toAmount(r.total) }));
  }

  /** Deposit invoices of an account created since `since`, per status. */
  async depositCounts(accountId: string, since: Date): Promise<Array<{ status: string; count: number }>> {
    const rows = await this.k.selectFrom('invoices').select('status').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', accountId).where('created_at', '>=', iso(since)).groupBy('status').orderBy('status').execute();
    return rows.map((r) => ({ status: r.status, count: Number(r.n) }));
  }
}
