// `coffer wallet status`: where each HD wallet's derivation stands, so an operator can set the gap
// limit of the external wallet that holds the keys. The persistent facts come from the store
// (the highest index ever handed out, the highest index whose address was paid); the adapter
// adds what only it knows (fingerprint, configured gap limit, what this process saw).

import type { Deps } from './deps.ts';

export interface WalletReport {
  readonly methodIds: readonly string[];
  readonly walletId: string;
  readonly fingerprint: string;
  /** Highest derivation index ever handed out, or null when none was. */
  readonly highestIssuedIndex: number | null;
  /** Highest index whose address received a payment that did not vanish, or null. */
  readonly highestPaidIndex: number | null;
  /** Addresses handed out after the last paid one: what the wallet's gap limit must cover. */
  readonly unpaidSinceLastPaid: number;
  readonly gapLimit: number;
  readonly gapExceeded: boolean;
}

export interface WalletStatusReport {
  readonly wallets: readonly WalletReport[];
  /** Every wallet's next index as stored (EVM and others included). */
  readonly derivationIndexes: ReadonlyArray<{ readonly walletId: string; readonly nextIndex: number }>;
}

function highest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.max(a, b);
}

export async function walletStatus(deps: Pick<Deps, 'store' | 'methods'>): Promise<WalletStatusReport> {
  const derivationIndexes = await deps.store.derivation.all();
  const wallets: WalletReport[] = [];
  for (const adapter of deps.methods.adapters()) {
    const source = adapter.capabilities?.walletStatus;
    if (!source) continue;
    const live = source.walletStatus();
    const stored = derivationIndexes.find((d) => d.walletId === live.walletId);
    const issued = highest(stored && stored.nextIndex > 0 ? stored.nextIndex - 1 : null, live.highestIssuedIndex);
    const paid = highest(await deps.store.invoices.highestPaidIndex(live.walletId), live.highestPaidIndex);
    const unpaidSinceLastPaid = issued === null ? 0 : issued - (paid ?? -1);
    wallets.push({
      methodIds: adapter.methodIds, walletId: live.walletId, fingerprint: live.fingerprint,
      highestIssuedIndex: issued, highestPaidIndex: paid, unpaidSinceLastPaid,
      gapLimit: live.gapLimit, gapExceeded: unpaidSinceLastPaid > live.gapLimit,
    });
  }
  return { wallets, derivationIndexes };
}
