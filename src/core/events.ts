// Events written to the outbox in the same transaction as the change they report; the webhook
// worker delivers them at least once, deduplicated by `id`.

export const EventTypes = [
  'invoice.created', 'invoice.payment_detected', 'invoice.payment_confirmed', 'invoice.complete',
  'invoice.expired', 'invoice.denied', 'invoice.payment_error', 'invoice.unpaid',
  'balance.credited', 'balance.charged', 'balance.refunded', 'deposit.reversed', 'account.frozen',
] as const;
export type EventType = (typeof EventTypes)[number];

/** A webhook endpoint is enabled until the operator removes it. */
/** 'paused' (by an operator): events still queue for it, nothing is sent until it is resumed. */
export const WebhookEndpointStatuses = ['enabled', 'paused', 'removed'] as const;
export type WebhookEndpointStatus = (typeof WebhookEndpointStatuses)[number];

/** One delivery of one event to one URL. */
export const WebhookDeliveryStatuses = ['pending', 'delivered', 'failed', 'cancelled'] as const;
export type WebhookDeliveryStatus = (typeof WebhookDeliveryStatuses)[number];

export interface OutboxEvent {
  readonly id: string;
  readonly type: EventType;
  readonly accountId: string | null;
  readonly invoiceId: string | null;
  /** JSON-ready payload (amounts already as exact decimal strings). */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly createdAt: Date;
}
