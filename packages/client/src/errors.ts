// Errors as classes (viem / stripe-node style). Every failure the client reports is a
// CofferSdkError; an HTTP error answer is a CofferApiError carrying the status, the server's
// stable `error_code`, its message and the X-Request-Id to quote to the operator. Subclasses
// follow the status so callers can `instanceof` broadly and switch on `errorCode` precisely.

import type { CofferErrorCode } from './error-codes.ts';
import type { Invoice } from './invoice.ts';
import { parseRetryAfterMs } from './retry-policy.ts';

export class CofferSdkError extends Error {
  override readonly name: string = 'CofferSdkError';
}

/** A caller mistake caught before anything was sent (bad amount, bad option). */
export class CofferInputError extends CofferSdkError {
  override readonly name: string = 'CofferInputError';
  readonly field: string | null;
  constructor(message: string, field: string | null = null) {
    super(message);
    this.field = field;
  }
}

export interface ApiErrorDetails {
  readonly status: number;
  /** The server's `error_code`; null when the body was not Coffer's envelope (e.g. a proxy's HTML page). */
  readonly errorCode: CofferErrorCode | null;
  readonly message: string;
  readonly requestId: string | null;
  readonly endpoint: string | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The response text, cut to a bounded length. */
  readonly body: string;
}

/** The server answered with an error status. */
export class CofferApiError extends CofferSdkError {
  override readonly name: string = 'CofferApiError';
  readonly status: number;
  readonly errorCode: CofferErrorCode | null;
  readonly requestId: string | null;
  readonly endpoint: string | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;

  constructor(details: ApiErrorDetails) {
    super(details.message);
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.requestId = details.requestId;
    this.endpoint = details.endpoint;
    this.headers = details.headers;
    this.body = details.body;
  }
}

/** 400, 413, 415: the request itself is wrong (missing_param, invalid_param, parse_error, ...). */
export class CofferInvalidRequestError extends CofferApiError {
  override readonly name: string = 'CofferInvalidRequestError';
}

/** 401: no, wrong, revoked credentials, or the wrong scheme for the account type. */
export class CofferAuthenticationError extends CofferApiError {
  override readonly name: string = 'CofferAuthenticationError';
}

/** 403: business_account_required, account_frozen, forbidden. */
export class CofferPermissionError extends CofferApiError {
  override readonly name: string = 'CofferPermissionError';
}

/** 404: no such resource (including another account's invoice). */
export class CofferNotFoundError extends CofferApiError {
  override readonly name: string = 'CofferNotFoundError';
}

/** 409: idempotency_key_in_use, conflict. Retried automatically on idempotent requests. */
export class CofferConflictError extends CofferApiError {
  override readonly name: string = 'CofferConflictError';
}

/** 422: idempotency_key_reused, balance_too_low, invoice_not_payable. */
export class CofferUnprocessableError extends CofferApiError {
  override readonly name: string = 'CofferUnprocessableError';
}

/** 429 after the client's own retries (or with a Retry-After too long to wait out). */
export class CofferRateLimitError extends CofferApiError {
  override readonly name: string = 'CofferRateLimitError';
  /** Retry-After in milliseconds, when the server sent one. */
  get retryAfterMs(): number | null {
    return parseRetryAfterMs(this.headers['retry-after'] ?? null, Date.now());
  }
}

/** 5xx: internal_error, rate_unavailable, payment_method_unavailable, service_unavailable. */
export class CofferServerError extends CofferApiError {
  override readonly name: string = 'CofferServerError';
}

/** No answer: DNS, refused or reset connection. The request may or may not have run. */
export class CofferConnectionError extends CofferSdkError {
  override readonly name: string = 'CofferConnectionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No complete answer within the timeout. The request may or may not have run. */
export class CofferTimeoutError extends CofferConnectionError {
  override readonly name: string = 'CofferTimeoutError';
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`No response within ${timeoutMs} ms`);
    this.timeoutMs = timeoutMs;
  }
}

/** A success status whose body is not Coffer's JSON envelope. */
export class CofferInvalidResponseError extends CofferSdkError {
  override readonly name: string = 'CofferInvalidResponseError';
  readonly status: number;
  readonly requestId: string | null;
  constructor(message: string, status: number, requestId: string | null) {
    super(message);
    this.status = status;
    this.requestId = requestId;
  }
}

/** invoices.poll gave up: the invoice did not reach the awaited state in time. */
export class CofferPollTimeoutError extends CofferSdkError {
  override readonly name: string = 'CofferPollTimeoutError';
  /** The invoice as last read. */
  readonly last: Invoice;
  constructor(last: Invoice, waitedMs: number) {
    super(`Invoice ${last.id} is still ${last.status} after ${waitedMs} ms`);
    this.last = last;
  }
}

const ERROR_CLASSES: ReadonlyArray<readonly [(status: number) => boolean, typeof CofferApiError]> = [
  [(s) => s === 400 || s === 413 || s === 415, CofferInvalidRequestError],
  [(s) => s === 401, CofferAuthenticationError],
  [(s) => s === 403, CofferPermissionError],
  [(s) => s === 404, CofferNotFoundError],
  [(s) => s === 409, CofferConflictError],
  [(s) => s === 422, CofferUnprocessableError],
  [(s) => s === 429, CofferRateLimitError],
  [(s) => s >= 500, CofferServerError],
];

/** The most specific class for a status. */
export function apiErrorFor(details: ApiErrorDetails): CofferApiError {
  const match = ERROR_CLASSES.find(([test]) => test(details.status));
  const ErrorClass = match ? match[1] : CofferApiError;
  return new ErrorClass(details);
}
