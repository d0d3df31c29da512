// @coffer/client: a typed client for Coffer's /v2 customer API and /admin operator API.
// Zero runtime dependencies; runs wherever `fetch` does (Node ≥ 20, Deno, Bun, browsers).

export { CofferClient } from './coffer-client.ts';
export type { CofferClientOptions } from './coffer-client.ts';
export { CofferAdminClient } from './coffer-admin-client.ts';
export type { CofferAdminClientOptions } from './coffer-admin-client.ts';
export type { CommonClientOptions } from './client-options.ts';
export type { CallOptions, FetchLike, FetchInit, FetchResponse, Sleep } from './transport.ts';
export type { Result, ResponseInfo, ResponseMeta } from './response.ts';
export { Page } from './page.ts';
export type { PageParams } from './page.ts';

export { amountText, CurrencyScale, formatUnits, toUnits } from './decimal.ts';
export type { Amount } from './decimal.ts';

export { FinalInvoiceStatuses, isFinalInvoiceStatus } from './invoice.ts';
export type {
  BalanceCurrency, Invoice, InvoiceConversion, InvoicePayment, InvoiceStatus, PaymentMethodId, PaymentStatus, PaymentTransaction, PaymentTransactionStatus,
} from './invoice.ts';
export type { Balance, CurrencyBalance, DepositParams, Transaction, TransactionType } from './resources/accounts.ts';
export type { PollOptions } from './resources/invoices.ts';
export type { SandboxPayParams } from './resources/sandbox.ts';
export type { AccountStatus, AccountType, AccountWithBalances, AdminAccount, CreateAccountParams, CreatedAccount, IssuedCredential } from './admin/accounts.ts';
export type { RevokedCredential } from './admin/credentials.ts';
export type { Charge, ChargeParams, RefundParams } from './admin/charges.ts';
export type { AdminInvoice } from './admin/invoices.ts';
export type { LedgerReport } from './admin/ledger.ts';

export {
  CofferApiError, CofferAuthenticationError, CofferConflictError, CofferConnectionError, CofferInputError, CofferInvalidRequestError,
  CofferInvalidResponseError, CofferNotFoundError, CofferPermissionError, CofferPollTimeoutError, CofferRateLimitError, CofferSdkError,
  CofferServerError, CofferTimeoutError, CofferUnprocessableError,
} from './errors.ts';
export type { ApiErrorDetails } from './errors.ts';
export { CofferErrorCodes, isKnownErrorCode } from './error-codes.ts';
export type { CofferErrorCode, KnownCofferErrorCode } from './error-codes.ts';

// Verifying webhook signatures needs node:crypto, so it is its own entry point, kept out of this
// runtime-neutral one: import { verifyWebhookSignature } from '@coffer/client/webhooks'.
