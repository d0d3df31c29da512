// Every bound of core and of the layers around it (usecases, http, web, webhooks, cli) in one
// place (TigerStyle): page sizes, body sizes, batch sizes, timeouts, retries. Configurable ones
// are defaults that a config reader may override. Rates and each rail keep theirs in their own
// limits.ts; storage's are still in its files until its rewrite lands (docs/design-decisions.md,
// "Limits").

export const Limits = {
  /** Largest request body the HTTP API reads. */
  httpBodyBytesMax: 16 * 1024,
  /** Longest Authorization header read; a longer one is malformed before it is parsed. */
  authHeaderLengthMax: 1024,
  /** Distinct route × status series /metrics keeps; new ones past this are not counted. */
  metricsSeriesMax: 2000,
  /** Invoice and transaction pages (API.md: limit 1..50, default 50). */
  pageLimitMax: 50,
  pageLimitDefault: 50,
  /** Deepest offset a page may start at, so a query never scans unboundedly. */
  pageStartMax: 100_000,
  /** Digits a whole number in a query string or JSON body may have: below 2^53 and PostgreSQL's bigint. */
  inputIntegerDigitsMax: 15,
  /** Deepest nesting of a request's parsed input (the JSON parser stops at jsonDepthMax). */
  inputDepthMax: 32,
  /** Longest decimal text money.ts parses (digits and the point); longer is not an amount. */
  decimalTextCharsMax: 40,
  /** The exact JSON parser (exact-json.ts): deepest nesting; request bodies and price answers are a few levels deep. */
  jsonDepthMax: 16,
  /** ...and most characters in one number: more is not an amount or a price. */
  jsonNumberCharsMax: 64,
  /** Longest Idempotency-Key accepted. */
  idempotencyKeyLengthMax: 255,
  /** How long idempotent responses are kept. */
  idempotencyRetentionMs: 24 * 60 * 60 * 1000,
  /** An in-progress idempotency claim older than this belonged to a process that died. */
  idempotencyStaleMs: 60 * 1000,
  /** Text fields (descriptions, labels). */
  descriptionLengthMax: 500,
  webhookUrlLengthMax: 2048,
  /** Default life of a deposit quote. */
  invoiceExpiryMsDefault: 30 * 60 * 1000,
  /** How long targets stay watched after expiry (late payments are still credited). */
  monitoringWindowMsDefault: 7 * 24 * 60 * 60 * 1000,
  /** Expiry sweeper: invoices per batch and period. */
  expiryBatchMax: 500,
  expirySweepIntervalMs: 1000,
  /** Held-payment retry period. */
  heldRetryIntervalMs: 30 * 1000,
  /** Watched targets handed to a watcher per call. */
  watchedTargetsBatchMax: 10_000,
  /** Known payments handed to a watcher per call, and the depth past which a payment is final. */
  knownPaymentsMax: 10_000,
  reorgHorizonConfirmations: 100,
  /** Observations applied per emit call. */
  observationBatchMax: 1000,
  /** Ledger verification streams transfers in batches of this size. */
  verifyBatchSize: 5000,
  /** Rate-limit window. */
  rateLimitWindowMs: 60 * 1000,
  /** Distinct credentials the in-memory rate limiter tracks before evicting the oldest. */
  rateLimitKeysMax: 100_000,
  /** Authenticated-credential cache (a revocation in another process takes effect within this). */
  authCacheMs: 2000,
  authCacheEntriesMax: 10_000,
  /** Graceful shutdown: longest wait for in-flight requests and watchers. */
  shutdownGraceMs: 10_000,
  /** Watcher lease length and renewal period. */
  leaseMs: 30_000,
  leaseRenewMs: 10_000,
} as const;

/** Bounds of the website's login machinery. */
export const WebLimits = {
  /** scrypt cost: N = 2^15, r = 8, p = 1 (~32 MiB, tens of ms): slow for a guesser, fine for a login. */
  scryptLog2N: 15,
  scryptR: 8,
  scryptP: 1,
  scryptKeyBytes: 32,
  scryptSaltBytes: 16,
  /** scrypt needs 128·N·r bytes; Node's default ceiling is exactly that, so give it room. */
  scryptMaxmemBytes: 64 * 1024 * 1024,
  passwordLengthMin: 10,
  passwordLengthMax: 200,
  emailLengthMax: 254,
  /** Session life; each use slides it forward, at most once per sessionRefreshMs. */
  sessionTtlMs: 7 * 24 * 60 * 60 * 1000,
  sessionRefreshMs: 60 * 60 * 1000,
  /** Failed sign-ins per email (and per client address) before a lock, within the window. */
  loginFailuresPerEmailMax: 5,
  loginFailuresPerAddressMax: 50,
  loginWindowMs: 15 * 60 * 1000,
  loginLockMs: 15 * 60 * 1000,
  /** Password-reset links: life of a link, and reset emails per email (and client address) per login window. */
  resetTokenTtlMs: 30 * 60 * 1000,
  /** Email-confirmation links sent at sign-up live longer: confirming is not urgent. */
  verifyTokenTtlMs: 48 * 60 * 60 * 1000,
  resetRequestsPerEmailMax: 3,
  resetRequestsPerAddressMax: 20,
  /** History and deposit pages on the website. */
  webPageSize: 20,
  /** Longest label of an API credential created on the website. */
  credentialLabelLengthMax: 80,
  /** Deepest history page a link may ask for (pages of webPageSize). */
  webPageNumberMax: 5000,
  /** Form posts: largest body read, and fields parsed from it (the rest are ignored). */
  formBodyBytesMax: 16 * 1024,
  formFieldsMax: 50,
  /** Longest Cookie header read; a longer one counts as no cookies. */
  cookieHeaderLengthMax: 4096,
  /** Deposit-address QR codes kept rendered in memory (oldest evicted first). */
  qrCacheEntriesMax: 500,
  /** Life of the sealed cookie that shows a new API key once. */
  flashTtlSeconds: 300,
  /** A form posted twice waits for the first submit still running in this process: at most this many waits of inFlightWaitMs. */
  inFlightWaitsMax: 50,
  inFlightWaitMs: 100,
} as const;

