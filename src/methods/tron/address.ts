// Tron addresses, in the one place they are converted. A Tron account is the same 20-byte key hash
// as an EVM account (the last 20 bytes of keccak256 of the uncompressed secp256k1 public key),
// written as base58check of 0x41 ‖ those 20 bytes, checksum = the first 4 bytes of
// sha256(sha256(payload)): "T…", 34 characters. Sources: TRON docs "Account" (address format),
// java-tron's JSON-RPC docs ("address encoding: 0x-prefixed 20-byte hex by default; base58check
// is also accepted"), and TronWeb's utils/address (ADDRESS_PREFIX "41", TRON_BIP39_PATH_PREFIX
// "m/44'/195'"). Inside Coffer (target keys, log matching) an address is its lowercase 0x 20-byte
// hex, as the JSON-RPC logs carry it; customers only ever see the T… form.
//
// Deposit addresses are derived from an account xpub at BIP44 coin type 195 (m/44'/195'/a'),
// receive chain 0, index i, with the EVM rail's public derivation (same curve, same hash).

import { createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { deriveEvmAddress, deriveEvmAheadAfter, parseEvmWalletKey } from '../evm/address.ts';
import type { EvmWalletKey } from '../evm/address.ts';

/** The version byte of every Tron account address (mainnet and testnets alike). */
export const TRON_ADDRESS_PREFIX = 0x41;
/** BIP44 account path of the xpub the operator configures (coin type 195, SLIP-44). */
export const TRON_ACCOUNT_PATH = "m/44'/195'/0'";

const base58check = createBase58check(sha256);
const HEX20_RE = /^(0x|41)?([0-9a-fA-F]{40})$/;

export class TronAddressError extends Error {
  override readonly name = 'TronAddressError';
}

/** 0x + 20-byte hex (any case, with or without 0x, or with Tron's 41 prefix) → "T…" base58check. */
export function tronFromHex(hex: string): string {
  const match = HEX20_RE.exec(hex.trim());
  if (match === null) throw new TronAddressError(`not a 20-byte hex address: ${JSON.stringify(hex)}`);
  const payload = new Uint8Array(21);
  payload[0] = TRON_ADDRESS_PREFIX;
  payload.set(hexToBytes((match[2] as string).toLowerCase()), 1);
  return base58check.encode(payload);
}

/** "T…" base58check → lowercase 0x + 20-byte hex; throws on a bad checksum, length or version byte. */
export function tronToHex(address: string): string {
  let payload: Uint8Array;
  try {
    payload = base58check.decode(address.trim());
  } catch (error) {
    throw new TronAddressError(`not a base58check address (${(error as Error).message}): ${JSON.stringify(address)}`);
  }
  if (payload.length !== 21 || payload[0] !== TRON_ADDRESS_PREFIX) {
    throw new TronAddressError(`not a Tron address (version byte 0x41 and 20 bytes expected): ${JSON.stringify(address)}`);
  }
  return `0x${bytesToHex(payload.subarray(1))}`;
}

/** True for a well-formed "T…" address with a valid checksum. */
export function isTronAddress(text: string): boolean {
  try {
    tronToHex(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * A contract or account address as configured: "T…" base58check, or hex (0x…, or 41… as Tron's
 * HTTP API prints it). Returns the lowercase 0x 20-byte form.
 */
export function parseTronAddress(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('T')) return tronToHex(trimmed);
  const match = HEX20_RE.exec(trimmed);
  if (match === null || (match[1] === undefined && trimmed.length !== 40)) {
    throw new TronAddressError(`not a Tron address (T… base58check, 41… or 0x… hex): ${JSON.stringify(text)}`);
  }
  return `0x${(match[2] as string).toLowerCase()}`;
}

/** Parses the operator's account xpub (m/44'/195'/0'); private keys are refused. */
export function parseTronWalletKey(text: string): EvmWalletKey {
  return parseEvmWalletKey(text, TRON_ACCOUNT_PATH);
}

/** The receive address at `index` (…/0/index): the T… form and the 0x hex key it is matched by. */
export function deriveTronAddress(wallet: EvmWalletKey, index: number): { readonly address: string; readonly hex: string } {
  const hex = deriveEvmAddress(wallet, index).toLowerCase();
  return { address: tronFromHex(hex), hex };
}

/** `index` was handed out: the child keys after it are derived ahead (shared worker, as on EVM). */
export function deriveTronAheadAfter(wallet: EvmWalletKey, index: number): void {
  deriveEvmAheadAfter(wallet, index);
}
