// What an Ethereum JSON-RPC node or provider meant by an error, for the shared request policy
// (src/methods/request-policy.ts): "too large" (split the range or batch), "rate limited" (wait,
// honour Retry-After), "unavailable" (back off, retry unchanged), or none of these (a real answer,
// e.g. "execution reverted"). Matched by HTTP status, JSON-RPC code and message, because every
// provider words it differently. Reusable by any rail that speaks Ethereum-style JSON-RPC (Tron).
//
// The messages matched, with where they come from:
// - Infura / MetaMask:  -32005 "query returned more than 10000 results", -32005 "query timeout
//   exceeded" (docs.infura.io eth_getLogs constraints); -32602 "range 1000000 exceeds limit of
//   10000" (INFURA/infura#237); -32005 "project ID request rate exceeded" / 429.
// - Alchemy: -32600 "You can make eth_getLogs requests with up to a 500 block range. Based on your
//   parameters, this block range should work: [0x123c9b2, 0x123cba5]" (BobTheBuidler/dank_mids#772);
//   -32602 "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block
//   range and no limit on the response size, or you can request any block range with a cap of 10K
//   logs in the response. Based on your parameters and the response size limit, this block range
//   should work: [0x0, 0x87fe9]" (ethereum/go-ethereum#25343); "Log response size exceeded. Please
//   reduce query block range." (bancorprotocol/webapp#523); 429 "Your app has exceeded its
//   compute units per second capacity".
// - QuickNode: -32614 "eth_getLogs is limited to a 10,000 range" (quicknode.com/docs eth_getLogs,
//   10,000-block limit); 429 "request limit reached".
// - Public endpoints: -32005 "query exceeds max block range 100000" / "query returned more than
//   10000 results" (therpc.io Base docs; sqd.dev eth_getLogs limits: 1rpc.io 50 blocks, merkle
//   1,000), "block range is bigger than maxBlockRange" (scroll-tech/go-ethereum#529),
//   "exceed maximum block range: 50000" (BSC / erigon-style), "In eth_getLogs ... the block range
//   is limited to 2000." (xplorer docs).
// - geth: -32600 "batch too large" (one error for the whole batch, rpc/handler.go
//   respondWithBatchTooLarge), -32003 "response too large", -32002 "request timed out"
//   (rpc/errors.go).
// - reth: "query exceeds max block range 100000", "query exceeds max results 20000, retry with
//   the range 24383075-24383096" (alloy getLogs retry helper, reth rpc eth filter).
// - erigon: "block range too large" style messages and the geth ones above.
// - TronGrid (java-tron's hosted JSON-RPC): 429, or 403/503 with "The key exceeds the frequency
//   limit(15), and the query server is suspended for 30s" (TRON developer docs, TronGrid "Rate
//   limits"; its message in the CSDN TronGrid API-key write-up).
// - HTTP: 413 Payload Too Large (body or batch), 429 with Retry-After (RFC 9110 §15.5.14 and
//   RFC 6585 §4), 5xx / unreachable / not JSON.

import { RemoteFailureKind } from '../request-policy.ts';

/** What an error message says about the request's size. */
const TOO_LARGE_PATTERNS: readonly RegExp[] = [
  /query returned more than \d+ results/i,
  /query exceeds max (block range|results)/i,
  /exceeds? (the )?(max(imum)?|limit)/i,
  /block range (is )?(too (large|wide|big)|limit|is bigger|is limited|exceed)/i,
  /range \d+ exceeds limit/i,
  /(log|response) (response )?size exceeded/i,
  /you can make eth_getlogs requests with up to/i,
  /is limited to a [\d,]+ (block )?range/i,
  /ranges? over [\d,]+ blocks/i,
  /(batch|response|payload|request entity) (is |size )?too (large|big)/i,
  /batch (size |request )?(limit|exceeds?)/i,
  /too many (results|logs|blocks|requests in (the )?batch)/i,
  /query timeout exceeded/i,
  /limit(ed)? (to|of) [\d,]+ (results|logs|blocks)/i,
];

const RATE_LIMIT_PATTERNS: readonly RegExp[] = [
  /rate.?limit/i,
  /too many requests/i,
  /request rate exceeded/i,
  /exceeded its compute units/i,
  /compute units per second/i,
  /request limit reached/i,
  /capacity exceeded|over capacity/i,
  /daily (request )?(limit|quota)/i,
  /exceeds the frequency limit/i,
];

