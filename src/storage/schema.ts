// Row types as stored. Amounts are canonical integer strings here (SQLite TEXT with a CHECK,
// PostgreSQL NUMERIC(78,0)); they become bigint only when they leave storage/. Instants are ISO
// 8601 UTC strings with milliseconds, which sort correctly as text on both dialects.

import type { Generated } from 'kysely';

export interface AccountsTable {
  id: string;
  type: string;
  currency: string;
  status: string;
  label: string | null;
  created_at: string;
}

export interface CredentialsTable {
  id: string;
  account_id: string;
  kind: string;
  secret_hash: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface InvoicesTable {
  seq: Generated<number>;
  id: string;
  account_id: string;
  status: string;
  currency: string;
  amount: string | null;
  method_id: string;
  asset: string;
  unit_scale: number;
  price_precision: number;
  price_units: string | null;
  rate_units: string | null;
  rate_scale: number | null;
  rate_sources: string | null;
  rate_at: string | null;
  /** Migration 005: the account currency a foreign-currency invoice credits, and the locked rate. */
  credit_currency: string | null;
  credit_rate_units: string | null;
  credit_rate_scale: number | null;
  fx_invoice_rate_units: string | null;
  fx_invoice_rate_scale: number | null;
  fx_sources: string | null;
  fx_at: string | null;
  target_key: string;
  address: string;
  uri: string;
  lightning_invoice: string | null;
  network: string;
  chain_id: number | null;
  contract_address: string | null;
  wallet_id: string | null;
  derivation_index: number | null;
  confirmations_required: number;
  received_units: string;
  credited_amount: string;
  webhook_url: string | null;
  created_at: string;
  expires_at: string;
  watch_until: string;
  completed_at: string | null;
  updated_at: string;
}

/** A companion target of an invoice: another method's target paying the same invoice. */
export interface InvoiceTargetsTable {
  invoice_id: string;
  method_id: string;
  target_key: string;
  /** The parent invoice's seq, so watchers page invoices and companions with one cursor. */
  created_seq: number;
}

export interface PaymentsTable {
  seq: Generated<number>;
  id: string;
  invoice_id: string;
  account_id: string;
  method_id: string;
  payment_key: string;
  target_key: string;
  txid: string;
  amount_units: string;
  state: string;
  confirmations: number;
  block_hash: string | null;
  block_height: number | null;
  rbf: number;
  late: number;
  rate_units: string | null;
  rate_scale: number | null;
  rate_sources: string | null;
  credited_amount: string | null;
  reversed: number;
  held_reason: string | null;
  first_seen_at: string;
  updated_at: string;
}

export interface LedgerAccountsTable {
  id: string;
  currency: string;
  balance: string;
  updated_at: string;
}

export interface TransfersTable {
  seq: Generated<number>;
  id: string;
  key: string;
  currency: string;
  amount: string;
  debit_account: string;
  credit_account: string;
  kind: string;
  account_id: string | null;
  invoice_id: string | null;
  payment_id: string | null;
  charge_id: string | null;
  reverses_id: string | null;
  description: string | null;
  created_at: string;
}

export interface ChargesTable {
  seq: Generated<number>;
  id: string;
  account_id: string;
  currency: string;
  amount: string;
  refunded_amount: string;
  idempotency_key: string;
  description: string | null;
  created_at: string;
}

export interface IdempotencyTable {
  scope: string;
  key: string;
  request_hash: string;
  state: string;
  response_status: number | null;
  response_body: string | null;
  created_at: string;
}

export interface OutboxTable {
  seq: Generated<number>;
  id: string;
  type: string;
  account_id: string | null;
  invoice_id: string | null;
  payload: string;
  created_at: string;
}

export interface WatcherStateTable {
  watcher: string;
  key: string;
  value: string;
  updated_at: string;
}

export interface DerivationIndexesTable {
  wallet_id: string;
  next_index: number;
}

export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: string;
}

export interface Database {
  accounts: AccountsTable;
  credentials: CredentialsTable;
  invoices: InvoicesTable;
  invoice_targets: InvoiceTargetsTable;
  payments: PaymentsTable;
  ledger_accounts: LedgerAccountsTable;
  transfers: TransfersTable;
  charges: ChargesTable;
  idempotency_keys: IdempotencyTable;
  outbox: OutboxTable;
  watcher_state: WatcherStateTable;
  derivation_indexes: DerivationIndexesTable;
  leases: LeasesTable;
}

