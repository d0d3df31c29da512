// Customer accounts and their API credentials.

import type { BalanceCurrency } from './assets.ts';

export const AccountTypes = ['business', 'personal'] as const;
export type AccountType = (typeof AccountTypes)[number];

export const AccountStatuses = ['active', 'frozen', 'closed'] as const;
export type AccountStatus = (typeof AccountStatuses)[number];
/** The statuses an operator may set (closing is not an API operation). */
export const SettableAccountStatuses = ['active', 'frozen'] as const satisfies readonly AccountStatus[];
export type SettableAccountStatus = (typeof SettableAccountStatuses)[number];

export interface Account {
  readonly id: string;
  readonly type: AccountType;
  /** Default balance currency (what GET /accounts/balance reports first). */
  readonly currency: BalanceCurrency;
  readonly status: AccountStatus;
  readonly label: string | null;
  readonly createdAt: Date;
}

/** business: HTTP Basic with API id + secret; personal: Bearer API key. */
export const CredentialKinds = ['basic', 'bearer'] as const;
export type CredentialKind = (typeof CredentialKinds)[number];

export interface Credential {
  /** The API id (basic), or the key's public id (bearer). */
  readonly id: string;
  readonly accountId: string;
  readonly kind: CredentialKind;
  /** SHA-256 of the secret, hex. Secrets are random 256-bit values, so a fast hash is enough. */
  readonly secretHash: string;
  readonly label: string | null;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

export function credentialKindFor(type: AccountType): CredentialKind {
  return type === 'business' ? 'basic' : 'bearer';
}

export interface Charge {
  readonly id: string;
  readonly accountId: string;
  readonly currency: BalanceCurrency;
  readonly amountMinor: bigint;
  readonly refundedMinor: bigint;
  readonly idempotencyKey: string;
  readonly description: string | null;
  readonly createdAt: Date;
}

/** A website login attached to an account (storage/web-store.ts keeps them; the web use cases own them). */
export interface WebUser {
  readonly id: string;
  readonly accountId: string;
  /** Normalised (trimmed, lower case); unique. */
  readonly email: string;
  /** scrypt$N$r$p$salt$hash (base64url), see usecases/web-password.ts. */
  readonly passwordHash: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** When the email was confirmed through an emailed link; null/absent: not confirmed. */
  readonly emailVerifiedAt?: Date | null;
}
