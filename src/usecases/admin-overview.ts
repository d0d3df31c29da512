// The operator's overview: invoices by status, money received per method and day, what is owed
// to customers per currency, holds waiting, failing webhook endpoints, and each chain's health.
// Amounts stay bigint minor units of their ledger currency; presenting them is the skin's job.

import type { LedgerCurrency } from '../core/ledger.ts';
import type { HeightKind } from '../core/payment-method.ts';
import type { WebhookEndpoint } from '../storage/webhooks-store.ts';
import type { Deps } from './deps.ts';

/** How many days of received money the overview shows. */
export const OVERVIEW_DAYS = 14;
const DAY_MS = 86_400_000;

export interface ReceivedDay {
  readonly methodId: string;
  readonly currency: LedgerCurrency;
  readonly day: string;
  readonly amountMinor: bigint;
}

export interface ChainHealth {
  readonly methods: readonly string[];
  readonly rail: string;
  readonly ok: boolean;
  /** What `height` counts: blocks, slots, or a cursor of a method that follows no chain tip (Lightning). */
  readonly heightKind: HeightKind;
  /** The last block height, slot or cursor the watcher processed, when the method has one. */
  readonly height: number | null;
  /** The node's tip, when the watcher reports it (bitcoin, EVM, Tron, Solana); never for a cursor. */
  readonly nodeHeight: number | null;
  /** How far `height` is behind `nodeHeight` (0 when level or ahead), when both are known. */
  readonly behind: number | null;
  readonly updatedAt: Date | null;
  /** Milliseconds since the watcher last reported: how far behind the console's view is. */
  readonly lagMs: number | null;
  /** The watcher's last error or state, in its words. */
  readonly detail: string | null;
}

export interface Overview {
  readonly invoicesByStatus: ReadonlyArray<{ status: string; count: number }>;
  readonly days: readonly string[];
  readonly received: readonly ReceivedDay[];
  readonly owed: ReadonlyArray<{ currency: LedgerCurrency; amountMinor: bigint }>;
  readonly holdsWaiting: number;
  readonly failingEndpoints: ReadonlyArray<{ endpoint: WebhookEndpoint | null; endpointId: string; failed: number; retrying: number }>;
  readonly chains: readonly ChainHealth[];
}

export function chainHealth(deps: Pick<Deps, 'methods' | 'clock'>): ChainHealth[] {
  const now = deps.clock.now().getTime();
  return deps.methods.adapters().map((adapter) => {
    const health = adapter.health();
    const heightKind = adapter.heightKind ?? 'block';
    const height = health.height ?? null;
    const nodeHeight = heightKind === 'cursor' ? null : health.nodeHeight ?? null;
    return {
      methods: adapter.methodIds, rail: adapter.rail, ok: health.ok, heightKind, height, nodeHeight,
      behind: nodeHeight === null || height === null ? null : Math.max(0, nodeHeight - height), updatedAt: health.updatedAt ?? null,
      lagMs: health.updatedAt ? Math.max(0, now - health.updatedAt.getTime()) : null, detail: health.detail ?? null,
    };
  });
}

function lastDays(now: Date, count: number): string[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Array.from({ length: count }, (_, i) => new Date(today - (count - 1 - i) * DAY_MS).toISOString().slice(0, 10));
}

export async function overview(deps: Pick<Deps, 'store' | 'methods' | 'clock'>): Promise<Overview> {
  const days = lastDays(deps.clock.now(), OVERVIEW_DAYS);
  const since = new Date(`${days[0]}T00:00:00.000Z`);
  const [invoicesByStatus, received, owed, holdsWaiting, failing] = await Promise.all([
    deps.store.invoices.countByStatus(), deps.store.admin.receivedPerDay(since), deps.store.admin.customerBalances(),
    deps.store.admin.heldCount(), deps.store.admin.failingEndpoints(),
  ]);
  const endpoints = await Promise.all(failing.map((f) => deps.store.webhooks.endpoint(f.endpointId)));
  return {
    invoicesByStatus, days,
    // `received:<method>:<currency>` is debited by each payment's receive transfer.
    received: received.map((r) => ({ methodId: r.key.split(':')[1] ?? r.key, currency: r.currency as LedgerCurrency, day: r.day ?? '', amountMinor: r.totalMinor })),
    owed: owed.map((o) => ({ currency: o.currency as LedgerCurrency, amountMinor: o.totalMinor })),
    holdsWaiting,
    failingEndpoints: failing.map((f, i) => ({ ...f, endpoint: endpoints[i] ?? null })),
    chains: chainHealth(deps),
  };
}
