// Every bound the Solana adapter works within, in one place.

/** getSignaturesForAddress returns at most 1,000 signatures per call (Solana RPC docs; agave rpc.rs). */
export const SIGNATURE_PAGE_MAX = 1_000;
/** Smallest page the adaptive size shrinks to before a refusal is a failure. */
export const SIGNATURE_PAGE_MIN = 1;
/** Pages read backwards for one reference in one poll (bounds a reference spammed with transactions). */
export const SIGNATURE_PAGES_PER_REFERENCE_MAX = 20;
/**
 * References read at once in one poll (requests in flight to the node). Public providers allow
 * tens of requests per second; 8 keeps a poll over 1,000 references at ~1/8 of the sequential
 * time while a 429 still stops every worker at once.
 */
export const REFERENCE_WORKERS = 8;
/**
 * Largest JSON-RPC answer read. The largest the rail asks for, a page of 1,000 signatures, is
 * about 200 KB; a larger answer is refused as too large (the page shrinks), not read into memory.
 */
export const RPC_RESPONSE_BYTES_MAX = 8 * 1024 * 1024;
/** One JSON-RPC HTTP request may take this long before it counts as a timeout. */
export const RPC_TIMEOUT_MS = 15_000;
export const POLL_INTERVAL_MS_DEFAULT = 2_000;
export const POLL_INTERVAL_MS_MAX = 600_000;
/** No successful poll for this long and the rail is reported unhealthy. */
export const STALE_AFTER_MS_DEFAULT = 5 * 60_000;
/**
 * A reference is still polled this long after its watchUntil: a transaction sent just before
 * the deadline becomes finalized some seconds later (about 32 slots of ~400 ms).
 */
export const FINALITY_GRACE_MS = 5 * 60_000;
/** Most targets fetched per WatcherContext.targets() page loop in one poll. */
export const TARGET_PAGES_MAX = 1_000;
/** Decimals of USDC on Solana (the mint reports it; a mismatch refuses to start). */
export const USDC_DECIMALS = 6;
