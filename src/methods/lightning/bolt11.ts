// A self-contained BOLT #11 invoice encoder and decoder. Coffer hands BOLT11s from a lightning
// node to payers, so it must read them itself and check the signature recovers the node's key,
// the amount and the payment hash (ADVERSARIAL 18) rather than trust the backend's own decode.
// The sandbox method uses the encoder to issue realistic signed regtest invoices.
//
// Format (BOLT #11): bech32 with no length limit; human-readable part `ln` + currency prefix +
// optional amount; data = 35-bit timestamp, tagged fields (5-bit type, 10-bit length in 5-bit
// words), then a 65-byte recoverable signature (r || s || recovery id) over
// sha256(utf8(hrp) || data-words-as-bits padded with zero bits to a byte boundary).

import { sha256 } from '@noble/hashes/sha2.js';
import { bech32 } from '@scure/base';
import { publicKeyCreate, recoverPublicKey, signRecoverable, verifyLowS } from '../secp256k1.ts';

export const Bolt11Networks = ['bc', 'tb', 'tbs', 'bcrt'] as const;
export type Bolt11Network = (typeof Bolt11Networks)[number];

/** Why an invoice was refused; `reason` is stable for callers and tests. */
export class Bolt11Error extends Error {
  override readonly name = 'Bolt11Error';
  readonly reason: 'format' | 'checksum' | 'signature' | 'amount' | 'payment_hash' | 'network' | 'node_key';
  constructor(reason: Bolt11Error['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface Bolt11EncodeInput {
  readonly network: Bolt11Network;
  /** Millisatoshi, or null for an amountless invoice. */
  readonly amountMsat: bigint | null;
  readonly paymentHash: Uint8Array;
  readonly paymentSecret?: Uint8Array;
  readonly description: string;
  readonly expirySeconds: number;
  /** Unix seconds. */
  readonly timestamp: number;
  readonly minFinalCltvExpiry?: number;
  /** Feature bit set; defaults to var_onion_optin + payment_secret required, basic_mpp optional when a secret is given. */
  readonly features?: bigint;
  /** Adds the `n` field (payee node key) so readers verify rather than recover. */
  readonly includeNodeKey?: boolean;
}

export interface Bolt11Decoded {
  readonly network: Bolt11Network;
  readonly amountMsat: bigint | null;
  readonly paymentHash: string;
  readonly paymentSecret?: string;
  readonly description?: string;
  readonly descriptionHash?: string;
  readonly expirySeconds: number;
  readonly timestamp: number;
  /** timestamp + expiry, unix seconds. */
  readonly expiresAt: number;
  readonly minFinalCltvExpiry: number;
  readonly features?: bigint;
  /** Compressed secp256k1 key, hex: from the `n` field (verified) or recovered from the signature. */
  readonly payeeNodeKey: string;
  readonly signature: string;
  readonly recoveryFlag: number;
}

export interface Bolt11Expectation {
  readonly nodeKey: string;
  readonly amountMsat: bigint | null;
  readonly paymentHash: string;
  readonly network?: Bolt11Network;
}

const Tag = { p: 1, r: 3, features: 5, x: 6, f: 9, d: 13, s: 16, n: 19, h: 23, c: 24 } as const;
const DEFAULT_EXPIRY_SECONDS = 3600;
const DEFAULT_MIN_FINAL_CLTV = 18;
const DESCRIPTION_BYTES_MAX = 639; // 1023 five-bit words, the most one tagged field holds
const TIMESTAMP_WORDS = 7;
const SIGNATURE_WORDS = 104;
const MSAT_PER_BTC = 100_000_000_000n;
/** Multiplier letter → millisatoshi per unit, largest first (p is a tenth of a msat). */
const MULTIPLIERS: ReadonlyArray<readonly ['m' | 'u' | 'n', bigint]> = [['m', 100_000_000n], ['u', 100_000n], ['n', 100n]];
const DEFAULT_FEATURES = (1n << 8n) | (1n << 14n) | (1n << 17n);

// ---- small word helpers ----

function intToWords(value: bigint, minWords = 1): number[] {
  const words: number[] = [];
  let rest = value;
  while (rest > 0n) {
    words.unshift(Number(rest & 31n));
    rest >>= 5n;
  }
  while (words.length < minWords) words.unshift(0);
  return words;
}

function wordsToInt(words: readonly number[]): bigint {
  let value = 0n;
  for (const word of words) value = (value << 5n) | BigInt(word);
  return value;
}

/** Packs 5-bit words into bytes, padding the last byte with zero bits (the signed form). */
function wordsToBytesPadded(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(Math.ceil((words.length * 5) / 8));
  let bits = 0;
  let acc = 0;
  let index = 0;
  for (const word of words) {
    acc = ((acc << 5) | word) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0) out[index] = (acc << (8 - bits)) & 0xff;
  return out;
}

/** Unpacks words into bytes, dropping trailing pad bits (a field's data length is in words). */
function wordsToBytesTrimmed(words: readonly number[]): Uint8Array {
  return wordsToBytesPadded(words).slice(0, Math.floor((words.length * 5) / 8));
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function fromHex(hex: string, field: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) throw new Bolt11Error('format', `${field} is not hex`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function signedHash(hrp: string, dataWords: readonly number[]): Uint8Array {
  const hrpBytes = new TextEncoder().encode(hrp);
  const dataBytes = wordsToBytesPadded(dataWords);
  const message = new Uint8Array(hrpBytes.length + dataBytes.length);
  message.set(hrpBytes, 0);
  message.set(dataBytes, hrpBytes.length);
  return sha256(message);
}

// ---- amounts ----

/** Shortest exact amount text for the human-readable part, e.g. 250000000n msat → "2500u". */
export function encodeBolt11Amount(amountMsat: bigint): string {
  if (amountMsat <= 0n) throw new Bolt11Error('amount', 'amount must be positive');
  if (amountMsat % MSAT_PER_BTC === 0n) return (amountMsat / MSAT_PER_BTC).toString();
  for (const [letter, msat] of MULTIPLIERS) {
    if (amountMsat % msat === 0n) return `${amountMsat / msat}${letter}`;
  }
  return `${amountMsat * 10n}p`;
}

function decodeAmount(digits: string, multiplier: string): bigint {
  if (digits.length > 1 && digits.startsWith('0')) throw new Bolt11Error('format', 'amount has a leading zero');
  const value = BigInt(digits);
  if (multiplier === '') return value * MSAT_PER_BTC;
  if (multiplier === 'p') {
    if (value % 10n !== 0n) throw new Bolt11Error('amount', 'amount has sub-millisatoshi precision');
    return value / 10n;
  }
  const entry = MULTIPLIERS.find(([letter]) => letter === multiplier);
  if (entry === undefined) throw new Bolt11Error('format', `unknown amount multiplier ${multiplier}`);
  return value * entry[1];
}

// ---- encoder ----

function taggedField(tag: number, words: readonly number[]): number[] {
  if (words.length > 1023) throw new Bolt11Error('format', `tagged field ${tag} is too long`);
  return [tag, words.length >> 5, words.length & 31, ...words];
}

function checkEncodeInput(input: Bolt11EncodeInput): void {
  if (!(Bolt11Networks as readonly string[]).includes(input.network)) throw new Bolt11Error('network', `unknown network ${input.network}`);
  if (input.paymentHash.length !== 32) throw new Bolt11Error('payment_hash', 'payment hash must be 32 bytes');
  if (input.paymentSecret !== undefined && input.paymentSecret.length !== 32) throw new Bolt11Error('format', 'payment secret must be 32 bytes');
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp < 0 || input.timestamp >= 2 ** 35) throw new Bolt11Error('format', 'timestamp out of range');
  if (!Number.isSafeInteger(input.expirySeconds) || input.expirySeconds <= 0) throw new Bolt11Error('format', 'expiry must be a positive integer');
  if (new TextEncoder().encode(input.description).length > DESCRIPTION_BYTES_MAX) throw new Bolt11Error('format', 'description is too long');
}

/** Encodes and signs a BOLT11 invoice with the payee node's private key. */
export function encodeBolt11(input: Bolt11EncodeInput, privateKey: Uint8Array): string {
  checkEncodeInput(input);
  const hrp = `ln${input.network}${input.amountMsat === null ? '' : encodeBolt11Amount(input.amountMsat)}`;
  const data: number[] = [...intToWords(BigInt(input.timestamp), TIMESTAMP_WORDS)];
  // Field order follows the spec's examples (p, d, s, n, x, c, 9) so they re-encode byte for byte.
  data.push(...taggedField(Tag.p, bech32.toWords(input.paymentHash)));
  data.push(...taggedField(Tag.d, bech32.toWords(new TextEncoder().encode(input.description))));
  if (input.paymentSecret !== undefined) data.push(...taggedField(Tag.s, bech32.toWords(input.paymentSecret)));
  if (input.includeNodeKey === true) data.push(...taggedField(Tag.n, bech32.toWords(publicKeyCreate(privateKey, true))));
  if (input.expirySeconds !== DEFAULT_EXPIRY_SECONDS) data.push(...taggedField(Tag.x, intToWords(BigInt(input.expirySeconds))));
  if (input.minFinalCltvExpiry !== undefined) data.push(...taggedField(Tag.c, intToWords(BigInt(input.minFinalCltvExpiry))));
  const features = input.features ?? (input.paymentSecret !== undefined ? DEFAULT_FEATURES : 0n);
  if (features > 0n) data.push(...taggedField(Tag.features, intToWords(features)));
  const { signature: compact, recoveryId } = signRecoverable(signedHash(hrp, data), privateKey);
  // BOLT11 puts the recovery id after r || s.
  const signature = new Uint8Array(65);
  signature.set(compact, 0);
  signature[64] = recoveryId;
  return bech32.encode(hrp, [...data, ...bech32.toWords(signature)], false);
}

// ---- decoder ----

interface Fields {
  paymentHash?: string;
  paymentSecret?: string;
  description?: string;
  descriptionHash?: string;
  nodeKey?: string;
  expirySeconds?: number;
  minFinalCltvExpiry?: number;
  features?: bigint;
}

function parseHrp(hrp: string): { network: Bolt11Network; amountMsat: bigint | null } {
  const match = /^ln([a-z]+)(?:(\d+)([a-z]?))?$/.exec(hrp);
  if (match === null) throw new Bolt11Error('format', 'not a lightning invoice prefix');
  const network = match[1] ?? '';
  if (!(Bolt11Networks as readonly string[]).includes(network)) throw new Bolt11Error('network', `unknown currency prefix ${network}`);
  const amountMsat = match[2] === undefined ? null : decodeAmount(match[2], match[3] ?? '');
  if (amountMsat === 0n) throw new Bolt11Error('amount', 'amount is zero');
  return { network: network as Bolt11Network, amountMsat };
}

function smallInt(words: readonly number[]): number {
  // Expiry and cltv fit easily in a safe integer; longer fields are nonsense, not values.
  if (words.length > 10) throw new Bolt11Error('format', 'integer field too long');
  return Number(wordsToInt(words));
}

/** Reads one tagged field; fields of the wrong length are skipped as the spec requires. */
function readField(fields: Fields, tag: number, words: readonly number[]): void {
  if (tag === Tag.p && words.length === 52 && fields.paymentHash === undefined) fields.paymentHash = toHex(wordsToBytesTrimmed(words));
  else if (tag === Tag.s && words.length === 52 && fields.paymentSecret === undefined) fields.paymentSecret = toHex(wordsToBytesTrimmed(words));
  else if (tag === Tag.h && words.length === 52 && fields.descriptionHash === undefined) fields.descriptionHash = toHex(wordsToBytesTrimmed(words));
  else if (tag === Tag.n && words.length === 53 && fields.nodeKey === undefined) fields.nodeKey = toHex(wordsToBytesTrimmed(words));
  else if (tag === Tag.d && fields.description === undefined) fields.description = new TextDecoder('utf-8', { fatal: true }).decode(wordsToBytesTrimmed(words));
  else if (tag === Tag.x && fields.expirySeconds === undefined) fields.expirySeconds = smallInt(words);
  else if (tag === Tag.c && fields.minFinalCltvExpiry === undefined) fields.minFinalCltvExpiry = smallInt(words);
  else if (tag === Tag.features && fields.features === undefined) fields.features = wordsToInt(words);
}

function readFields(words: readonly number[]): Fields {
  const fields: Fields = {};
  let at = TIMESTAMP_WORDS;
  while (at < words.length) {
    if (at + 3 > words.length) throw new Bolt11Error('format', 'truncated tagged field');
    const tag = words[at] ?? 0;
    const length = ((words[at + 1] ?? 0) << 5) | (words[at + 2] ?? 0);
    if (at + 3 + length > words.length) throw new Bolt11Error('format', 'tagged field runs past the end');
    readField(fields, tag, words.slice(at + 3, at + 3 + length));
    at += 3 + length;
  }
  return fields;
}

/** Unknown even feature bits are required features we do not understand (BOLT #11 / #9). */
function checkFeatures(features: bigint | undefined): void {
  if (features === undefined) return;
  const known = [8n, 9n, 14n, 15n, 16n, 17n, 48n, 49n];
  for (let bit = 0n; features >> bit > 0n; bit += 2n) {
    if (((features >> bit) & 1n) === 1n && !known.includes(bit)) throw new Bolt11Error('format', `requires unknown feature ${bit}`);
  }
}

/**
 * Without an `n` field the payee key is recovered from the signature (a recovered key is by
 * construction one the signature is valid for). With one, the spec has readers verify against it
 * instead, and only the low-S form is valid — which is all libsecp256k1's verify accepts.
 */
function checkSignature(hash: Uint8Array, sigBytes: Uint8Array, nodeKey: string | undefined): { payeeNodeKey: string; recoveryFlag: number } {
  const recoveryFlag = sigBytes[64] ?? 255;
  if (recoveryFlag > 3) throw new Bolt11Error('signature', 'bad recovery flag');
  const compact = sigBytes.subarray(0, 64);
  if (nodeKey === undefined) {
    const recovered = recoverPublicKey(compact, recoveryFlag, hash);
    if (recovered === null) throw new Bolt11Error('signature', 'signature is not recoverable');
    return { payeeNodeKey: toHex(recovered), recoveryFlag };
  }
  if (!verifyLowS(compact, hash, fromHex(nodeKey, 'node key'))) throw new Bolt11Error('signature', 'signature does not verify against the n field');
  return { payeeNodeKey: nodeKey, recoveryFlag };
}

function bech32Decode(text: string): { prefix: string; words: number[] } {
  try {
    return bech32.decode(text as `${string}1${string}`, false);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Bolt11Error(/checksum/i.test(message) ? 'checksum' : 'format', `not valid bech32: ${message}`);
  }
}

/** Decodes a BOLT11 and checks its checksum and signature; throws Bolt11Error otherwise. */
export function decodeBolt11(text: string): Bolt11Decoded {
  const trimmed = text.trim().replace(/^lightning:/i, '');
  const { prefix, words } = bech32Decode(trimmed);
  const { network, amountMsat } = parseHrp(prefix);
  if (words.length < TIMESTAMP_WORDS + SIGNATURE_WORDS) throw new Bolt11Error('format', 'too short');
  const dataWords = words.slice(0, words.length - SIGNATURE_WORDS);
  const sigBytes = wordsToBytesTrimmed(words.slice(words.length - SIGNATURE_WORDS));
  let fields: Fields;
  try {
    fields = readFields(dataWords);
  } catch (error) {
    if (error instanceof Bolt11Error) throw error;
    throw new Bolt11Error('format', 'unreadable tagged field');
  }
  if (fields.paymentHash === undefined) throw new Bolt11Error('payment_hash', 'no payment hash');
  if (fields.description === undefined && fields.descriptionHash === undefined) throw new Bolt11Error('format', 'no description or description hash');
  checkFeatures(fields.features);
  const { payeeNodeKey, recoveryFlag } = checkSignature(signedHash(prefix, dataWords), sigBytes, fields.nodeKey);
  const timestamp = Number(wordsToInt(dataWords.slice(0, TIMESTAMP_WORDS)));
  const expirySeconds = fields.expirySeconds ?? DEFAULT_EXPIRY_SECONDS;
  return {
    network, amountMsat, paymentHash: fields.paymentHash, timestamp, expirySeconds,
    expiresAt: timestamp + expirySeconds,
    minFinalCltvExpiry: fields.minFinalCltvExpiry ?? DEFAULT_MIN_FINAL_CLTV,
    payeeNodeKey, signature: toHex(sigBytes.subarray(0, 64)), recoveryFlag,
    ...(fields.paymentSecret !== undefined ? { paymentSecret: fields.paymentSecret } : {}),
    ...(fields.description !== undefined ? { description: fields.description } : {}),
    ...(fields.descriptionHash !== undefined ? { descriptionHash: fields.descriptionHash } : {}),
    ...(fields.features !== undefined ? { features: fields.features } : {}),
  };
}

/**
 * Decodes and checks a BOLT11 from a backend against what Coffer asked for: the signature must
 * recover the node's key, and amount, payment hash (and network, when given) must match.
 */
export function verifyBolt11(text: string, expected: Bolt11Expectation): Bolt11Decoded {
  const decoded = decodeBolt11(text);
  if (decoded.payeeNodeKey !== expected.nodeKey.toLowerCase()) {
    throw new Bolt11Error('node_key', `invoice is signed by ${decoded.payeeNodeKey}, not the configured node ${expected.nodeKey}`);
  }
  if (decoded.amountMsat !== expected.amountMsat) {
    throw new Bolt11Error('amount', `invoice amount ${decoded.amountMsat ?? 'none'} msat, expected ${expected.amountMsat ?? 'none'}`);
  }
  if (decoded.paymentHash !== expected.paymentHash.toLowerCase()) throw new Bolt11Error('payment_hash', 'invoice payment hash differs from the backend’s');
  if (expected.network !== undefined && decoded.network !== expected.network) {
    throw new Bolt11Error('network', `invoice is for ${decoded.network}, expected ${expected.network}`);
  }
  return decoded;
}