const TIMEOUT_PATTERNS: readonly RegExp[] = [/request timed out/i, /timeout/i, /timed out/i];

/** JSON-RPC codes that mean "limit exceeded" (EIP-1474 -32005), geth's response/timeout codes, QuickNode's range code. */
const TOO_LARGE_CODES = new Set([-32003, -32614]);

export interface RpcFailureFacts {
  readonly httpStatus?: number | undefined;
  readonly code?: number | undefined;
  readonly message: string;
}

/** The policy's view of a failed call; null = a real answer, not a transport or limit problem. */
export function classifyRpcFailure(facts: RpcFailureFacts): RemoteFailureKind | null {
  const { httpStatus, code, message } = facts;
  if (httpStatus === 429) return RemoteFailureKind.rateLimited;
  if (httpStatus === 413) return RemoteFailureKind.tooLarge;
  if (httpStatus === 408 || httpStatus === 504) return RemoteFailureKind.timeout;
  if (RATE_LIMIT_PATTERNS.some((p) => p.test(message))) return RemoteFailureKind.rateLimited;
  if (TOO_LARGE_PATTERNS.some((p) => p.test(message))) return RemoteFailureKind.tooLarge;
  if (code !== undefined && TOO_LARGE_CODES.has(code)) return RemoteFailureKind.tooLarge;
  if (code === -32002 || TIMEOUT_PATTERNS.some((p) => p.test(message))) return RemoteFailureKind.timeout;
  if (httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 404 || httpStatus === 403 || httpStatus === 401)) return RemoteFailureKind.unavailable;
  // -32005 without a recognisable message is still "limit exceeded" (EIP-1474): treat it as a
  // rate limit (wait) rather than guess at a size.
  if (code === -32005) return RemoteFailureKind.rateLimited;
  return null;
}

/**
 * How long a provider says it will refuse us, when its message names it: TronGrid's "the query
 * server is suspended for 30s" (TRON docs, TronGrid "Rate limits"). Read like a Retry-After, so
 * the follower waits out the penalty instead of knocking during it (which backoff would, from
 * 250 ms). Null when the message names no wait.
 */
export function statedWaitMs(message: string): number | null {
  const match = /suspended for (\d{1,6}) ?s(ec(ond)?s?)?\b/i.exec(message);
  return match ? Number(match[1]) * 1000 : null;
}

/** A block-range limit a provider states in its error, if it names one. */
export interface StatedRange {
  /** Most blocks per request the provider allows ("up to a 500 block range", "limited to a 10,000 range"). */
  readonly maxBlocks: number | null;
  /** A range the provider suggests for this request ("this block range should work: [0x.., 0x..]"). */
  readonly suggested: { readonly from: number; readonly to: number } | null;
}

const MAX_BLOCK_PATTERNS: readonly RegExp[] = [
  /up to a ([\d,]+)(k?) block range/i,
  /limited to a ([\d,]+)(k?) (?:block )?range/i,
  /exceeds limit of ([\d,]+)(k?)/i,
  /max(?:imum)? block range:? ([\d,]+)(k?)/i,
  /block range is limited to ([\d,]+)(k?)/i,
  /ranges? over ([\d,]+)(k?) blocks/i,
];

export function statedRangeLimit(message: string): StatedRange {
  let maxBlocks: number | null = null;
  for (const pattern of MAX_BLOCK_PATTERNS) {
    const match = pattern.exec(message);
    if (match === null) continue;
    const n = Number((match[1] ?? '').replace(/,/g, '')) * ((match[2] ?? '').toLowerCase() === 'k' ? 1000 : 1);
    if (Number.isSafeInteger(n) && n >= 1) { maxBlocks = n; break; }
  }
  let suggested: StatedRange['suggested'] = null;
  const hex = /\[\s*(0x[0-9a-f]+)\s*,\s*(0x[0-9a-f]+)\s*\]/i.exec(message);
  const dec = /retry with the range (\d+)\s*-\s*(\d+)/i.exec(message);
  const pair = hex ?? dec;
  if (pair !== null) {
    const from = Number(BigInt(pair[1] as string));
    const to = Number(BigInt(pair[2] as string));
    if (Number.isSafeInteger(from) && Number.isSafeInteger(to) && to >= from) suggested = { from, to };
  }
  return { maxBlocks, suggested };
}
