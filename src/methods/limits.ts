// Bounds shared by every rail (the request policy, deriving addresses ahead). Each rail's own
// bounds are in its folder's limits.ts (docs/design-decisions.md, "Limits").

/** The request policy (request-policy.ts) for every follower of a remote node. */
export const PolicyLimits = {
  /** Successes in a row before an adaptive size grows again. */
  growAfterSuccesses: 4,
  /** A Retry-After longer than this is capped (a provider asking for an hour gets a minute). */
  retryAfterMsMax: 60_000,
  /** Exponential backoff starts here and doubles per failure in a row, up to backoffMsMax. */
  backoffMsMin: 250,
  backoffMsMax: 30_000,
} as const;

/** Child keys a wallet's receive branch keeps derived ahead on the worker (derive-ahead.ts). */
export const DERIVE_AHEAD_DEFAULT = 256;
