// Turns new outbox rows into delivery rows: one per subscribed endpoint, and one for the
// invoice's own `webhook_url` when an invoice reaches a final status. Runs under the cursor's
// row lock, so one worker fans out at a time; every row has a dedupe key, so running it twice
// (a crash between insert and cursor move, a second worker) inserts nothing new.

import { writeJson } from '../core/json-writer.ts';
import { presentInvoice } from '../core/wire-format.ts';
import type { NewWebhookDelivery, OutboxRow, WebhookEndpoint } from '../storage/webhooks-store.ts';
import type { StoreTx } from '../storage/store.ts';
import type { Deps } from './deps.ts';
import { endpointLaneKey, WILDCARD_EVENT } from './webhook-endpoints.ts';
import { newPrefixedId } from '../storage/ids.ts';

export const FANOUT_CURSOR = 'fanout';
/** Statuses after which an invoice's own webhook_url is POSTed the full invoice. */
export const DepositFinalEvents: readonly string[] = ['invoice.complete', 'invoice.expired', 'invoice.denied'];

export interface FanOutSettings {
  /** Outbox rows read per transaction. */
  readonly batchMax: number;
  /** How long a delivery is retried before it is marked failed. */
  readonly maxAgeMs: number;
  /**
   * On PostgreSQL a sequence number can become visible after a higher one (its transaction
   * committed later) or never (rolled back). The cursor only moves over a gap once the rows
   * after it are this old; rows past a gap are fanned out at once regardless (dedupe makes the
   * re-read harmless).
   */
  readonly gapWaitMs: number;
}

export function invoiceLaneKey(invoiceId: string): string {
  return `invoice:${invoiceId}`;
}

/** The delivered body: `{id, type, created_time, data}`; `data` is the outbox payload verbatim. */
export function eventBody(row: Pick<OutboxRow, 'id' | 'type' | 'createdAt'>, dataJson: string): string {
  return `{"id":${JSON.stringify(row.id)},"type":${JSON.stringify(row.type)},"created_time":${JSON.stringify(row.createdAt.toISOString())},"data":${dataJson}}`;
}

function subscribed(endpoint: WebhookEndpoint, type: string): boolean {
  return endpoint.eventTypes.includes(WILDCARD_EVENT) || endpoint.eventTypes.includes(type);
}

function newDelivery(row: OutboxRow, fields: Pick<NewWebhookDelivery, 'laneKey' | 'endpointId' | 'url' | 'body'>, now: Date, maxAgeMs: number, redeliveryOf: string | null = null): NewWebhookDelivery {
  return {
    id: newPrefixedId('whd'), dedupeKey: redeliveryOf === null ? `${fields.laneKey}|${row.id}` : null,
    accountId: row.accountId, invoiceId: row.invoiceId, eventId: row.id, eventType: row.type, outboxSeq: row.seq,
    deadlineAt: new Date(now.getTime() + maxAgeMs), redeliveryOf, createdAt: now, ...fields,
  };
}

/** Delivery rows for one endpoint and one outbox row (also used by range redelivery). */
export function endpointDelivery(row: OutboxRow, endpoint: WebhookEndpoint, now: Date, maxAgeMs: number, redelivery: boolean): NewWebhookDelivery | null {
  if (!subscribed(endpoint, row.type)) return null;
  return newDelivery(row, { laneKey: endpointLaneKey(endpoint.id), endpointId: endpoint.id, url: endpoint.url, body: eventBody(row, row.payload) }, now, maxAgeMs, redelivery ? 'replay' : null);
}

async function depositDelivery(deps: Deps, tx: StoreTx, row: OutboxRow, now: Date, maxAgeMs: number): Promise<NewWebhookDelivery | null> {
  if (row.invoiceId === null || !DepositFinalEvents.includes(row.type)) return null;
  const invoice = await tx.invoices.get(row.invoiceId);
  if (!invoice || invoice.webhookUrl === null) return null;
  const payments = await tx.payments.forInvoice(invoice.id);
  const userEmail = await tx.web.emailOfAccount(invoice.accountId);
  const data = writeJson(presentInvoice(invoice, payments, { now, confirmationsFor: (m, a) => deps.methods.confirmationsFor(m, a), userEmail }));
  return newDelivery(row, { laneKey: invoiceLaneKey(invoice.id), endpointId: null, url: invoice.webhookUrl, body: eventBody(row, data) }, now, maxAgeMs);
}

/** The cursor after `rows`: it moves over contiguous seqs, and over a gap only once it is old. */
function nextCursor(cursor: number, rows: readonly OutboxRow[], now: Date, gapWaitMs: number): number {
  let next = cursor;
  for (const row of rows) {
    if (row.seq !== next + 1 && now.getTime() - row.createdAt.getTime() < gapWaitMs) break;
    next = row.seq;
  }
  return next;
}

/** One batch of fan-out; `more` is true when the batch was full (call again). */
export async function fanOutBatch(deps: Deps, settings: FanOutSettings): Promise<{ events: number; deliveries: number; more: boolean }> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const cursor = await tx.webhooks.lockCursor(FANOUT_CURSOR, now);
    if (cursor === null) return { events: 0, deliveries: 0, more: false };
    const rows = await tx.webhooks.outboxAfter(cursor, settings.batchMax);
    if (rows.length === 0) return { events: 0, deliveries: 0, more: false };
    // Paused endpoints keep receiving into their lane; the sender parks it until resumed.
    const endpoints = await tx.webhooks.endpointsReceiving();
    const deliveries: NewWebhookDelivery[] = [];
    for (const row of rows) {
      for (const endpoint of endpoints) {
        const delivery = endpointDelivery(row, endpoint, now, settings.maxAgeMs, false);
        if (delivery) deliveries.push(delivery);
      }
      const deposit = await depositDelivery(deps, tx, row, now, settings.maxAgeMs);
      if (deposit) deliveries.push(deposit);
    }
    const lanes = await tx.webhooks.insertDeliveries(deliveries, now);
    await tx.webhooks.wakeLanes(lanes, now);
    const next = nextCursor(cursor, rows, now, settings.gapWaitMs);
    if (next !== cursor) await tx.webhooks.setCursor(FANOUT_CURSOR, next, now);
    return { events: rows.length, deliveries: deliveries.length, more: rows.length === settings.batchMax && next !== cursor };
  });
}

/** Fans out until the outbox is drained or `batchesMax` batches ran. */
export async function fanOutEvents(deps: Deps, settings: FanOutSettings, batchesMax = 20): Promise<{ events: number; deliveries: number }> {
  let events = 0;
  let deliveries = 0;
  for (let i = 0; i < batchesMax; i++) {
    const batch = await fanOutBatch(deps, settings);
    events += batch.events;
    deliveries += batch.deliveries;
    if (!batch.more) break;
  }
  return { events, deliveries };
}
