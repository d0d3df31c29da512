// Accounts and API credentials.

import type { Kysely, Selectable } from 'kysely';
import type { Account, AccountStatus, AccountType, Credential, CredentialKind } from '../core/account.ts';
import type { BalanceCurrency } from '../core/assets.ts';
import type { AccountsTable, CredentialsTable, Database } from './schema.ts';
import { iso, toDate, toDateOrNull } from './codec.ts';
import type { SqlText } from './sql-text.ts';

export function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    id: row.id, type: row.type as AccountType, currency: row.currency as BalanceCurrency,
    status: row.status as AccountStatus, label: row.label, createdAt: toDate(row.created_at),
  };
}

function toCredential(row: Selectable<CredentialsTable>): Credential {
  return {
    id: row.id, accountId: row.account_id, kind: row.kind as CredentialKind, secretHash: row.secret_hash,
    label: row.label, createdAt: toDate(row.created_at), revokedAt: toDateOrNull(row.revoked_at),
  };
}

export class AccountsStore {
  constructor(private readonly k: Kysely<Database>, private readonly rowLocks: boolean, private readonly q: SqlText) {}

  async insert(account: Account): Promise<void> {
    await this.k.insertInto('accounts').values({
      id: account.id, type: account.type, currency: account.currency, status: account.status,
      label: account.label, created_at: iso(account.createdAt),
    }).execute();
  }

  async get(id: string, lock = false): Promise<Account | null> {
    const row = lock && this.rowLocks
      ? await this.q.first<Selectable<AccountsTable>>`select * from accounts where id = ${id} for update`
      : await this.q.first<Selectable<AccountsTable>>`select * from accounts where id = ${id}`;
    return row ? toAccount(row) : null;
  }

  async list(limit: number, offset: number): Promise<Account[]> {
    const rows = await this.k.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').limit(limit).offset(offset).execute();
    return rows.map(toAccount);
  }

  async setStatus(id: string, status: AccountStatus): Promise<void> {
    await this.k.updateTable('accounts').set({ status }).where('id', '=', id).execute();
  }

  async insertCredential(credential: Credential): Promise<void> {
    await this.k.insertInto('credentials').values({
      id: credential.id, account_id: credential.accountId, kind: credential.kind, secret_hash: credential.secretHash,
      label: credential.label, created_at: iso(credential.createdAt), revoked_at: null,
    }).execute();
  }

  async getCredential(id: string): Promise<Credential | null> {
    const row = await this.q.first<Selectable<CredentialsTable>>`select * from credentials where id = ${id}`;
    return row ? toCredential(row) : null;
  }

  async findCredentialBySecretHash(secretHash: string): Promise<Credential | null> {
    const row = await this.q.first<Selectable<CredentialsTable>>`select * from credentials where secret_hash = ${secretHash}`;
    return row ? toCredential(row) : null;
  }

  async listCredentials(accountId: string): Promise<Credential[]> {
    const rows = await this.k.selectFrom('credentials').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
    return rows.map(toCredential);
  }

  async revokeCredential(id: string, at: Date): Promise<boolean> {
    const result = await this.k.updateTable('credentials').set({ revoked_at: iso(at) })
      .where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
