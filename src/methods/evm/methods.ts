// The EVM rail's method ids: the asset each moves, its mainnet chain id and (for tokens) its
// mainnet contract. Chain ids, contracts and decimals of a deployment come from configuration;
// these are the defaults. The chain id is the EVM rail's own business, not a field of MethodSpec.

import type { MethodSpec, TokenPresentation } from '../../core/methods.ts';

export interface EvmMethodDefault {
  readonly spec: MethodSpec;
  /** The mainnet chain id the method lives on by default. */
  readonly chainId: number;
}

/** What the checkout says under an ERC-20's contract. */
export const Erc20Presentation: TokenPresentation = {
  term: 'token contract',
  warning: 'Send only {asset} from this contract, on this network. Other tokens are not credited.',
};

function native(id: string, label: string, confirmations: number, network: string, chainId: number): EvmMethodDefault {
  return { chainId, spec: { id, rail: 'evm', label, asset: 'ETH', unitScale: 18, pricePrecision: 8, confirmations, network, uriScheme: 'ethereum' } };
}

function token(id: string, label: string, asset: 'USDC' | 'USDT', confirmations: number, network: string, chainId: number, contractAddress: string): EvmMethodDefault {
  return {
    chainId,
    spec: { id, rail: 'evm', label, asset, unitScale: 6, pricePrecision: 6, confirmations, network, contractAddress, uriScheme: 'ethereum', token: Erc20Presentation },
  };
}

export const EvmMethods: readonly EvmMethodDefault[] = [
  native('ethereum', 'Ether (Ethereum)', 4, 'ethereum', 1),
  native('eth_base', 'Ether (Base)', 10, 'base', 8453),
  token('usdc_erc20', 'USDC (Ethereum)', 'USDC', 4, 'ethereum', 1, '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'),
  token('usdt_erc20', 'USDT (Ethereum)', 'USDT', 4, 'ethereum', 1, '0xdAC17F958D2ee523a2206206994597C13D831ec7'),
  token('usdc_base', 'USDC (Base)', 'USDC', 10, 'base', 8453, '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'),
  token('usdc_arbitrum', 'USDC (Arbitrum)', 'USDC', 10, 'arbitrum', 42161, '0xaf88d065e77c8cC2239327C5EDb3A432268e5831'),
  token('usdc_polygon', 'USDC (Polygon)', 'USDC', 64, 'polygon', 137, '0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359'),
  token('usdt_polygon', 'USDT (Polygon)', 'USDT', 64, 'polygon', 137, '0xc2132D05D31c914a87C6611C10748AEb04B58e8F'),
];

export function evmMethodDefault(id: string): EvmMethodDefault | undefined {
  return EvmMethods.find((m) => m.spec.id === id);
}
