// The Bitcoin networks Coffer serves and what differs between them: the bech32 prefix of their
// addresses, the version bytes their extended public keys are serialised with, and the chain
// name a Bitcoin Core node reports for them (getblockchaininfo.chain).

export const BitcoinNetworks = ['bitcoin', 'testnet', 'regtest'] as const;
export type BitcoinNetwork = (typeof BitcoinNetworks)[number];

/** Human-readable part of segwit addresses (BIP173); regtest uses `bcrt` as Bitcoin Core does. */
export const BECH32_HRP: Readonly<Record<BitcoinNetwork, string>> = { bitcoin: 'bc', testnet: 'tb', regtest: 'bcrt' };

/** Chain names getblockchaininfo reports. bcoin says `testnet` where Core says `test`. */
export const NODE_CHAIN_NAMES: Readonly<Record<BitcoinNetwork, readonly string[]>> = {
  bitcoin: ['main'],
  testnet: ['test', 'testnet', 'testnet4', 'signet'],
  regtest: ['regtest'],
};

/** Which networks a key with this version prefix belongs to; test keys serve testnet and regtest. */
export interface ExtendedKeyVersion {
  readonly prefix: string;
  readonly version: number;
  readonly mainnet: boolean;
  readonly kind: 'bip32' | 'bip49' | 'bip84';
  readonly private: boolean;
}

// SLIP-132 version bytes. Only public BIP32/BIP84 keys are usable; the others are recognised so
// the error can say exactly what was given.
export const EXTENDED_KEY_VERSIONS: readonly ExtendedKeyVersion[] = [
  { prefix: 'xpub', version: 0x0488b21e, mainnet: true, kind: 'bip32', private: false },
  { prefix: 'zpub', version: 0x04b24746, mainnet: true, kind: 'bip84', private: false },
  { prefix: 'ypub', version: 0x049d7cb2, mainnet: true, kind: 'bip49', private: false },
  { prefix: 'tpub', version: 0x043587cf, mainnet: false, kind: 'bip32', private: false },
  { prefix: 'vpub', version: 0x045f1cf6, mainnet: false, kind: 'bip84', private: false },
  { prefix: 'upub', version: 0x044a5262, mainnet: false, kind: 'bip49', private: false },
  { prefix: 'xprv', version: 0x0488ade4, mainnet: true, kind: 'bip32', private: true },
  { prefix: 'zprv', version: 0x04b2430c, mainnet: true, kind: 'bip84', private: true },
  { prefix: 'yprv', version: 0x049d7878, mainnet: true, kind: 'bip49', private: true },
  { prefix: 'tprv', version: 0x04358394, mainnet: false, kind: 'bip32', private: true },
  { prefix: 'vprv', version: 0x045f18bc, mainnet: false, kind: 'bip84', private: true },
  { prefix: 'uprv', version: 0x044a4e97, mainnet: false, kind: 'bip49', private: true },
];
