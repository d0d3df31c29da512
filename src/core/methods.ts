// Payment method ids (Bitrefill's names) and what each one is: its family (which adapter serves
// it), the asset it moves, the scale of its base unit and default confirmations. Chain ids,
// contract addresses and token decimals come from configuration; these are the defaults.

import type { CryptoAsset } from './assets.ts';

export const MethodFamilies = ['bitcoin', 'lightning', 'evm', 'solana', 'tron'] as const;
export type MethodFamily = (typeof MethodFamilies)[number];

export interface MethodSpec {
  readonly id: string;
  readonly family: MethodFamily;
  readonly asset: CryptoAsset;
  /** Decimals of the base unit observations are counted in (sat 8, msat 11, wei 18, token 6). */
  readonly unitScale: number;
  /** Most decimals a price is quoted with (at most PRICE_PRECISION_MAX). */
  readonly pricePrecision: number;
  /** Confirmations before a payment is credited (at least 1; a settled lightning payment counts as 1). */
  readonly confirmations: number;
  readonly network: string;
  readonly chainId?: number;
  readonly contractAddress?: string;
}

export const DefaultMethodSpecs: readonly MethodSpec[] = [
  { id: 'bitcoin', family: 'bitcoin', asset: 'BTC', unitScale: 8, pricePrecision: 8, confirmations: 1, network: 'bitcoin' },
  { id: 'lightning', family: 'lightning', asset: 'BTC', unitScale: 11, pricePrecision: 8, confirmations: 1, network: 'lightning' },
  { id: 'ethereum', family: 'evm', asset: 'ETH', unitScale: 18, pricePrecision: 8, confirmations: 4, network: 'ethereum', chainId: 1 },
  { id: 'eth_base', family: 'evm', asset: 'ETH', unitScale: 18, pricePrecision: 8, confirmations: 10, network: 'base', chainId: 8453 },
  { id: 'usdc_erc20', family: 'evm', asset: 'USDC', unitScale: 6, pricePrecision: 6, confirmations: 4, network: 'ethereum', chainId: 1,
    contractAddress: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' },
  { id: 'usdt_erc20', family: 'evm', asset: 'USDT', unitScale: 6, pricePrecision: 6, confirmations: 4, network: 'ethereum', chainId: 1,
    contractAddress: '0xdAC17F958D2ee523a2206206994597C13D831ec7' },
  { id: 'usdc_base', family: 'evm', asset: 'USDC', unitScale: 6, pricePrecision: 6, confirmations: 10, network: 'base', chainId: 8453,
    contractAddress: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' },
  { id: 'usdc_arbitrum', family: 'evm', asset: 'USDC', unitScale: 6, pricePrecision: 6, confirmations: 10, network: 'arbitrum', chainId: 42161,
    contractAddress: '0xaf88d065e77c8cC2239327C5EDb3A432268e5831' },
  { id: 'usdc_polygon', family: 'evm', asset: 'USDC', unitScale: 6, pricePrecision: 6, confirmations: 64, network: 'polygon', chainId: 137,
    contractAddress: '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359' },
  { id: 'usdt_polygon', family: 'evm', asset: 'USDT', unitScale: 6, pricePrecision: 6, confirmations: 64, network: 'polygon', chainId: 137,
    contractAddress: '0xc2132D05D31c914a87C6611C10748AEb04B58e8F' },
  // Solana Pay transfer requests (methods/solana): credited at the configured commitment, reported as 1 confirmation.
  { id: 'usdc_solana', family: 'solana', asset: 'USDC', unitScale: 6, pricePrecision: 6, confirmations: 1, network: 'solana',
    contractAddress: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v' },
  // USDT on Tron (methods/tron): xpub-derived T… addresses, TRC-20 Transfer logs; 20 confirmations as Bitrefill asks.
  { id: 'usdt_trc20', family: 'tron', asset: 'USDT', unitScale: 6, pricePrecision: 6, confirmations: 20, network: 'tron',
    contractAddress: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t' },
];
