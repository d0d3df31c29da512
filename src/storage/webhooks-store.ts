// Webhook endpoints, signing secrets, the outbox fan-out cursor, delivery lanes, deliveries and
// their attempt log. A lane is one ordered queue (an endpoint, or one invoice's webhook_url):
// workers claim whole lanes, so a lane's deliveries go out one at a time and in order, and two
// workers never send the same delivery at once. PostgreSQL claims with `for update skip
// locked`; SQLite's single writer serialises claims by itself (`rowLocks` is the capability flag).

import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { SqlText } from './sql-text.ts';
import type { Database, WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from './schema.ts';
import { iso, toDate, toDateOrNull } from './codec.ts';

export type { WebhookDeliveryStatus, WebhookEndpointStatus } from '../core/events.ts';
import type { WebhookDeliveryStatus, WebhookEndpointStatus } from '../core/events.ts';

export interface SigningSecrets {
  readonly secret: string;
  readonly previousSecret: string | null;
  readonly previousExpiresAt: Date | null;
}

export interface WebhookEndpoint extends SigningSecrets {
  readonly id: string;
  readonly url: string;
  readonly description: string | null;
  /** Subscribed event types; ['*'] means every type. */
  readonly eventTypes: readonly string[];
  readonly status: WebhookEndpointStatus;
  /** Up to this many consecutive events go in one request; 1 sends each event alone. */
  readonly batchMax: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface OutboxRow {
  readonly seq: number;
  readonly id: string;
  readonly type: string;
  readonly accountId: string | null;
  readonly invoiceId: string | null;
  readonly payload: string;
  readonly createdAt: Date;
}

export interface NewWebhookDelivery {
  readonly id: string;
  readonly laneKey: string;
  /** Unique per fan-out target (lane + event), so a repeated fan-out inserts nothing; null for redeliveries. */
  readonly dedupeKey: string | null;
  readonly endpointId: string | null;
  readonly accountId: string | null;
  readonly invoiceId: string | null;
  readonly eventId: string;
  readonly eventType: string;
  readonly outboxSeq: number;
  readonly url: string;
  readonly body: string;
  readonly deadlineAt: Date;
  readonly redeliveryOf: string | null;
  readonly createdAt: Date;
}

export interface WebhookDelivery extends NewWebhookDelivery {
  readonly seq: number;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastAttemptAt: Date | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly deliveredAt: Date | null;
}

export interface WebhookAttempt {
  readonly deliveryId: string;
  readonly attempt: number;
  readonly at: Date;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly responseExcerpt: string | null;
}

export interface DeliveryOutcome {
  readonly id: string;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly at: Date;
  readonly statusCode: number | null;
  readonly error: string | null;
}

export interface DeliveryFilter {
  readonly endpointId?: string | undefined;
  readonly eventId?: string | undefined;
  readonly status?: WebhookDeliveryStatus | undefined;
  readonly beforeSeq?: number | undefined;
  readonly limit: number;
}

export function toEndpoint(row: Selectable<WebhookEndpointsTable>): WebhookEndpoint {
  return {
    id: row.id, url: row.url, description: row.description, eventTypes: JSON.parse(row.event_types) as string[],
    status: row.status as WebhookEndpointStatus, batchMax: Number(row.batch_max), secret: row.secret, previousSecret: row.previous_secret,
    previousExpiresAt: toDateOrNull(row.previous_expires_at), createdAt: toDate(row.created_at), updatedAt: toDate(row.updated_at),
  };
}

export function toDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  return {
    seq: Number(row.seq), id: row.id, laneKey: row.lane_key, dedupeKey: row.dedupe_key, endpointId: row.endpoint_id,
    accountId: row.account_id, invoiceId: row.invoice_id, eventId: row.event_id, eventType: row.event_type,
    outboxSeq: Number(row.outbox_seq), url: row.url, body: row.body, status: row.status as WebhookDeliveryStatus,
    attempts: row.attempts, nextAttemptAt: toDate(row.next_attempt_at), deadlineAt: toDate(row.deadline_at),
    lastAttemptAt: toDateOrNull(row.last_attempt_at), lastStatusCode: row.last_status_code, lastError: row.last_error,
    deliveredAt: toDateOrNull(row.delivered_at), redeliveryOf: row.redelivery_of, createdAt: toDate(row.created_at),
  };
}

function toAttempt(row: Selectable<WebhookAttemptsTable>): WebhookAttempt {
  return {
    deliveryId: row.delivery_id, attempt: row.attempt, at: toDate(row.at), statusCode: row.status_code, error: row.error,
    durationMs: row.duration_ms, responseExcerpt: row.response_excerpt,
  };
}

// Multi-row inserts stay well under SQLite's bound-parameter limit (32766) with 16 columns.
const INSERT_CHUNK_ROWS = 500;

export class WebhooksStore {
  constructor(private readonly k: Kysely<Database>, private readonly rowLocks: boolean, private readonly q: SqlText) {}

  // ---- endpoints and secrets ----

  async insertEndpoint(endpoint: WebhookEndpoint): Promise<void> {
    await this.k.insertInto('webhook_endpoints').values({
      id: endpoint.id, url: endpoint.url, description: endpoint.description, event_types: JSON.stringify(endpoint.eventTypes),
      status: endpoint.status, secret: endpoint.secret, previous_secret: endpoint.previousSecret,
      previous_expires_at: endpoint.previousExpiresAt ? iso(endpoint.previousExpiresAt) : null,
      created_at: iso(endpoint.createdAt), updated_at: iso(endpoint.updatedAt), batch_max: endpoint.batchMax,
    }).execute();
  }

  async endpoint(id: string): Promise<WebhookEndpoint | null> {
    const row = await this.k.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toEndpoint(row) : null;
  }

  async endpoints(includeRemoved: boolean): Promise<WebhookEndpoint[]> {
    let query = this.k.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id');
    if (!includeRemoved) query = query.where('status', '=', 'enabled');
    return (await query.execute()).map(toEndpoint);
  }

  /** Endpoints events are queued for: enabled and paused ones. */
  async endpointsReceiving(): Promise<WebhookEndpoint[]> {
    const rows = await this.k.selectFrom('webhook_endpoints').selectAll().where('status', 'in', ['enabled', 'paused']).orderBy('created_at').orderBy('id').execute();
    return rows.map(toEndpoint);
  }

  async setEndpointSecrets(id: string, secrets: SigningSecrets, now: Date): Promise<void> {
    await this.k.updateTable('webhook_endpoints').set({
      secret: secrets.secret, previous_secret: secrets.previousSecret,
      previous_expires_at: secrets.previousExpiresAt ? iso(secrets.previousExpiresAt) : null, updated_at: iso(now),
    }).where('id', '=', id).execute();
  }

  async setEndpointStatus(id: string, status: WebhookEndpointStatus, now: Date): Promise<void> {
    await this.k.updateTable('webhook_endpoints').set({ status, updated_at: iso(now) }).where('id', '=', id).execute();
  }

  async accountSecrets(accountId: string): Promise<SigningSecrets | null> {
    const row = await this.k.selectFrom('webhook_account_secrets').selectAll().where('account_id', '=', accountId).executeTakeFirst();
    return row ? { secret: row.secret, previousSecret: row.previous_secret, previousExpiresAt: toDateOrNull(row.previous_expires_at) } : null;
  }

  async setAccountSecrets(accountId: string, secrets: SigningSecrets, now: Date): Promise<void> {
    const values = {
      secret: secrets.secret, previous_secret: secrets.previousSecret,
      previous_expires_at: secrets.previousExpiresAt ? iso(secrets.previousExpiresAt) : null, updated_at: iso(now),
    };
    await this.k.insertInto('webhook_account_secrets').values({ account_id: accountId, ...values })
      .onConflict((oc) => oc.column('account_id').doUpdateSet(values)).execute();
  }

  // ---- the outbox, read-only ----

  async outboxAfter(seq: number, limit: number): Promise<OutboxRow[]> {
    return this.outboxRows(this.k.selectFrom('outbox').selectAll().where('seq', '>', seq).orderBy('seq').limit(limit));
  }

  async outboxRange(fromSeq: number, toSeq: number, limit: number): Promise<OutboxRow[]> {
    return this.outboxRows(this.k.selectFrom('outbox').selectAll().where('seq', '>=', fromSeq).where('seq', '<=', toSeq).orderBy('seq').limit(limit));
  }

  async outboxByIds(ids: readonly string[]): Promise<OutboxRow[]> {
    if (ids.length === 0) return [];
    return this.outboxRows(this.k.selectFrom('outbox').selectAll().where('id', 'in', ids).orderBy('seq'));
  }

  private async outboxRows(query: { execute(): Promise<Array<Selectable<Database['outbox']>>> }): Promise<OutboxRow[]> {
    return (await query.execute()).map((r) => ({
      seq: Number(r.seq), id: r.id, type: r.type, accountId: r.account_id, invoiceId: r.invoice_id, payload: r.payload, createdAt: toDate(r.created_at),
    }));
  }

  // ---- the fan-out cursor ----

  /**
   * Locks the named cursor for this transaction and returns its outbox seq; null when another
   * worker holds it (PostgreSQL; it is then already fanning out and this pass has nothing to do).
   */
  async lockCursor(name: string, now: Date): Promise<number | null> {
    await this.k.insertInto('webhook_cursors').values({ name, outbox_seq: 0, updated_at: iso(now) })
      .onConflict((oc) => oc.column('name').doNothing()).execute();
    let query = this.k.selectFrom('webhook_cursors').select('outbox_seq').where('name', '=', name);
    if (this.rowLocks) query = query.forUpdate().skipLocked();
    const row = await query.executeTakeFirst();
    return row ? Number(row.outbox_seq) : null;
  }

  async setCursor(name: string, seq: number, now: Date): Promise<void> {
    await this.k.updateTable('webhook_cursors').set({ outbox_seq: seq, updated_at: iso(now) }).where('name', '=', name).execute();
  }

  // ---- deliveries and lanes ----

  /** Inserts deliveries, skipping any whose dedupe key exists; returns the lane keys that got rows. */
  async insertDeliveries(deliveries: readonly NewWebhookDelivery[], now: Date): Promise<string[]> {
    const lanes = new Set<string>();
    for (let i = 0; i < deliveries.length; i += INSERT_CHUNK_ROWS) {
      const chunk = deliveries.slice(i, i + INSERT_CHUNK_ROWS);
      const inserted = await this.k.insertInto('webhook_deliveries').values(chunk.map((d) => ({
        id: d.id, lane_key: d.laneKey, dedupe_key: d.dedupeKey, endpoint_id: d.endpointId, account_id: d.accountId,
        invoice_id: d.invoiceId, event_id: d.eventId, event_type: d.eventType, outbox_seq: d.outboxSeq, url: d.url, body: d.body,
        status: 'pending', attempts: 0, next_attempt_at: iso(now), deadline_at: iso(d.deadlineAt), redelivery_of: d.redeliveryOf,
        created_at: iso(d.createdAt),
      }))).onConflict((oc) => oc.column('dedupe_key').doNothing()).returning('lane_key').execute();
      for (const row of inserted) lanes.add(row.lane_key);
    }
    return [...lanes];
  }

  /** Marks lanes due now, unless already scheduled (a lane backing off keeps its time). */
  async wakeLanes(keys: readonly string[], now: Date): Promise<void> {
    if (keys.length === 0) return;
    await this.k.insertInto('webhook_lanes').values(keys.map((key) => ({ key, next_attempt_at: iso(now), claimed_by: null, claimed_until: null })))
      .onConflict((oc) => oc.column('key').doUpdateSet({ next_attempt_at: sql`coalesce(webhook_lanes.next_attempt_at, excluded.next_attempt_at)` }))
      .execute();
  }

  /** Claims up to `limit` due, unclaimed lanes for `holder` until `until`; one statement, so claims never overlap. */
  async claimLanes(holder: string, now: Date, until: Date, limit: number): Promise<string[]> {
    let due = this.k.selectFrom('webhook_lanes').select('key')
      .where('next_attempt_at', '<=', iso(now))
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', iso(now))]))
      .orderBy('next_attempt_at').limit(limit);
    if (this.rowLocks) due = due.forUpdate().skipLocked();
    const rows = await this.k.updateTable('webhook_lanes').set({ claimed_by: holder, claimed_until: iso(until) })
      .where('key', 'in', due).returning('key').execute();
    return rows.map((r) => r.key);
  }

  /** The first `limit` pending deliveries of a lane, oldest first. */
  async pendingInLane(laneKey: string, limit: number): Promise<WebhookDelivery[]> {
    const rows = await this.q.rows<Selectable<Database['webhook_deliveries']>>`select * from webhook_deliveries
      where lane_key = ${laneKey} and status = 'pending' order by seq limit ${limit}`;
    return rows.map(toDelivery);
  }

  async recordOutcomes(outcomes: readonly DeliveryOutcome[], attempts: readonly WebhookAttempt[]): Promise<void> {
    for (const o of outcomes) {
      const at = iso(o.at);
      await this.q.changed`update webhook_deliveries set status = ${o.status}, attempts = ${o.attempts}, next_attempt_at = ${iso(o.nextAttemptAt)},
        last_attempt_at = ${at}, last_status_code = ${o.statusCode}, last_error = ${o.error},
        delivered_at = case when ${o.status} = 'delivered' then ${at} else delivered_at end where id = ${o.id}`;
    }
    if (this.q.dialect === 'sqlite') {
      // One fixed statement per row (prepared once; SQLite has no round trip to save), cheaper than building a multi-row insert.
      for (const a of attempts) {
        await this.q.changed`insert into webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms, response_excerpt)
          values (${a.deliveryId}, ${a.attempt}, ${iso(a.at)}, ${a.statusCode}, ${a.error}, ${a.durationMs}, ${a.responseExcerpt})`;
      }
      return;
    }
    for (let i = 0; i < attempts.length; i += INSERT_CHUNK_ROWS) {
      await this.k.insertInto('webhook_attempts').values(attempts.slice(i, i + INSERT_CHUNK_ROWS).map((a) => ({
        delivery_id: a.deliveryId, attempt: a.attempt, at: iso(a.at), status_code: a.statusCode, error: a.error,
        duration_ms: a.durationMs, response_excerpt: a.responseExcerpt,
      }))).execute();
    }
  }

  /**
   * Ends `holder`'s claim on a lane and schedules it: at `nextAt`, or now when more is pending,
   * or idle. The lane row is locked before pending rows are counted, so a fan-out committing
   * concurrently (which locks the same row) is never missed. False when the claim was lost.
   */
  async releaseLane(key: string, holder: string, now: Date, nextAt: Date | null): Promise<boolean> {
    let lock = this.k.selectFrom('webhook_lanes').select('claimed_by').where('key', '=', key);
    if (this.rowLocks) lock = lock.forUpdate();
    const lane = await lock.executeTakeFirst();
    if (!lane || lane.claimed_by !== holder) return false;
    let next: string | null = nextAt ? iso(nextAt) : null;
    if (next === null) {
      const pending = await this.k.selectFrom('webhook_deliveries').select('id').where('lane_key', '=', key).where('status', '=', 'pending').limit(1).executeTakeFirst();
      next = pending ? iso(now) : null;
    }
    await this.k.updateTable('webhook_lanes').set({ next_attempt_at: next, claimed_by: null, claimed_until: null }).where('key', '=', key).execute();
    return true;
  }

  /** Ends `holder`'s claim and leaves the lane idle with its deliveries pending (its endpoint is paused). */
  async parkLane(key: string, holder: string): Promise<void> {
    await this.k.updateTable('webhook_lanes').set({ next_attempt_at: null, claimed_by: null, claimed_until: null })
      .where('key', '=', key).where('claimed_by', '=', holder).execute();
  }

  /** Cancels a lane's pending deliveries (its endpoint was removed). */
  async cancelLane(key: string, now: Date): Promise<number> {
    const result = await this.k.updateTable('webhook_deliveries').set({ status: 'cancelled', last_error: 'endpoint removed', last_attempt_at: iso(now) })
      .where('lane_key', '=', key).where('status', '=', 'pending').executeTakeFirst();
    await this.k.updateTable('webhook_lanes').set({ next_attempt_at: null }).where('key', '=', key).where('claimed_by', 'is', null).execute();
    return Number(result.numUpdatedRows);
  }

  // ---- the delivery log ----

  async delivery(id: string): Promise<WebhookDelivery | null> {
    const row = await this.k.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toDelivery(row) : null;
  }

  async deliveries(filter: DeliveryFilter): Promise<WebhookDelivery[]> {
    let query = this.k.selectFrom('webhook_deliveries').selectAll().orderBy('seq', 'desc').limit(filter.limit);
    if (filter.endpointId !== undefined) query = query.where('endpoint_id', '=', filter.endpointId);
    if (filter.eventId !== undefined) query = query.where('event_id', '=', filter.eventId);
    if (filter.status !== undefined) query = query.where('status', '=', filter.status);
    if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
    return (await query.execute()).map(toDelivery);
  }

  /** The latest delivery per lane for each of these events (what a redelivery copies). */
  async latestDeliveriesOf(eventIds: readonly string[]): Promise<WebhookDelivery[]> {
    if (eventIds.length === 0) return [];
    const rows = await this.k.selectFrom('webhook_deliveries').selectAll().where('event_id', 'in', eventIds).orderBy('seq').execute();
    const latest = new Map<string, WebhookDelivery>();
    for (const row of rows) latest.set(`${row.lane_key}\n${row.event_id}`, toDelivery(row));
    return [...latest.values()].sort((a, b) => a.outboxSeq - b.outboxSeq || a.seq - b.seq);
  }

  async attempts(deliveryId: string): Promise<WebhookAttempt[]> {
    const rows = await this.k.selectFrom('webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt').orderBy('seq').execute();
    return rows.map(toAttempt);
  }
}
