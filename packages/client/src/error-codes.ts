// The stable machine codes the server sends in `error_code` (docs/error-codes.md). Programs
// branch on these, never on `message`. A newer server may send a code this list does not know
// yet: the type stays open (`string & {}`) so such a code is still delivered, not dropped.

export const CofferErrorCodes = [
  'parse_error', 'missing_param', 'invalid_param', 'invalid_idempotency_key', 'unsupported_payment_method', 'invalid_currency',
  'amount_too_small', 'amount_too_large', 'unauthorized', 'business_account_required', 'forbidden',
  'account_frozen', 'not_found', 'idempotency_key_in_use', 'conflict', 'body_too_large',
  'unsupported_media_type', 'idempotency_key_reused', 'balance_too_low', 'invoice_not_payable',
  'rate_limited', 'internal_error', 'rate_unavailable', 'payment_method_unavailable', 'service_unavailable',
] as const;

export type KnownCofferErrorCode = (typeof CofferErrorCodes)[number];

/** A documented code, or a code from a newer server (autocompletion keeps the known ones). */
export type CofferErrorCode = KnownCofferErrorCode | (string & {});

export function isKnownErrorCode(code: string): code is KnownCofferErrorCode {
  return (CofferErrorCodes as readonly string[]).includes(code);
}
