// Accounts and API credentials: create, issue, revoke, authenticate. Secrets are random 256-bit
// values shown once; only their SHA-256 is stored and compared in constant time.

import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Account, AccountType, Credential } from '../core/account.ts';
import { AccountTypes, credentialKindFor } from '../core/account.ts';
import { isBalanceCurrency } from '../core/assets.ts';
import { CofferError } from '../core/errors.ts';
import type { Deps } from './deps.ts';
import type { RecordResponse } from './idempotency.ts';

export interface IssuedCredential {
  readonly credential: Credential;
  /** business: the API id and secret (HTTP Basic); personal: the API key (Bearer). */
  readonly apiId?: string;
  readonly apiSecret?: string;
  readonly apiKey?: string;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function token(prefix: string, bytes: number): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

export interface CreatedAccount {
  readonly account: Account;
  readonly issued: IssuedCredential;
}

/** `record` (the idempotent response) runs in the account's transaction: a duplicate request rolls back whole. */
export async function createAccount(deps: Pick<Deps, 'store' | 'clock'>, input: { type: string; currency: string; label?: string | undefined }, record?: RecordResponse<CreatedAccount>): Promise<CreatedAccount> {
  if (!(AccountTypes as readonly string[]).includes(input.type)) throw new CofferError('invalid_param', 'type must be business or personal', { field: 'type' });
  if (!isBalanceCurrency(input.currency)) throw new CofferError('invalid_param', 'currency must be one of USD, EUR or BTC', { field: 'currency' });
  const account: Account = {
    id: `acc_${randomUUID().replaceAll('-', '')}`, type: input.type as AccountType, currency: input.currency,
    status: 'active', label: input.label ?? null, createdAt: deps.clock.now(),
  };
  return deps.store.transaction(async (tx) => {
    await tx.accounts.insert(account);
    const issued = newCredential(account, deps.clock.now(), null);
    await tx.accounts.insertCredential(issued.credential);
    const created = { account, issued };
    if (record) await record(tx, created);
    return created;
  });
}

function newCredential(account: Account, now: Date, label: string | null): IssuedCredential {
  const kind = credentialKindFor(account.type);
  if (kind === 'basic') {
    const apiId = randomBytes(16).toString('hex');
    const apiSecret = randomBytes(32).toString('hex');
    return { credential: { id: apiId, accountId: account.id, kind, secretHash: hashSecret(apiSecret), label, createdAt: now, revokedAt: null }, apiId, apiSecret };
  }
  const apiKey = token('ck_', 32);
  const id = `key_${randomBytes(8).toString('hex')}`;
  return { credential: { id, accountId: account.id, kind, secretHash: hashSecret(apiKey), label, createdAt: now, revokedAt: null }, apiKey };
}

export async function issueCredential(deps: Pick<Deps, 'store' | 'clock'>, accountId: string, label: string | null = null, record?: RecordResponse<IssuedCredential>): Promise<IssuedCredential> {
  return deps.store.transaction(async (tx) => {
    const account = await tx.accounts.get(accountId);
    if (!account) throw new CofferError('not_found', 'No such account');
    const issued = newCredential(account, deps.clock.now(), label);
    await tx.accounts.insertCredential(issued.credential);
    if (record) await record(tx, issued);
    return issued;
  });
}

export async function revokeCredential(deps: Pick<Deps, 'store' | 'clock'>, credentialId: string, accountId?: string, record?: RecordResponse<string>): Promise<void> {
  const credential = await deps.store.accounts.getCredential(credentialId);
  if (!credential || (accountId !== undefined && credential.accountId !== accountId)) throw new CofferError('not_found', 'No such credential');
  if (!record) {
    await deps.store.accounts.revokeCredential(credentialId, deps.clock.now());
    return;
  }
  await deps.store.transaction(async (tx) => {
    await tx.accounts.revokeCredential(credentialId, deps.clock.now());
    await record(tx, credentialId);
  });
}

function sameHash(storedHex: string, secret: string): boolean {
  const a = Buffer.from(storedHex, 'hex');
  const b = Buffer.from(hashSecret(secret), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface Principal {
  readonly account: Account;
  readonly credential: Credential;
  /** The account's website login email, if it has one (Bitrefill's invoice `user.email`). */
  readonly email?: string | null;
}

/** Resolves Basic (business) or Bearer (personal) credentials; null for anything unknown or revoked. */
export async function authenticate(deps: Pick<Deps, 'store'>, scheme: 'basic' | 'bearer', id: string, secret: string): Promise<Principal | null> {
  const credential = scheme === 'basic'
    ? await deps.store.accounts.getCredential(id)
    : await deps.store.accounts.findCredentialBySecretHash(hashSecret(secret));
  if (!credential || credential.kind !== scheme || credential.revokedAt !== null) return null;
  if (!sameHash(credential.secretHash, secret)) return null;
  const account = await deps.store.accounts.get(credential.accountId);
  if (!account || account.status === 'closed' || credentialKindFor(account.type) !== scheme) return null;
  return { account, credential, email: await deps.store.web.emailOfAccount(account.id) };
}

/** Every credential of the account, revoked ones included, oldest first (the website's key list). */
export function listCredentials(deps: Pick<Deps, 'store'>, accountId: string): Promise<Credential[]> {
  return deps.store.accounts.listCredentials(accountId);
}

/** The account's credential with this id while it is not revoked; null otherwise (another account's included). */
export async function activeCredential(deps: Pick<Deps, 'store'>, accountId: string, credentialId: string): Promise<Credential | null> {
  const credentials = await deps.store.accounts.listCredentials(accountId);
  return credentials.find((c) => c.id === credentialId && c.revokedAt === null) ?? null;
}
