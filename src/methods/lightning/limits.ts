// Every bound the lightning method works within, in one place (TigerStyle: put a limit on everything).

export const LightningLimits = {
  /** Longest a single REST call may take before the node counts as unreachable. */
  requestTimeoutMsDefault: 10_000,
  /** Largest response body read from a node. */
  responseBytesMax: 8 * 1024 * 1024,
  /** Concurrent sockets to one node. */
  socketsMax: 16,
  /** Invoices read per ListInvoices page (LND); halved down to the minimum when an answer is too large. */
  listPageSize: 500,
  listPageSizeMin: 25,
  /** Requests (pages, look-ups) per poll call (LND): a long sweep continues on the next call, after a pause. */
  requestsPerPoll: 8,
  /**
   * LND poll: while at most this many of Coffer's own invoices are open on the node, each sweep
   * looks them up by hash instead of re-reading every open invoice of the node (pending_only
   * pages); above it the sweep reads the pending pages (cost: the node's open invoices / page size).
   */
  lookupsPerSweepMax: 1_000,
  /** Look-ups sent at once (one request slot of `requestsPerPoll`); below `socketsMax`. */
  lookupsConcurrent: 16,
  /** Pause between two poll calls of one unfinished sweep: bounded work, never a busy loop. */
  sweepPauseMs: 20,
  /** Settlements applied above a gap in settle_index, remembered until the gap is confirmed. */
  appliedAboveMax: 100_000,
  /** Settled invoices taken per poll (CLN waitanyinvoice with timeout 0). */
  settledPerPoll: 1_000,
  /** CLN long-poll wait per waitanyinvoice call, seconds. */
  longPollSeconds: 30,
  /** How often the watcher polls with its cursor, by default. */
  pollIntervalMsDefault: 5_000,
  pollIntervalMsMin: 100,
  /** Stream reconnect backoff. */
  reconnectMsMin: 200,
  reconnectMsMax: 30_000,
  /** Payment hashes remembered to suppress duplicate settle notifications. */
  recentSettledMax: 10_000,
  /** Most a node-made invoice may expire before the deposit does (node clock skew allowance). */
  expirySkewSecondsMax: 300,
  /** BOLT11 descriptions are kept well under the 639-byte field maximum. */
  descriptionBytesMax: 300,
} as const;
