// New invoices on PostgreSQL, written together. Invoices created in the same turn of the event
// loop (concurrent deposits) are stored by one statement — invoices, companion targets and
// `invoice.created` events — so one round trip and one commit serve them all, not one each. A
// batch that fails is written again invoice by invoice, so a bad invoice fails alone.

import type { Invoice } from '../core/invoice.ts';
import type { CreatedInvoice, InvoicesStore } from './invoices-store.ts';
import { StorageLimits } from '../core/limits.ts';


interface Waiting {
  readonly created: CreatedInvoice;
  readonly resolve: (invoice: Invoice) => void;
  readonly reject: (error: unknown) => void;
}

export class CreatedInvoiceBatches {
  readonly #queue: Waiting[] = [];
  #scheduled = false;

  /** `invoices` must be outside any transaction: each statement commits on its own. */
  constructor(private readonly invoices: InvoicesStore) {}

  /** Stores `created`; resolves once it is committed. */
  insert(created: CreatedInvoice): Promise<Invoice> {
    return new Promise<Invoice>((resolve, reject) => {
      this.#queue.push({ created, resolve, reject });
      if (this.#scheduled) return;
      // On the next turn, when the requests whose data arrived with this one have queued theirs too.
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    });
  }

  #flush(): void {
    this.#scheduled = false;
    while (this.#queue.length > 0) void this.#write(this.#queue.splice(0, StorageLimits.createdInvoicesBatchMax));
  }

  async #write(batch: readonly Waiting[]): Promise<void> {
    if (batch.length > 1) {
      try {
        const stored = await this.invoices.insertCreatedMany(batch.map((w) => w.created));
        batch.forEach((w, i) => w.resolve(stored[i]!));
        return;
      } catch {
        // Nothing of the batch was stored (one statement); each is tried alone below.
      }
    }
    await Promise.all(batch.map(async ({ created, resolve, reject }) => {
      try {
        resolve(await this.invoices.insertCreated(created.invoice, created.companion, created.event));
      } catch (error) {
        reject(error);
      }
    }));
  }
}
