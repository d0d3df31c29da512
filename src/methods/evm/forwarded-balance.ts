// ETH that reached a deposit address without a transaction to it (a contract's inner call), found
// from balances when the node offers no call traces. An externally owned address's balance moves
// only by: top-level transactions to it (value), transactions it sends (value + fees), inner
// calls of contracts (value, incl. SELFDESTRUCT), block rewards and beacon withdrawals (EIP-4895)
// when it is the fee recipient or a withdrawal address (never, for a deposit address, in practice).
// So in one block, balance(n) - balance(n-1) - (value of the block's successful top-level
// transactions to it) is what arrived by other paths: with no transaction from the address in the
// block, a positive rest is forwarded ETH. A block where the address sent a transaction is not
// judged (its fees, L1 data fees on rollups and blob fees are not all in one receipt shape), and a
// negative rest (ETH left without a transaction, e.g. EIP-7702 delegated code) is not a payment.
// The key names the block by hash, so it can never equal a transaction's key
// (`<chain>:<tx>:native`, `<chain>:<tx>:trace:<path>`), and a reorg gives the replacement block
// its own key instead of contradicting the first one.

import type { Block } from './chain-reader.ts';

export type ForwardedVerdict =
  | { readonly kind: 'forwarded'; readonly amountWei: bigint }
  | { readonly kind: 'none' }
  /** The address sent a transaction in the block: the rest cannot be told apart from fees. */
  | { readonly kind: 'sent' }
  /** ETH left the address without a transaction from it (the rest is negative). */
  | { readonly kind: 'outflow'; readonly amountWei: bigint };

/**
 * What arrived at `address` (lowercase) in `block` (full transactions) other than by its own
 * top-level transactions. `succeeded(txHash)` says whether a top-level transaction to the address
 * succeeded (from its receipt); a failed one moved no value.
 */
export function forwardedInBlock(
  address: string, block: Block, beforeWei: bigint, afterWei: bigint, succeeded: (txHash: string) => boolean,
): ForwardedVerdict {
  if (block.transactions.some((tx) => tx.from === address)) return { kind: 'sent' };
  let direct = 0n;
  for (const tx of block.transactions) if (tx.to === address && tx.valueWei > 0n && succeeded(tx.hash)) direct += tx.valueWei;
  const rest = afterWei - beforeWei - direct;
  if (rest > 0n) return { kind: 'forwarded', amountWei: rest };
  if (rest < 0n) return { kind: 'outflow', amountWei: -rest };
  return { kind: 'none' };
}

/** Top-level transactions to `address` with value in `block`: their receipts decide `succeeded`. */
export function directTransfers(address: string, block: Block): string[] {
  return block.transactions.filter((tx) => tx.to === address && tx.valueWei > 0n).map((tx) => tx.hash);
}

/** `<chainId>:balance:<address>:<height>:<blockHash>`: one per address and block, never a transaction's key. */
export function balancePaymentKey(chainId: number, address: string, block: { number: number; hash: string }): string {
  return `${chainId}:balance:${address}:${block.number}:${block.hash}`;
}

/** The address and height of a balance key; null for any other key. */
export function parseBalancePaymentKey(key: string): { address: string; height: number; blockHash: string } | null {
  const m = /^\d+:balance:(0x[0-9a-f]{40}):(\d+):(0x[0-9a-f]{64})$/.exec(key);
  return m === null ? null : { address: m[1] as string, height: Number(m[2]), blockHash: m[3] as string };
}
