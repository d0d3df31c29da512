// /admin/ledger/verify: recompute every balance from the transfers. A drifted ledger is an
// answer, not a failed request: the server sends the report with status 500, and the client
// returns it (ok: false) rather than throwing or retrying it.

import { objectResult } from '../response.ts';
import type { Result } from '../response.ts';
import type { LedgerReport } from '../wire-types.ts';
import type { CallOptions, Transport } from '../transport.ts';

export type { LedgerReport } from '../wire-types.ts';

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
