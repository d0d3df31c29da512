// Every bound the bitcoin adapter works within, in one place (TigerBeetle style: a limit on
// everything, named with its unit).

/** One JSON-RPC request may not take longer than this (a 4 MB block is 8 MB of hex). */
export const RPC_TIMEOUT_MS = 30_000;
/** Largest JSON-RPC response accepted (a max-weight block as hex plus JSON framing). */
export const RPC_RESPONSE_MAX_BYTES = 16 * 1024 * 1024;
/** Blocks fetched per batched getblock call while catching up or rescanning. */
export const BLOCK_FETCH_BATCH = 10;
/** Blocks processed between two progress log lines / state checkpoints during a rescan. */
export const RESCAN_PROGRESS_BLOCKS = 100;
/** Mempool transactions fetched per batched getrawtransaction call. */
export const MEMPOOL_FETCH_BATCH = 200;
/** New mempool transactions fetched per poll; the rest wait for the next poll. */
export const MEMPOOL_FETCH_PER_POLL_MAX = 5_000;
/** Recent block hashes remembered to find a fork point; deeper reorgs need an operator rescan. */
export const RECENT_HASHES_MAX = 144;
/** Default blocks after which a vanished payment is declared gone (also the re-emit depth). */
export const REORG_HORIZON_DEFAULT = 6;
/** Default gap limit of external wallets (BIP44 says 20). */
export const GAP_LIMIT_DEFAULT = 20;
/** Default poll interval for tip and mempool. */
export const POLL_INTERVAL_MS_DEFAULT = 1_000;
/** Longest wait between polls when the node keeps failing (exponential backoff cap). */
export const POLL_BACKOFF_MAX_MS = 30_000;
