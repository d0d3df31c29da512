// Every bound the bitcoin adapter works within, in one place (TigerBeetle style: a limit on
// everything, named with its unit).

/** One JSON-RPC request may not take longer than this (a 4 MB block is 8 MB of hex). */
export const RPC_TIMEOUT_MS = 30_000;
/** Largest JSON-RPC reply read, in bytes (COFFER_BITCOIN_RPC_REPLY_MAX_BYTES; a 4 MB block is 8 MB of hex). */
export const RPC_RESPONSE_MAX_BYTES = 32 * 1024 * 1024;
/** Smallest reply cap that may be configured (below twice the largest block, that block cannot be fetched). */
export const RPC_RESPONSE_MAX_BYTES_MIN = 64 * 1024;
/** JSON-RPC framing per block in a batched reply (id, keys, quotes), in bytes, rounded up. */
export const RPC_REPLY_FRAMING_BYTES = 128;
/**
 * Most blocks per batched getblock request (catch-up, reorgs, rescans). The real bound is bytes:
 * a request asks for as many blocks of the recent size as fill a share of the reply cap.
 */
export const BLOCK_FETCH_BATCH_MAX = 16;
/**
 * A batch of blocks aims at 1/4 of the reply cap, so blocks up to four times the recent size
 * still fit: with the default 32 MiB cap, 4 MB blocks come one at a time, 1.7 MB ones two.
 */
export const BLOCK_BATCH_REPLY_SHARE = 4;
/** Blocks whose sizes size the next request (the largest of them counts). */
export const BLOCK_SIZE_WINDOW = 6;
/** Blocks processed between two progress log lines / state checkpoints during a rescan. */
export const RESCAN_PROGRESS_BLOCKS = 100;
/** Mempool transactions fetched per batched getrawtransaction call (split when a reply is too large). */
export const MEMPOOL_FETCH_BATCH = 200;
/** New mempool transactions fetched per poll; the rest wait for the next poll. */
export const MEMPOOL_FETCH_PER_POLL_MAX = 5_000;
/**
 * The txid list is pulled at most once per this many times the last pull took (list + diff), so
 * a mempool of 300,000 transactions (a 20 MB list) costs at most a fifth of the watcher's time.
 */
export const MEMPOOL_LIST_IDLE_FACTOR = 4;
/**
 * Default time (COFFER_BITCOIN_MEMPOOL_GONE_GRACE_MS) an unconfirmed payment must stay absent from
 * the mempool before it is reported `gone`. Behind a load balancer, one replica may not have
 * received a transaction another one listed a second ago; mempools of connected nodes converge in
 * seconds, so a minute of absence is a transaction really replaced or dropped, not a replica
 * behind. Nothing is credited at 0 confirmations, so the wait delays only the `unpaid` display.
 */
export const MEMPOOL_GONE_GRACE_MS_DEFAULT = 60_000;
/** ...and from at least this many mempool lists in a row (each from a poll that also read the chain). */
export const MEMPOOL_GONE_ABSENT_LISTS_MIN = 3;
/**
 * Bits of the watched-script filter, indexed by a program's first three bytes: 2^24 bits (2 MB);
 * 100,000 targets set 0.6 % of them, so almost every output paying someone else stops there.
 */
export const WATCHED_FILTER_BITS = 24;
/** Recent block hashes remembered to find a fork point; deeper reorgs need an operator rescan. */
export const RECENT_HASHES_MAX = 144;
/** Default blocks after which a vanished payment is declared gone (also the re-emit depth). */
export const REORG_HORIZON_DEFAULT = 6;
/** Default gap limit of external wallets (BIP44 says 20). */
export const GAP_LIMIT_DEFAULT = 20;
/** Default poll interval for tip and mempool. */
export const POLL_INTERVAL_MS_DEFAULT = 1_000;
/** How long after its watch window a target is kept in memory, so a rescan still finds late blocks. */
export const PRUNE_GRACE_MS = 24 * 60 * 60 * 1000;
/** Addresses kept derived in memory (the ones derived ahead); past this the cache starts over (derivation is pure). */
export const ADDRESS_CACHE_MAX = 10_000;
/** Characters of a bad reply or error quoted in a log line. */
export const LOGGED_DETAIL_CHARS_MAX = 200;
