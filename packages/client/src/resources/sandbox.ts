// /v2/sandbox: simulated payments, on a server running in sandbox mode (404 otherwise). The
// payment goes through the server's real settlement path, exactly like a watcher's.

import { amountText } from '../decimal.ts';
import type { Amount } from '../decimal.ts';
import type { Invoice } from '../invoice.ts';
import { decimalNumber } from '../json-body.ts';
import { objectResult } from '../response.ts';
import type { Result } from '../response.ts';
import type { CallOptions, Transport } from '../transport.ts';
import { segment } from '../path-segment.ts';

export interface SandboxPayParams {
  /** In the payment currency (e.g. BTC); default: the quoted price (required for flexible invoices). */
  readonly amount?: Amount;
  /** Default: what the method requires; 0 leaves the payment detected but unconfirmed. */
  readonly confirmations?: number;
  /** Re-observe an earlier sandbox payment (add confirmations, or make it vanish with `gone`). */
  readonly txid?: string;
  /** With txid: the payment vanishes (double-spent or reorged out). */
  readonly gone?: boolean;
}

export class SandboxResource {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** POST /sandbox/invoices/{id}/pay. meta.txid (in lastResponse.meta) names the simulated payment. */
  async pay(invoiceId: string, params: SandboxPayParams = {}, options?: CallOptions): Promise<Result<Invoice>> {
    const body = {
      amount: params.amount === undefined ? undefined : decimalNumber(amountText(params.amount)),
      confirmations: params.confirmations, txid: params.txid, gone: params.gone,
    };
    return objectResult<Invoice>(await this.#transport.send({ method: 'POST', path: `/sandbox/invoices/${segment(invoiceId)}/pay`, body }, options));
  }
}
