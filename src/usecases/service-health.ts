// What /readyz and /metrics ask of the database: that it answers, and how many invoices it holds
// in each status.

import type { Deps } from './deps.ts';

/** Resolves when the database answers a trivial query; rejects when it cannot be reached. */
export function pingDatabase(deps: Pick<Deps, 'store'>): Promise<void> {
  return deps.store.ping();
}

export function invoiceCountsByStatus(deps: Pick<Deps, 'store'>): Promise<Array<{ status: string; count: number }>> {
  return deps.store.invoices.countByStatus();
}
