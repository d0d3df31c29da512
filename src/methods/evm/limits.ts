// Every bound the EVM adapter works within, in one place (TigerStyle: a limit on everything).

/** Most blocks one watcher step reads (eth_getLogs range and block batch). Providers cap ranges too. */
export const BLOCK_RANGE_MAX_DEFAULT = 100;
export const BLOCK_RANGE_MAX_LIMIT = 10_000;
/** Most JSON-RPC calls in one HTTP batch; public providers commonly accept 100. */
export const RPC_BATCH_MAX = 100;
/** One JSON-RPC HTTP request may take this long before it counts as a node failure (and is split). */
export const RPC_TIMEOUT_MS = 15_000;
/** A rate-limited request is sent again this many times (after Retry-After or backoff) before it fails. */
export const RPC_RATE_LIMIT_RETRIES = 3;
/** A JSON-RPC reply larger than this is refused as too large (the range or batch is split). */
export const RPC_RESPONSE_BYTES_MAX = 32 * 1024 * 1024;
/**
 * Open native-coin deposit addresses whose balances are checked at the end of each range before
 * blocks are read: when none changed, the range needs no block bodies (an idle chain costs a few
 * calls per range, not one per block). Above this many, every block is read instead.
 */
export const BALANCE_GATE_ADDRESSES_MAX = 200;
/**
 * Without call traces (docs/evm.md "ETH sent by contracts"), forwarded ETH is found from the
 * balances of open deposit addresses: at most this many addresses are checked per range (the ones
 * opened last; above it the rest are not checked for forwarded ETH, and a warning says so).
 */
export const BALANCE_CHECK_ADDRESSES_MAX = 1_000;
/**
 * Most eth_getBalance calls one step makes to place balance changes in their blocks (changed
 * addresses x blocks of the range): above it the step covers fewer blocks, never skips any.
 */
export const BALANCE_READS_PER_STEP_MAX = 2_000;
/** Most transactions whose call traces one step reads (the rest of the range is logged, not traced). */
export const TRACE_TXS_PER_STEP_MAX = 20_000;
/** Poll interval when the watcher is caught up with the head. */
export const POLL_INTERVAL_MS_DEFAULT = 1_000;
/** No new block for this long and the chain is reported stale (unhealthy). */
export const STALE_AFTER_MS_DEFAULT = 5 * 60_000;
/** Block hashes kept per chain for reorg detection (the reorg horizon), at least. */
export const HASH_WINDOW_MIN = 64;
export const HASH_WINDOW_MAX = 1_024;
/**
 * Above this many watched addresses the `to` topic filter is not sent to the node (the request
 * would be megabytes); all Transfer logs of the configured contracts are fetched and matched here.
 */
export const TOPIC_FILTER_ADDRESSES_MAX = 500;
/** EIP-55 checksums remembered (address.ts): a deposit checksums the same address and contract up to three times. */
export const CHECKSUM_MEMO_MAX = 1024;
/** Most confirmations a chain may require (sanity bound on configuration). */
export const CONFIRMATIONS_MAX = 10_000;
/** Most targets fetched per WatcherContext.targets() page loop in one step. */
export const TARGET_PAGES_MAX = 1_000;
/** Steps in a row with inconsistent node answers before the chain is reported unhealthy. */
export const INCONSISTENT_STEPS_MAX = 10;
