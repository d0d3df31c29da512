// Stable machine error codes and the one error class the domain throws. The HTTP layer maps a
// code to a status; docs/error-codes.md lists every code. Messages are for people and never
// carry internals.

export const ErrorCodes = {
  parse_error: 400,
  invalid_param: 400,
  invalid_idempotency_key: 400,
  missing_param: 400,
  unsupported_payment_method: 400,
  invalid_currency: 400,
  amount_too_large: 400,
  amount_too_small: 400,
  body_too_large: 413,
  unsupported_media_type: 415,
  unauthorized: 401,
  business_account_required: 403,
  forbidden: 403,
  account_frozen: 403,
  not_found: 404,
  idempotency_key_in_use: 409,
  conflict: 409,
  idempotency_key_reused: 422,
  balance_too_low: 422,
  invoice_not_payable: 422,
  rate_limited: 429,
  internal_error: 500,
  rate_unavailable: 503,
  payment_method_unavailable: 503,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class CofferError extends Error {
  override readonly name = 'CofferError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, details: Record<string, string> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ErrorCodes[this.code];
  }
}

export function isCofferError(error: unknown): error is CofferError {
  return error instanceof CofferError;
}

/** A bad setting: the server refuses to start, and the message names the setting. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly setting: string;

  constructor(setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.setting = setting;
  }
}
