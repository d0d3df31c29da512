// /admin/accounts: create accounts, read them with balances, freeze and unfreeze, issue keys.

import type { BalanceCurrency } from '../invoice.ts';
import { objectResult } from '../response.ts';
import type { Result } from '../response.ts';
import { segment } from '../path-segment.ts';
import type { CallOptions, Transport } from '../transport.ts';
import type { AccountWithBalances, AdminAccount, CreatedAccount, IssuedCredential } from '../wire-types.ts';

// The operator API's objects are generated from the server's schemas (wire-types.ts).
export type { AccountWithBalances, AdminAccount, CreatedAccount, IssuedCredential };

export type AccountType = AdminAccount['type'];
export type AccountStatus = AdminAccount['status'];

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
