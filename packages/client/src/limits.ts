// Every bound the client applies, in one place: timeouts, retries, delays, page sizes, parser
// limits. Options may lower or raise the defaults only within the maxima.

export const ClientLimits = {
  /** One attempt (request sent to body read) may take this long by default. */
  timeoutMsDefault: 30_000,
  timeoutMsMax: 10 * 60_000,
  /** Retries after the first attempt; the total is bounded so a dead server fails fast. */
  maxRetriesDefault: 2,
  maxRetriesMax: 10,
  /** Exponential backoff: the first retry waits about this long, doubling up to the cap. */
  retryInitialDelayMsDefault: 500,
  retryMaxDelayMsDefault: 8_000,
  /** A Retry-After longer than this is not waited out: the 429/503 goes to the caller. */
  retryAfterMsMaxDefault: 60_000,
  /** Extra random wait added to a Retry-After, so clients told the same time do not stampede. */
  retryAfterJitterMsMax: 1_000,
  /** The server accepts keys of 1..255 printable ASCII characters. */
  idempotencyKeyLengthMax: 255,
  /** API.md: limit 1..50, start 0..100000. */
  pageLimitMax: 50,
  pageStartMax: 100_000,
  /** Response parser bounds: Coffer's bodies nest about six levels deep. */
  jsonDepthMax: 64,
  jsonNumberCharsMax: 80,
  /** Longest decimal text accepted as an input amount (the server's own bound is 40). */
  amountCharsMax: 40,
  /** How much of an unparseable error body an error keeps, for a person to read. */
  errorBodyCharsMax: 2_000,
  /** Invoice polling defaults and bounds. */
  pollIntervalMsDefault: 2_000,
  pollIntervalMsMin: 100,
  pollTimeoutMsDefault: 15 * 60_000,
} as const;
