// The bitcoin method's public surface, for the composition root and other layers' tests.

export { bip21Uri } from './bip21.ts';
export type { Bip21Request } from './bip21.ts';
export { deriveP2wpkh, parseBitcoinWalletKey, scriptForAddress, WalletKeyError } from './address.ts';
export type { BitcoinWallet, DerivedAddress } from './address.ts';
export { bitcoinConfigFromEnv, BitcoinSettings } from './config.ts';
export type { BitcoinConfig, CofferMode } from './config.ts';
export { createBitcoinMethod } from './create-bitcoin-method.ts';
export type { BitcoinMethod, BitcoinMethodDeps } from './create-bitcoin-method.ts';
export { BitcoinNetworks, isBitcoinNetwork } from './network.ts';
export type { BitcoinNetwork } from './network.ts';
export { parseBlock } from './raw-block.ts';
export { parseTransaction } from './raw-transaction.ts';
export { BitcoinRpc, BitcoinRpcError } from './rpc-client.ts';
export { BITCOIN_METHOD_ID, BitcoinWatcher } from './watcher.ts';
