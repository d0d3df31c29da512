// Every bound the Tron rail works within, in one place. The chain follower is the EVM rail's, so
// its run-time bounds (batch and range ceilings, hash window, confirmations) are evm/limits.ts's;
// these are the defaults that suit java-tron.

/** A Tron block every 3 s (TRON docs, "Block"). */
export const POLL_INTERVAL_MS_DEFAULT = 3_000;
/** No new block for this long and the rail is reported stale (unhealthy). */
export const STALE_AFTER_MS_DEFAULT = 5 * 60_000;
export const BLOCK_RANGE_MAX_DEFAULT = 100;
/** Blocks per eth_getLogs call to start with (adapts down to 1, up to JAVA_TRON_BLOCK_RANGE_MAX). */
export const LOGS_RANGE_DEFAULT = 1_000;
/** java-tron refuses an eth_getLogs range wider than 5,000 blocks (docs/tron.md, "What java-tron's JSON-RPC offers, and its limits"). */
export const JAVA_TRON_BLOCK_RANGE_MAX = 5_000;
/** JSON-RPC calls per batch to start with; java-tron accepts up to 100 (evm/limits.ts RPC_BATCH_MAX). */
export const BATCH_SIZE_DEFAULT = 50;
/** Bitrefill's figure for USDT on Tron. */
export const CONFIRMATIONS_DEFAULT = 20;
