// The operator's wallet as Coffer sees it: an account-level extended public key (or a `wpkh()`
// output descriptor) from which BIP84 P2WPKH receive addresses are derived at m/.../0/i. The
// server never holds a private key; a private key, a BIP49 key or a key for another network is
// refused with a message that says which.

import { HDKey } from '@scure/bip32';
import { base58check, bech32 } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { publicChildKey } from '../hd-public-child.ts';
import { childKeysAheadOf } from '../derive-ahead.ts';
import type { ChildKeysAhead } from '../derive-ahead.ts';
import { bytesToHex } from '@noble/hashes/utils.js';
import { BECH32_HRP, EXTENDED_KEY_VERSIONS } from './network.ts';
import type { BitcoinNetwork, ExtendedKeyVersion } from './network.ts';
import { descriptorChecksum } from './descriptor-checksum.ts';
import { ADDRESS_CACHE_MAX } from './limits.ts';

export { bip21Uri } from './bip21.ts';

/** BIP32 child indexes at or above this are hardened and cannot be derived from a public key. */
const HARDENED = 0x8000_0000;

export class WalletKeyError extends Error {
  override readonly name = 'WalletKeyError';
}

export interface BitcoinWallet {
  readonly network: BitcoinNetwork;
  /** The account-level public key as given (xpub/zpub/tpub/vpub text). */
  readonly extendedKey: string;
  /** Hex fingerprint of the account key (first 4 bytes of HASH160 of its public key). */
  readonly fingerprint: string;
  /** Stable id for IndexAllocator: one derivation sequence per network and account key. */
  readonly walletId: string;
  /** Origin from a descriptor (`[d34db33f/84h/0h/0h]`), shown to the operator; null for a bare key. */
  readonly origin: string | null;
  /** Receive branch (usually 0) the addresses are derived under. */
  readonly branch: number;
  readonly branchKey: HDKey;
  readonly cache: Map<number, DerivedAddress>;
}

export interface DerivedAddress {
  readonly address: string;
  /** scriptPubKey: OP_0 PUSH20 <HASH160(pubkey)>. */
  readonly script: Uint8Array;
}

function versionOf(text: string): ExtendedKeyVersion {
  const known = EXTENDED_KEY_VERSIONS.find((v) => text.startsWith(v.prefix));
  if (!known) throw new WalletKeyError(`not an extended public key (expected xpub/zpub, or tpub/vpub for test networks): "${text.slice(0, 8)}…"`);
  if (known.private) throw new WalletKeyError(`${known.prefix} is a PRIVATE key; give the account's extended public key instead (the server never holds private keys)`);
  if (known.kind === 'bip49') throw new WalletKeyError(`${known.prefix} is a BIP49 (nested segwit) key; Coffer derives BIP84 native segwit addresses: export the account's zpub/vpub or a wpkh() descriptor`);
  return known;
}

function checkNetwork(known: ExtendedKeyVersion, network: BitcoinNetwork): void {
  const wantMainnet = network === 'bitcoin';
  if (known.mainnet !== wantMainnet) {
    const expected = wantMainnet ? 'xpub or zpub' : 'tpub or vpub';
    throw new WalletKeyError(`${known.prefix} is a ${known.mainnet ? 'mainnet' : 'testnet'} key but the network is ${network} (expected ${expected})`);
  }
}

function decodeExtendedKey(text: string, network: BitcoinNetwork): HDKey {
  const known = versionOf(text);
  checkNetwork(known, network);
  let key: HDKey;
  try {
    key = HDKey.fromExtendedKey(text, { public: known.version, private: known.version });
  } catch (error) {
    throw new WalletKeyError(`extended key does not decode (${(error as Error).message}); check it was copied whole`);
  }
  if (key.privateKey) throw new WalletKeyError('extended key holds a private key; give the public key');
  return key;
}

interface ParsedDescriptor {
  readonly origin: string | null;
  readonly key: string;
  readonly branch: number;
}

