// Every bound of core and of the layers around it (http, web, usecases, storage, webhooks) in
// one place (TigerStyle): page sizes, body sizes, batch sizes, timeouts, retries. Configurable
// ones are defaults that config.ts may override. Rates and each rail keep theirs in their own
// limits.ts (docs/design-decisions.md, "Limits").

export const Limits = {
  /** Largest request body the HTTP API reads. */
  httpBodyBytesMax: 16 * 1024,
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
} as const;
