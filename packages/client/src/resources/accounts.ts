// /v2/accounts: balance, deposits, and the ledger history of the authenticated account.

import { amountText } from '../decimal.ts';
import type { Amount } from '../decimal.ts';
import type { BalanceCurrency, Invoice, PaymentMethodId } from '../invoice.ts';
import type { Balance, Transaction } from '../wire-types.ts';
import { decimalNumber } from '../json-body.ts';
import { Page, pageQuery } from '../page.ts';
import type { PageParams, PageQuery } from '../page.ts';
import { dataOf, objectResult, responseInfo } from '../response.ts';
import type { Result } from '../response.ts';
import type { CallOptions, Transport } from '../transport.ts';

export type { Balance, CurrencyBalance } from '../wire-types.ts';

export interface DepositParams {
  readonly currency: BalanceCurrency;
  readonly payment_method: PaymentMethodId;
  /** Absent: a flexible-amount invoice that credits whatever arrives. */
  readonly amount?: Amount;
  /** POSTed the full invoice when it reaches a final status. */
  readonly webhook_url?: string;
}

export type { Transaction } from '../wire-types.ts';

/** The ledger transfer's kind. */
export type TransactionType = Transaction['type'];

export class AccountsResource {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** GET /accounts/balance */
  async getBalance(options?: CallOptions): Promise<Result<Balance>> {
    return objectResult<Balance>(await this.#transport.send({ method: 'GET', path: '/accounts/balance' }, options));
  }

  /** POST /accounts/deposit (business accounts). Retries reuse the call's Idempotency-Key. */
  async createDeposit(params: DepositParams, options?: CallOptions): Promise<Result<Invoice>> {
    const body = {
      currency: params.currency, payment_method: params.payment_method,
      amount: params.amount === undefined ? undefined : decimalNumber(amountText(params.amount)),
      webhook_url: params.webhook_url,
    };
    return objectResult<Invoice>(await this.#transport.send({ method: 'POST', path: '/accounts/deposit', body }, options));
  }

  /** GET /accounts/transactions: one page, newest first. */
  async listTransactions(params?: PageParams, options?: CallOptions): Promise<Page<Transaction>> {
    return this.#page(pageQuery(params), options);
  }

  /** Every transaction from `params.start` on, following meta._next. */
  async *iterateTransactions(params?: PageParams, options?: CallOptions): AsyncIterable<Transaction> {
    yield* await this.listTransactions(params, options);
  }

  async #page(query: PageQuery, options: CallOptions | undefined): Promise<Page<Transaction>> {
    const response = await this.#transport.send({ method: 'GET', path: '/accounts/transactions', query }, options);
    return new Page(dataOf(response, true) as Transaction[], responseInfo(response), (next) => this.#page(next, options));
  }
}