/** Bounds of the operator's tools: the admin API, the console and the CLI's admin commands. */
export const AdminLimits = {
  /** Accounts and invoices one search returns, and the longest invoice search text. */
  accountSearchMax: 100,
  invoiceSearchMax: 100,
  searchTextLengthMax: 2000,
  /** Charges and transfers shown with one account, events shown with one invoice. */
  accountHistoryMax: 50,
  invoiceEventsMax: 200,
  /** Held payments, audit entries and webhook deliveries per page (deliveries: 50 unless asked). */
  holdsPageMax: 200,
  auditPageMax: 200,
  deliveryPageMax: 200,
  deliveryPageDefault: 50,
  /** Longest note an operator writes when releasing or refunding a held payment. */
  holdNoteLengthMax: 500,
  /** Transfers read per query while streaming the ledger CSV. */
  ledgerCsvPageRows: 1000,
  /** Life of a console session that passed the password but not yet the second factor: long enough to type a code. */
  passwordStageTtlMs: 10 * 60 * 1000,
  /** Rescan: a run that has not advanced for this long stops; progress is polled this often. */
  rescanStallMsDefault: 120_000,
  rescanProgressPollMs: 100,
  /** Most confirmations a sandbox payment may ask to wait for. */
  sandboxConfirmationsMax: 1000,
} as const;

/** Bounds of webhook endpoints and deliveries; the *Default ones are COFFER_WEBHOOK_* settings' defaults (webhook-config.ts). */
export const WebhookLimits = {
  /** Enabled endpoints at once, and the most events one request to an endpoint may carry (`batch_max`). */
  endpointsMax: 100,
  endpointBatchMax: 500,
  /** A rotated secret keeps signing this long by default, and at most this long. */
  rotationOverlapMsDefault: 24 * 60 * 60 * 1000,
  rotationOverlapMsMax: 30 * 24 * 60 * 60 * 1000,
  /** Events (or outbox positions) one redelivery request may name. */
  redeliverEventsMax: 10_000,
  /** Longest error text kept with a failed attempt, and bytes of the answer kept as its excerpt. */
  deliveryErrorLengthMax: 500,
  responseExcerptBytesMax: 512,
  /** Keep-alive: an idle socket closes before the usual 5 s server keep-alive timeout (avoids reuse races); at most socketsPerHostMax per host. */
  idleSocketMs: 4000,
  socketsPerHostMax: 4,
  /** Added to a lane's budget and the attempt timeout to make its claim lease. */
  leaseMarginMs: 30_000,
  /** Whole attempt (lookup, connect, send, response) and the answer bytes read. */
  timeoutMsDefault: 10_000,
  responseBytesMaxDefault: 64 * 1024,
  /** A delivery is retried for this long, then marked failed. */
  deliveryMaxAgeMsDefault: 3 * 24 * 60 * 60 * 1000,
  /** Retry back-off: first wait and longest wait. */
  retryBaseMsDefault: 10_000,
  retryCapMsDefault: 6 * 60 * 60 * 1000,
  /** How often the worker looks for new outbox rows and due lanes. */
  pollMsDefault: 200,
  /** Lanes one worker sends to at once, deliveries per lane claim, outbox rows fanned out per transaction. */
  lanesMaxDefault: 16,
  runMaxDefault: 100,
  fanOutBatchMaxDefault: 500,
  /** Longest a lane run starts new sends. */
  laneBudgetMsDefault: 5000,
  /** PostgreSQL: how long the fan-out waits on an outbox sequence gap before moving past it. */
  gapWaitMsDefault: 10_000,
} as const;

/** Storage's bounds (src/storage): waits, retries, batches and caches of the database layer. */
export const StorageLimits = {
  /** SQLite: how long a statement waits for another connection's lock before SQLITE_BUSY. */
  sqliteBusyTimeoutMs: 5000,
  /** SQLite: how often the checkpointer thread copies the WAL back into the database. */
  sqliteCheckpointIntervalMs: 1000,
  /** A transaction refused by a serialization failure, deadlock or SQLITE_BUSY is tried this many times in all. */
  transactionAttemptsMax: 5,
  /** SQLite: transactions that share one group commit. */
  groupCommitUnitsMax: 64,
  /** PostgreSQL: unkeyed deposits written by one statement (created-invoices.ts). */
  createdInvoicesBatchMax: 64,
  /** Random bytes drawn from the OS at once for new row ids (ids.ts). */
  idRandomPoolBytes: 4096,
  /** SQLite: balance results kept while nothing commits (read-cache.ts). */
  readCacheEntriesMax: 10_000,
  /** SQLite: prepared statements kept per connection. */
  statementCacheMax: 500,
  /** SQLite: released connection objects kept to hand out again. */
  idleConnectionsMax: 64,
} as const;
