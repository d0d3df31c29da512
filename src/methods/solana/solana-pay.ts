// The Solana Pay transfer-request URI a deposit shows (anza-xyz/solana-pay SPEC.md, "Specification:
// Transfer Request"): solana:<recipient>?amount=&spl-token=&reference=&label=&message=.
// - recipient is the operator's wallet (a native SOL account), never the token account: wallets
//   derive the associated token account from recipient and spl-token ("Associated token
//   accounts must not be used").
// - amount is in user units (USDC, not base units), decimal, no exponent, a leading 0 below 1.
// - reference is attached by the wallet as a read-only non-signer key to the transfer
//   instruction, so getSignaturesForAddress(reference) finds the payment.

import { formatDecimal } from '../../core/money.ts';

export interface TransferRequest {
  readonly recipient: string;
  /** Base units of the token (null: the wallet asks the payer for the amount). */
  readonly amountUnits: bigint | null;
  readonly decimals: number;
  readonly splToken: string;
  readonly reference: string;
  readonly label?: string;
  readonly message?: string;
}

export function transferRequestUri(request: TransferRequest): string {
  const query: string[] = [];
  if (request.amountUnits !== null) query.push(`amount=${formatDecimal(request.amountUnits, request.decimals)}`);
  query.push(`spl-token=${request.splToken}`, `reference=${request.reference}`);
  if (request.label !== undefined) query.push(`label=${encodeURIComponent(request.label)}`);
  if (request.message !== undefined) query.push(`message=${encodeURIComponent(request.message)}`);
  return `solana:${request.recipient}?${query.join('&')}`;
}
