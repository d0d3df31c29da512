// Bounds of the website's login machinery. They belong in core/limits.ts; they live here until
// the lead merges them, because core files are not this branch's to edit.

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
  /** History and deposit pages on the website. */
  webPageSize: 20,
  /** Longest label of an API credential created on the website. */
  credentialLabelLengthMax: 80,
} as const;
