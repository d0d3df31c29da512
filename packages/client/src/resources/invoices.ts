// /v2/invoices: read one, page through all, and wait for one to reach a status.

import { CofferPollTimeoutError } from '../errors.ts';
import { isFinalInvoiceStatus } from '../invoice.ts';
import type { Invoice } from '../invoice.ts';
import { ClientLimits } from '../limits.ts';
import { Page, pageQuery } from '../page.ts';
import { segment } from '../path-segment.ts';
import type { PageParams, PageQuery } from '../page.ts';
import { dataOf, objectResult, responseInfo } from '../response.ts';
import type { Result } from '../response.ts';
import type { CallOptions, Sleep, Transport } from '../transport.ts';

export interface PollOptions extends CallOptions {
  /** Stop when this holds; default: the invoice reached a final status. */
  readonly until?: (invoice: Invoice) => boolean;
  /** Between reads; default 2 s, at least 100 ms. */
  readonly intervalMs?: number;
  /** Give up with CofferPollTimeoutError after waiting this long in total; default 15 min. */
  readonly pollTimeoutMs?: number;
}

export class InvoicesResource {
  readonly #transport: Transport;
  readonly #sleep: Sleep;

  constructor(transport: Transport) {
    this.#transport = transport;
    this.#sleep = transport.settings.sleep;
  }

  /** GET /invoices/{id}. Another account's invoice is a CofferNotFoundError. */
  async get(id: string, options?: CallOptions): Promise<Result<Invoice>> {
    return objectResult<Invoice>(await this.#transport.send({ method: 'GET', path: `/invoices/${segment(id)}` }, options));
  }

  /** GET /invoices: one page. */
  async list(params?: PageParams, options?: CallOptions): Promise<Page<Invoice>> {
    return this.#page(pageQuery(params), options);
  }

  /** Every invoice from `params.start` on, following meta._next page by page. */
  async *iterate(params?: PageParams, options?: CallOptions): AsyncIterable<Invoice> {
    yield* await this.list(params, options);
  }

  /**
   * Reads the invoice until `until` holds (default: a final status). Polling is for scripts and
   * tests; a server pushes the final invoice to `webhook_url` without being asked.
   */
  async poll(id: string, options: PollOptions = {}): Promise<Result<Invoice>> {
    const intervalMs = Math.max(ClientLimits.pollIntervalMsMin, options.intervalMs ?? ClientLimits.pollIntervalMsDefault);
    const budgetMs = options.pollTimeoutMs ?? ClientLimits.pollTimeoutMsDefault;
    const done = options.until ?? ((invoice: Invoice) => isFinalInvoiceStatus(invoice.status));
    // Waited time is counted in sleeps, not read from a clock, so an injected sleep controls it.
    for (let waitedMs = 0; ; waitedMs += intervalMs) {
      const invoice = await this.get(id, options);
      if (done(invoice)) return invoice;
      if (waitedMs + intervalMs > budgetMs) throw new CofferPollTimeoutError(invoice, waitedMs);
      await this.#sleep(intervalMs, options.signal);
    }
  }

  async #page(query: PageQuery, options: CallOptions | undefined): Promise<Page<Invoice>> {
    const response = await this.#transport.send({ method: 'GET', path: '/invoices', query }, options);
    return new Page(dataOf(response, true) as Invoice[], responseInfo(response), (next) => this.#page(next, options));
  }
}