// The website's tables (migration 003-web). Declared as a second `Database` interface, which
// TypeScript merges with the one above, so the core tables' declaration stays untouched.

export interface WebUsersTable {
  id: string;
  account_id: string;
  email: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

export interface WebSessionsTable {
  /** SHA-256 (hex) of the session cookie's token; the token itself is never stored. */
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface WebLoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
}

export interface Database {
  web_users: WebUsersTable;
  web_sessions: WebSessionsTable;
  web_login_throttle: WebLoginThrottleTable;
}

// Password-reset tokens (migration 005).
export interface WebResetTokensTable {
  /** SHA-256 (hex) of the emailed token; the token itself is never stored. */
  id: string;
  user_id: string;
  /** 'reset' (password reset) or 'verify' (email confirmation). */
  purpose: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

// Migration 005 also adds web_users.email_verified_at.
export interface WebUsersTable {
  email_verified_at: string | null;
}

export interface Database {
  web_reset_tokens: WebResetTokensTable;
}

// Webhooks (migration 002). Declared as an interface merge so the tables join `Database`.

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  description: string | null;
  /** JSON array of event types, or ["*"] for every type. */
  event_types: string;
  status: string;
  secret: string;
  previous_secret: string | null;
  previous_expires_at: string | null;
  created_at: string;
  updated_at: string;
  /** Events per request, 1 = one each (migration 004). */
  batch_max: number;
}

export interface WebhookAccountSecretsTable {
  account_id: string;
  secret: string;
  previous_secret: string | null;
  previous_expires_at: string | null;
  updated_at: string;
}

export interface WebhookCursorsTable {
  name: string;
  outbox_seq: number;
  updated_at: string;
}

export interface WebhookLanesTable {
  key: string;
  next_attempt_at: string | null;
  claimed_by: string | null;
  claimed_until: string | null;
}

export interface WebhookDeliveriesTable {
  seq: Generated<number>;
  id: string;
  lane_key: string;
  dedupe_key: string | null;
  endpoint_id: string | null;
  account_id: string | null;
  invoice_id: string | null;
  event_id: string;
  event_type: string;
  outbox_seq: number;
  url: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  deadline_at: string;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
  redelivery_of: string | null;
  created_at: string;
}

export interface WebhookAttemptsTable {
  seq: Generated<number>;
  delivery_id: string;
  attempt: number;
  at: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  response_excerpt: string | null;
}

export interface Database {
  webhook_endpoints: WebhookEndpointsTable;
  webhook_account_secrets: WebhookAccountSecretsTable;
  webhook_cursors: WebhookCursorsTable;
  webhook_lanes: WebhookLanesTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}

// The operator console (migration 005). Declared as an interface merge like the tables above.

export interface OperatorUsersTable {
  id: string;
  email: string;
  /** scrypt$N$r$p$salt$hash, as the website's (usecases/web-password.ts). */
  password_hash: string;
  role: string;
  /** Base32 TOTP secret; set at enrolment, enabled once a code from it was given. */
  totp_secret: string | null;
  totp_enabled_at: string | null;
  /** The last TOTP time step accepted: a code is never accepted twice (RFC 6238 §5.2). */
  totp_last_step: number | string | null;
  created_at: string;
  updated_at: string;
  /** Set when the operator was removed (migration 008): the row stays for the audit log. */
  disabled_at: string | null;
}

export interface OperatorSessionsTable {
  /** SHA-256 (hex) of the cookie token. */
  id: string;
  operator_id: string;
  stage: string;
  created_at: string;
  expires_at: string;
}

export interface OperatorRecoveryCodesTable {
  operator_id: string;
  code_hash: string;
  used_at: string | null;
}

export interface OperatorAuditTable {
  seq: Generated<number>;
  actor_id: string;
  actor_name: string;
  action: string;
  target: string;
  before_state: string | null;
  after_state: string | null;
  at: string;
}

export interface PaymentResolutionColumns {
  resolution: string | null;
  resolution_note: string | null;
}

export interface PaymentsTable extends PaymentResolutionColumns {}

export interface Database {
  operator_users: OperatorUsersTable;
  operator_sessions: OperatorSessionsTable;
  operator_recovery_codes: OperatorRecoveryCodesTable;
  operator_audit: OperatorAuditTable;
}
