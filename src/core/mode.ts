// How Coffer runs: sandbox (no chain, simulated payments), a test network, or live. Shared by
// every `*ConfigFromEnv`.

export const Modes = ['sandbox', 'regtest', 'testnet', 'live'] as const;
export type Mode = (typeof Modes)[number];

/** The environment (or the flat settings of the config file) as configuration reads it. */
export type Env = Readonly<Record<string, string | undefined>>;
