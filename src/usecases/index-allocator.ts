// Derivation indexes for HD-derived payment targets. Each batch of indexes is committed before any
// is used, so a failed invoice leaves a gap, never a reuse. Requests that arrive while a
// reservation for the same wallet is being committed wait and are served together by the next one
// (one `next_index + n` statement): under load, deposits do not queue one by one on the wallet's
// counter row — on PostgreSQL that row lock is held until commit.

import type { IndexAllocator } from '../core/payment-method.ts';
import type { Store } from '../storage/store.ts';

interface Waiter {
  readonly resolve: (index: number) => void;
  readonly reject: (error: unknown) => void;
}

class CoalescingIndexAllocator implements IndexAllocator {
  readonly #waiting = new Map<string, Waiter[]>();
  readonly #reserving = new Set<string>();

  constructor(private readonly store: Store) {}

  next(walletId: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const queue = this.#waiting.get(walletId);
      if (queue) queue.push({ resolve, reject });
      else this.#waiting.set(walletId, [{ resolve, reject }]);
      if (!this.#reserving.has(walletId)) void this.#reserve(walletId);
    });
  }

  async #reserve(walletId: string): Promise<void> {
    this.#reserving.add(walletId);
    try {
      for (let batch = this.#take(walletId); batch.length > 0; batch = this.#take(walletId)) {
        try {
          const first = await this.store.transaction((tx) => tx.derivation.reserve(walletId, batch.length), { singleStatement: true });
          batch.forEach((waiter, i) => waiter.resolve(first + i));
        } catch (error) {
          for (const waiter of batch) waiter.reject(error);
        }
      }
    } finally {
      this.#reserving.delete(walletId);
    }
  }

  #take(walletId: string): Waiter[] {
    const batch = this.#waiting.get(walletId) ?? [];
    this.#waiting.delete(walletId);
    return batch;
  }
}

const allocators = new WeakMap<Store, IndexAllocator>();

/** The process's allocator for `store` (one per store, so concurrent deposits share batches). */
export function indexAllocator(store: Store): IndexAllocator {
  let allocator = allocators.get(store);
  if (!allocator) {
    allocator = new CoalescingIndexAllocator(store);
    allocators.set(store, allocator);
  }
  return allocator;
}