// wpkh([fingerprint/84h/0h/0h]KEY/0/*)#checksum, also KEY/<0;1>/* (multipath: receive is the first).
const DESCRIPTOR = /^wpkh\((?:\[([0-9a-fA-F]{8}(?:\/\d+['hH]?)*)\])?([1-9A-HJ-NP-Za-km-z]+)((?:\/[^/)]+)*)\)$/;

function parseDescriptor(text: string): ParsedDescriptor {
  const hash = text.indexOf('#');
  const body = hash >= 0 ? text.slice(0, hash) : text;
  if (hash >= 0) {
    const expected = descriptorChecksum(body);
    if (expected === null || expected !== text.slice(hash + 1)) {
      throw new WalletKeyError(`descriptor checksum does not match (expected #${expected ?? '?'}); check the descriptor was copied whole`);
    }
  }
  const match = DESCRIPTOR.exec(body);
  if (!match) {
    if (!body.startsWith('wpkh(')) throw new WalletKeyError('only wpkh() descriptors (BIP84 native segwit) are supported');
    throw new WalletKeyError('descriptor is not of the form wpkh([fingerprint/84h/0h/0h]xpub.../0/*)');
  }
  const steps = (match[3] ?? '').split('/').filter((s) => s !== '');
  if (steps.at(-1) !== '*') throw new WalletKeyError('descriptor must be ranged (end in /*) so that one address per invoice can be derived');
  const branchSteps = steps.slice(0, -1);
  if (branchSteps.length !== 1) throw new WalletKeyError('descriptor must derive KEY/<branch>/* from the account key, e.g. xpub.../0/*');
  const branchText = branchSteps[0] as string;
  const multipath = /^<(\d+);\d+>$/.exec(branchText);
  const branch = Number(multipath ? multipath[1] : branchText);
  if (!/^<?\d+/.test(branchText) || !Number.isSafeInteger(branch) || branch >= HARDENED) {
    throw new WalletKeyError(`descriptor branch "${branchText}" must be an unhardened number such as 0`);
  }
  return { origin: match[1] ?? null, key: match[2] as string, branch };
}

/**
 * Parses what the operator configured: a bare account-level extended public key (receive
 * addresses at KEY/0/i) or a `wpkh()` descriptor. Throws WalletKeyError naming the problem.
 */
export function parseBitcoinWalletKey(text: string, network: BitcoinNetwork): BitcoinWallet {
  const trimmed = text.trim();
  if (trimmed === '') throw new WalletKeyError('empty');
  const parsed: ParsedDescriptor = trimmed.startsWith('wpkh(') || trimmed.includes('(')
    ? parseDescriptor(trimmed)
    : { origin: null, key: trimmed, branch: 0 };
  const key = decodeExtendedKey(parsed.key, network);
  const fingerprint = key.fingerprint.toString(16).padStart(8, '0');
  // A fingerprint is 4 bytes: a second wallet colliding with it would only continue the same
  // never-reused index sequence, which is harmless. The chain code keeps ids distinct anyway.
  const idHash = bytesToHex(sha256(new Uint8Array([...(key.publicKey as Uint8Array), ...(key.chainCode as Uint8Array)]))).slice(0, 8);
  return {
    network,
    extendedKey: parsed.key,
    fingerprint,
    walletId: `bitcoin:${network}:${fingerprint}${idHash}:${parsed.branch}`,
    origin: parsed.origin,
    branch: parsed.branch,
    branchKey: key.deriveChild(parsed.branch),
    cache: new Map(),
  };
}

/** The P2WPKH output script of a 20-byte public key hash. */
export function p2wpkhScript(pubKeyHash: Uint8Array): Uint8Array {
  const script = new Uint8Array(22);
  script[0] = 0x00;
  script[1] = 0x14;
  script.set(pubKeyHash, 2);
  return script;
}

/** Receive address at `index` and its output script; cached, so repeated calls are cheap. */
export function deriveP2wpkh(wallet: BitcoinWallet, index: number): DerivedAddress {
  if (!Number.isSafeInteger(index) || index < 0 || index >= HARDENED) throw new RangeError(`derivation index out of range: ${index}`);
  const cached = wallet.cache.get(index);
  if (cached) return cached;
  const ready = aheadOf(wallet).take(index);
  const key = ready !== undefined ? ready : publicChildKey(wallet.branchKey, index);
  // An invalid child (probability ~2^-127) is refused by deriveChild exactly as BIP32 says.
  const hash = key ? ripemd160(sha256(key)) : wallet.branchKey.deriveChild(index).identifier as Uint8Array;
  const words = bech32.toWords(hash);
  words.unshift(0);
  const derived = { address: bech32.encode(BECH32_HRP[wallet.network], words), script: p2wpkhScript(hash) };
  if (wallet.cache.size >= ADDRESS_CACHE_MAX) wallet.cache.clear();
  wallet.cache.set(index, derived);
  return derived;
}

function aheadOf(wallet: BitcoinWallet): ChildKeysAhead {
  return childKeysAheadOf(wallet, wallet.branchKey, true);
}

/** `index` was handed out: the child keys after it are derived ahead on a worker thread. */
export function deriveAheadAfter(wallet: BitcoinWallet, index: number): void {
  aheadOf(wallet).after(index);
}

/**
 * The output script a segwit v0 address on `network` pays, or throws for anything else. Watchers
 * match outputs by script, so every watched address goes through here once.
 */
export function scriptForAddress(address: string, network: BitcoinNetwork): Uint8Array {
  const hrp = BECH32_HRP[network];
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(address.toLowerCase() as `${string}1${string}`);
  } catch {
    throw new WalletKeyError(`not a bech32 address: ${address}`);
  }
  if (decoded.prefix !== hrp) throw new WalletKeyError(`address ${address} is not a ${network} address (prefix ${hrp})`);
  const [version, ...rest] = decoded.words;
  const program = bech32.fromWords(rest);
  if (version !== 0 || (program.length !== 20 && program.length !== 32)) throw new WalletKeyError(`address ${address} is not a segwit v0 address`);
  const script = new Uint8Array(2 + program.length);
  script[0] = 0x00;
  script[1] = program.length;
  script.set(program, 2);
  return script;
}

/** Re-serialises the account key with other SLIP-132 version bytes (e.g. zpub → xpub); for tests and docs. */
export function convertExtendedKey(text: string, prefix: string): string {
  const target = EXTENDED_KEY_VERSIONS.find((v) => v.prefix === prefix);
  if (!target) throw new WalletKeyError(`unknown prefix ${prefix}`);
  const coder = base58check(sha256);
  const bytes = coder.decode(text);
  const out = bytes.slice();
  new DataView(out.buffer, out.byteOffset).setUint32(0, target.version);
  return coder.encode(out);
}
