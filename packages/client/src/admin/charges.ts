// /admin charges and refunds: spend from a balance, give part of a charge back. The
// Idempotency-Key is the charge's identity on the server's ledger: pass your own (an order id)
// so that a retry by *your* code, after your process restarted, cannot charge twice. Without one
// the client generates a key per call, which protects only that call's own retries.

import { amountText } from '../decimal.ts';
import type { Amount } from '../decimal.ts';
import type { BalanceCurrency } from '../invoice.ts';
import { decimalNumber } from '../json-body.ts';
import { objectResult } from '../response.ts';
import type { Result } from '../response.ts';
import type { Charge } from '../wire-types.ts';
import { segment } from '../path-segment.ts';
import type { CallOptions, Transport } from '../transport.ts';

export type { Charge } from '../wire-types.ts';

export interface ChargeParams {
  readonly amount: Amount;
  readonly currency: BalanceCurrency;
  readonly description?: string;
}

export interface RefundParams {
  /** Default: everything not yet refunded. */
  readonly amount?: Amount;
}

export class AdminChargesResource {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * POST /admin/accounts/{id}/charges. Never overdraws (CofferUnprocessableError, errorCode
   * balance_too_low). A repeated key answers the first charge: lastResponse.replayed is true.
   */
  async create(accountId: string, params: ChargeParams, options?: CallOptions): Promise<Result<Charge>> {
    const body = { amount: decimalNumber(amountText(params.amount)), currency: params.currency, description: params.description };
    const response = await this.#transport.send({ method: 'POST', path: `/accounts/${segment(accountId)}/charges`, body }, options);
    // The charge endpoint answers a repeated key with 200 instead of 201 (no replay header).
    return objectResult<Charge>(response, { replayed: response.status === 200 });
  }

  /** POST /admin/charges/{id}/refunds: the charge with its new refunded_amount and the balance. */
  async refund(chargeId: string, params: RefundParams = {}, options?: CallOptions): Promise<Result<Charge>> {
    const body = { amount: params.amount === undefined ? undefined : decimalNumber(amountText(params.amount)) };
    const response = await this.#transport.send({ method: 'POST', path: `/charges/${segment(chargeId)}/refunds`, body }, options);
    return objectResult<Charge>(response, { replayed: response.status === 200 });
  }
}
