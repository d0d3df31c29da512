// /admin/ledger/verify: recompute every balance from the transfers. A drifted ledger is an
// answer, not a failed request: the server sends the report with status 500, and the client
// returns it (ok: false) rather than throwing or retrying it.

import { objectResult } from '../response.ts';
import type { Result } from '../response.ts';
import type { CallOptions, Transport } from '../transport.ts';

export interface LedgerReport {
  readonly transfers: number;
  readonly accounts: number;
  /** Base-unit integers as strings. */
  readonly drift: ReadonlyArray<{ readonly ledgerAccount: string; readonly stored: string; readonly computed: string }>;
  readonly imbalance: ReadonlyArray<{ readonly currency: string; readonly sum: string }>;
  readonly negative: ReadonlyArray<{ readonly ledgerAccount: string; readonly balance: string }>;
  readonly ok: boolean;
}

export class AdminLedgerResource {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** GET /admin/ledger/verify */
  async verify(options?: CallOptions): Promise<Result<LedgerReport>> {
    return objectResult<LedgerReport>(await this.#transport.send({ method: 'GET', path: '/ledger/verify', dataOnErrorStatus: true }, options));
  }
}
