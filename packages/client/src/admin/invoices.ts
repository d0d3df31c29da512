// /admin/invoices: any account's invoice, with the account it belongs to.

import type { AdminInvoice } from '../wire-types.ts';
import { objectResult } from '../response.ts';
import type { Result } from '../response.ts';
import { segment } from '../path-segment.ts';
import type { CallOptions, Transport } from '../transport.ts';

export type { AdminInvoice } from '../wire-types.ts';

export class AdminInvoicesResource {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** GET /admin/invoices/{id} */
  async get(id: string, options?: CallOptions): Promise<Result<AdminInvoice>> {
    return objectResult<AdminInvoice>(await this.#transport.send({ method: 'GET', path: `/invoices/${segment(id)}` }, options));
  }
}
