// /admin/accounts: create accounts, read them with balances, freeze and unfreeze, issue keys.

import type { BalanceCurrency } from '../invoice.ts';
import { objectResult } from '../response.ts';
import type { Result } from '../response.ts';
import { segment } from '../path-segment.ts';
import type { CallOptions, Transport } from '../transport.ts';

export type AccountType = 'business' | 'personal';
export type AccountStatus = 'active' | 'frozen' | 'closed';

export interface AdminAccount {
  readonly id: string;
  readonly type: AccountType;
  /** The account's main currency. */
  readonly currency: BalanceCurrency;
  readonly status: AccountStatus;
  readonly label?: string;
  readonly created_time: string;
}

/** Shown once: the server keeps only a hash of the secret. */
export interface IssuedCredential {
  readonly credential_id: string;
  readonly kind: 'basic' | 'bearer';
  /** Business accounts: HTTP Basic id and secret. */
  readonly api_id?: string;
  readonly api_secret?: string;
  /** Personal accounts: the Bearer key. */
  readonly api_key?: string;
}

export interface CreatedAccount extends AdminAccount {
  readonly credential: IssuedCredential;
}

export interface AccountWithBalances extends AdminAccount {
  readonly balances: ReadonlyArray<{ readonly currency: BalanceCurrency; readonly balance: string }>;
}

export interface CreateAccountParams {
  readonly type: AccountType;
  readonly currency: BalanceCurrency;
  readonly label?: string;
}

export class AdminAccountsResource {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** POST /admin/accounts: the account and its first credential. */
  async create(params: CreateAccountParams, options?: CallOptions): Promise<Result<CreatedAccount>> {
    const body = { type: params.type, currency: params.currency, label: params.label };
    return objectResult<CreatedAccount>(await this.#transport.send({ method: 'POST', path: '/accounts', body }, options));
  }

  /** GET /admin/accounts/{id} */
  async get(id: string, options?: CallOptions): Promise<Result<AccountWithBalances>> {
    return objectResult<AccountWithBalances>(await this.#transport.send({ method: 'GET', path: `/accounts/${segment(id)}` }, options));
  }

  /** POST /admin/accounts/{id}/status: a frozen account refuses charges and API deposits. */
  async setStatus(id: string, status: 'active' | 'frozen', options?: CallOptions): Promise<Result<AdminAccount>> {
    return objectResult<AdminAccount>(await this.#transport.send({ method: 'POST', path: `/accounts/${segment(id)}/status`, body: { status } }, options));
  }

  /** POST /admin/accounts/{id}/credentials: another credential for the account. */
  async issueCredential(id: string, options?: CallOptions): Promise<Result<IssuedCredential>> {
    return objectResult<IssuedCredential>(await this.#transport.send({ method: 'POST', path: `/accounts/${segment(id)}/credentials` }, options));
  }
}
