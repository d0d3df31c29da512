// The test networks the sandbox names for EVM methods, so a tester's wallet that reads the QR
// builds a test-network transfer, never a mainnet one (bitcoin and lightning already say regtest,
// Solana devnet). Chain ids: Ethereum Sepolia 11155111, Base Sepolia 84532, Arbitrum Sepolia
// 421614, Polygon Amoy 80002 (chainlist.org). USDC test contracts as Circle publishes them
// (https://developers.circle.com/stablecoins/usdc-contract-addresses, "Testnet"). Tether publishes
// no test-network USDT: a USDT method keeps its contract address, on the test chain id.

export interface TestNetwork {
  readonly network: string;
  readonly chainId: number;
  readonly usdc: string;
}

const EvmTestNetworks: Readonly<Record<number, TestNetwork>> = {
  1: { network: 'ethereum-sepolia', chainId: 11_155_111, usdc: '0x1c7D4B196Cb0C7B01d743Fbc6116a902379C7238' },
  8453: { network: 'base-sepolia', chainId: 84_532, usdc: '0x036CbD53842c5426634e7929541eC2318f3dCF7e' },
  42161: { network: 'arbitrum-sepolia', chainId: 421_614, usdc: '0x75faf114eafb1BDbe2F0316DF893fd58CE46AA4d' },
  137: { network: 'polygon-amoy', chainId: 80_002, usdc: '0x41E94Eb019C0762f9Bfcf9Fb1E58725BfB0e7582' },
};

/** The test network the sandbox serves a mainnet chain's methods on (undefined when none is known). */
export function evmTestNetwork(mainnetChainId: number): TestNetwork | undefined {
  return EvmTestNetworks[mainnetChainId];
}
