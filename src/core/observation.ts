// What a watcher saw on a chain or a lightning node. Applying an Observation (usecases/
// apply-observations) is the only way money enters the ledger, and it is idempotent on
// `paymentKey`, the chain's natural key for one payment.

export const ObservationStates = ['seen', 'confirmed', 'gone'] as const;
/**
 * - `seen`: exists but is not in a block (mempool, or its block left the chain): 0 confirmations.
 * - `confirmed`: in a block with `confirmations` >= 1 (or a settled lightning invoice, reported
 *   with confirmations 1). It is credited once confirmations reach the method's requirement.
 * - `gone`: no longer in the chain or mempool (replaced, double-spent, reorged out past the
 *   horizon, failed). A credited payment that goes is reversed.
 */
export type ObservationState = (typeof ObservationStates)[number];

export interface Observation {
  /** Payment method id the payment was made with, e.g. 'bitcoin', 'usdc_base'. */
  readonly methodId: string;
  /** The target it paid, exactly as PaymentTarget.targetKey was allocated. */
  readonly targetKey: string;
  /**
   * txid:vout | payment_hash | chainId:txhash:logIndex | chainId:txhash:native. For EVM tokens
   * the log index is the log's position within its transaction's receipt, not in the block, so a
   * transaction re-mined in another block keeps its key.
   */
  readonly paymentKey: string;
  /** Amount in the method's base unit (MethodSpec.unitScale). */
  readonly amountUnits: bigint;
  readonly state: ObservationState;
  readonly confirmations: number;
  /** Transaction id shown to the customer (txid, tx hash, payment hash). */
  readonly txid: string;
  readonly blockHash?: string;
  readonly blockHeight?: number;
  /** The transaction signals replace-by-fee (BIP125): shown, and never credited at 0 conf anyway. */
  readonly rbf?: boolean;
}
