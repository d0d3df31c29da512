// The `coffer` command's usage text. Its own module, with no imports, so that `coffer help`
// (bin/coffer.mjs) prints it without loading the server.

export const USAGE = `coffer — prepaid balances funded with crypto

  coffer serve                      run the server (sandbox by default; see docs/configuration.md)
  coffer migrate [--json]           apply database migrations
  coffer account create --type business|personal --currency USD|EUR|BTC [--label L] [--json]
  coffer account show|freeze|unfreeze <account-id> [--json]
  coffer key create --account <account-id> [--json]
  coffer key revoke <credential-id>
  coffer charge --account <id> --amount 10.00 --currency USD --key <idempotency-key> [--description D]
  coffer ledger verify [--json]     recompute balances from transfers; exit 1 on any drift
  coffer wallet status [--json]     highest issued/paid derivation index per HD wallet; exit 1 past the gap limit
  coffer rescan --from <height> [--method bitcoin|usdt_trc20] [--only-reset] [--json]
                                    rewind a chain watcher and rescan to the node's tip (progress bar)
  coffer webhook add|list|remove|rotate|account-secret|deliveries|show|redeliver   (docs/webhooks.md)
  coffer web-login attach --account <account-id> --email <email> [--password-stdin] [--json]
  coffer web-login reset-link --email <email> [--base-url <url>] [--json]
  coffer operator create --email <email> --role read_only|operator [--password-stdin] [--json]
  coffer operator list [--json]     operator users of the console at /admin/console (docs/operator-console.md)
  coffer operator reset-password|reset-2fa|recovery-codes|remove --email <email> [--json]
                                    reset-password takes [--password-stdin]; all but recovery-codes end the operator's sessions`;
