// The outbox: every event, written in the transaction that caused it, for webhooks to fan out.
// Written from here only: this store's insert, and the statement parts below, which the
// invoices store's PostgreSQL statements embed to write an invoice's `invoice.created` event in
// the same statement as the invoice. (The webhook fan-out reads the outbox: webhooks-store.ts.)

import type { OutboxEvent } from '../core/events.ts';
import { iso } from './codec.ts';
import type { SqlText, SqlValue } from './sql-text.ts';

/** The outbox's written columns, in the order of outboxValues. */
export const OUTBOX_COLUMNS = ['id', 'type', 'account_id', 'invoice_id', 'payload', 'created_at'] as const;

/** One event's insert (`?` placeholders), also embedded as a CTE by the invoices store on PostgreSQL. */
export const INSERT_OUTBOX = `insert into outbox (${OUTBOX_COLUMNS.join(', ')}) values (${OUTBOX_COLUMNS.map(() => '?').join(', ')})`;

/** The values of OUTBOX_COLUMNS (and so of INSERT_OUTBOX) for `e`. */
export function outboxValues(e: OutboxEvent): SqlValue[] {
  return [e.id, e.type, e.accountId, e.invoiceId, JSON.stringify(e.payload), iso(e.createdAt)];
}

export class OutboxStore {
  constructor(private readonly q: SqlText) {}

  /** One fixed statement per event (a status change writes one or two): no query is built per call. */
  async insert(events: readonly OutboxEvent[]): Promise<void> {
    for (const e of events) await this.q.query(INSERT_OUTBOX, outboxValues(e));
  }
}
