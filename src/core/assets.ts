// Currencies a balance can be held in, and crypto assets a payment can arrive in, with their
// scales (decimals of the smallest unit).

export const BalanceCurrencies = ['USD', 'EUR', 'BTC'] as const;
export type BalanceCurrency = (typeof BalanceCurrencies)[number];

export const CurrencyScale: Readonly<Record<BalanceCurrency, number>> = { USD: 2, EUR: 2, BTC: 8 };

export function isBalanceCurrency(value: unknown): value is BalanceCurrency {
  return typeof value === 'string' && (BalanceCurrencies as readonly string[]).includes(value);
}

export const CryptoAssets = ['BTC', 'ETH', 'USDC', 'USDT'] as const;
export type CryptoAsset = (typeof CryptoAssets)[number];

export function isCryptoAsset(value: unknown): value is CryptoAsset {
  return typeof value === 'string' && (CryptoAssets as readonly string[]).includes(value);
}

/** Most decimals a quoted price carries (API.md: at most 8). */
export const PRICE_PRECISION_MAX = 8;
