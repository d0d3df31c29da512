// EVM deposit addresses: derived from an operator's account-level extended public key (BIP44,
// coin type 60, e.g. m/44'/60'/0'), receive chain 0, index i → …/0/i. The server only ever holds
// the public key, so it can derive addresses but never spend. Addresses are shown EIP-55
// checksummed; EIP-681 URIs tell a wallet what to pay.

import { HDKey } from '@scure/bip32';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { publicChildKey } from '../hd-public-child.ts';
import { childKeysAheadOf } from '../derive-ahead.ts';
import type { ChildKeysAhead } from '../derive-ahead.ts';
import { publicKeyConvert } from '../secp256k1.ts';
import { CHECKSUM_MEMO_MAX } from './limits.ts';

/** Extended key versions accepted: xpub (mainnet) and tpub (testnet wallets export these too). */
const XPUB_VERSIONS = { private: 0x0488ade4, public: 0x0488b21e } as const;
const TPUB_VERSIONS = { private: 0x04358394, public: 0x043587cf } as const;

/** BIP32 child indexes at or above this are hardened, which a public key cannot derive. */
const HARDENED_OFFSET = 0x80000000;

export interface EvmWalletKey {
  /** The account key as given (trimmed); also the stable wallet id prefix. */
  readonly text: string;
  /** The receive chain key (account/0), from which index i is derived. */
  readonly receive: HDKey;
}

export class EvmAddressError extends Error {
  override readonly name = 'EvmAddressError';
}

/**
 * Parses an account-level extended public key. Private keys (xprv/tprv) are refused: the server
 * must never hold spending keys, and accepting one by mistake would put funds at risk.
 * `accountPath` only words the errors (Tron's rail uses the same keys at coin type 195).
 */
export function parseEvmWalletKey(text: string, accountPath = "m/44'/60'/0'"): EvmWalletKey {
  const trimmed = text.trim();
  if (/^[xt]prv/.test(trimmed)) {
    throw new EvmAddressError(`an extended private key was given; configure the account xpub (${accountPath}) instead`);
  }
  let key: HDKey;
  try {
    key = HDKey.fromExtendedKey(trimmed, trimmed.startsWith('tpub') ? TPUB_VERSIONS : XPUB_VERSIONS);
  } catch (error) {
    throw new EvmAddressError(`not a valid extended public key (${(error as Error).message})`);
  }
  if (key.privateKey !== null) {
    throw new EvmAddressError('an extended private key was given; configure the account xpub instead');
  }
  // An account xpub sits at depth 3 (m/44'/60'/0'). Other depths are accepted by wallets that
  // export differently, but addresses would not match what the operator's wallet shows.
  if (key.depth !== 3) {
    throw new EvmAddressError(`expected an account-level key at depth 3 (${accountPath}), got depth ${key.depth}`);
  }
  return { text: trimmed, receive: key.deriveChild(0) };
}

/** The lowercase 0x address of a secp256k1 public key (compressed or uncompressed). */
export function publicKeyToAddress(publicKey: Uint8Array): string {
  const uncompressed = publicKey.length === 65 ? publicKey : publicKeyConvert(publicKey, false);
  const hash = keccak_256(uncompressed.subarray(1));
  return `0x${bytesToHex(hash.subarray(12))}`;
}

/** The EIP-55 checksummed receive address at `index` (…/0/index). */
export function deriveEvmAddress(wallet: EvmWalletKey, index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= HARDENED_OFFSET) {
    throw new EvmAddressError(`derivation index must be an integer in [0, 2^31), got ${index}`);
  }
  const ready = aheadOf(wallet).take(index);
  const key = ready !== undefined ? ready : publicChildKey(wallet.receive, index);
  if (key === null) {
    // An invalid child (probability ~2^-127): deriveChild refuses it exactly as BIP32 says.
    const child = wallet.receive.deriveChild(index);
    if (child.publicKey === null) throw new EvmAddressError('derived key has no public key');
    return toChecksumAddress(publicKeyToAddress(child.publicKey));
  }
  return toChecksumAddress(publicKeyToAddress(key));
}

function aheadOf(wallet: EvmWalletKey): ChildKeysAhead {
  // Uncompressed: the address hashes the 64-byte point, so no conversion is left to do.
  return childKeysAheadOf(wallet, wallet.receive, false);
}

/** `index` was handed out: the child keys after it are derived ahead on a worker thread. */
export function deriveEvmAheadAfter(wallet: EvmWalletKey, index: number): void {
  aheadOf(wallet).after(index);
}

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

// A deposit checksums its new address, then its URI names that address and the token contract
// again: remembering recent results saves two of three keccak hashes (pure JS, ~14 µs each here).
const checksumMemo = new Map<string, string>();

/** EIP-55: uppercase each hex letter whose nibble in keccak(lowercase hex) is >= 8. */
export function toChecksumAddress(address: string): string {
  if (!ADDRESS_RE.test(address)) throw new EvmAddressError(`not a 20-byte hex address: ${address}`);
  const lower = address.slice(2).toLowerCase();
  const known = checksumMemo.get(lower);
  if (known !== undefined) return known;
  const hash = bytesToHex(keccak_256(new TextEncoder().encode(lower)));
  let out = '0x';
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i] as string;
    out += parseInt(hash[i] as string, 16) >= 8 ? c.toUpperCase() : c;
  }
  if (checksumMemo.size >= CHECKSUM_MEMO_MAX) checksumMemo.delete(checksumMemo.keys().next().value!);
  checksumMemo.set(lower, out);
  return out;
}

/**
 * True when `address` is all-lowercase, all-uppercase (no checksum) or correctly checksummed.
 * A mixed-case address with a wrong checksum is a typo and must be refused.
 */
export function isValidChecksum(address: string): boolean {
  if (!ADDRESS_RE.test(address)) return false;
  const body = address.slice(2);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
  return toChecksumAddress(address) === address;
}

export interface Eip681Request {
  readonly address: string;
  readonly chainId: number;
  /** Amount in base units (wei or token units); null leaves the amount to the payer. */
  readonly amountUnits: bigint | null;
  /** ERC-20 contract; absent for the chain's native coin. */
  readonly tokenContract?: string;
}

/**
 * EIP-681 payment URI. Native: `ethereum:<addr>@<chainId>?value=<wei>`. ERC-20:
 * `ethereum:<token>@<chainId>/transfer?address=<addr>&uint256=<units>`. Amounts are written as
 * plain integers (no exponent form), which every wallet that reads EIP-681 accepts.
 */
export function eip681Uri(request: Eip681Request): string {
  const address = toChecksumAddress(request.address);
  if (!Number.isSafeInteger(request.chainId) || request.chainId <= 0) {
    throw new EvmAddressError(`chain id must be a positive integer, got ${request.chainId}`);
  }
  if (request.amountUnits !== null && request.amountUnits < 0n) {
    throw new EvmAddressError('amount must not be negative');
  }
  if (request.tokenContract === undefined) {
    const value = request.amountUnits === null ? '' : `?value=${request.amountUnits.toString()}`;
    return `ethereum:${address}@${request.chainId}${value}`;
  }
  const token = toChecksumAddress(request.tokenContract);
  const amount = request.amountUnits === null ? '' : `&uint256=${request.amountUnits.toString()}`;
  return `ethereum:${token}@${request.chainId}/transfer?address=${address}${amount}`;
}
