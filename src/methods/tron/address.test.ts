// Proves Tron base58check <-> hex conversion and coin-type-195 derivation against published vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { publicKeyCreate } from '../secp256k1.ts';
import { publicKeyToAddress } from '../evm/address.ts';
import {
  deriveTronAddress, isTronAddress, parseTronAddress, parseTronWalletKey, TRON_ACCOUNT_PATH, tronFromHex, tronToHex,
} from './address.ts';

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

function account(mnemonic: string): HDKey {
  const enc = new TextEncoder();
  const seed = pbkdf2(sha512, enc.encode(mnemonic.normalize('NFKD')), enc.encode('mnemonic'), { c: 2048, dkLen: 64 });
  return HDKey.fromMasterSeed(seed).derive(TRON_ACCOUNT_PATH);
}

// Published pairs of the same account in both forms:
// - Tether's USDT TRC-20 contract TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t = 41a614f8…d13c (TronScan's contract page);
// - TRON docs, wallet-cli "encoding convert" example: TBhCfAytTEh52WFL6HYr64i2nmc3u3TCUp = 4112e94f…6d29;
// - Dune docs, to_tron_address / from_tron_address: THHRK1bA7YRPZBcLnTP1SZy9ipUpsRwpo6 = 0x503aa4ad…6986;
// - CryptoTron::AddrTools (metacpan) synopsis: TQHgMpVzWkhSsRB4BzZgmV8uW4cFL8eaBr = 419D1015…9979.
const PAIRS: readonly [string, string][] = [
  ['TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t', '41a614f803b6fd780986a42c78ec9c7f77e6ded13c'],
  ['TBhCfAytTEh52WFL6HYr64i2nmc3u3TCUp', '4112e94f5a3c88b17d2f6e0b9a45cd310f8e7a6d29'],
  ['THHRK1bA7YRPZBcLnTP1SZy9ipUpsRwpo6', '0x503aa4ad108bd3a89ba0310e23b49fb654cd6986'],
  ['TQHgMpVzWkhSsRB4BzZgmV8uW4cFL8eaBr', '419D1015E669C2DF831003C5C54CEB48DA613D9979'],
];

test('base58check <-> 20-byte hex, published pairs', () => {
  for (const [base58, hex] of PAIRS) {
    const bare = hex.toLowerCase().replace(/^(0x|41)/, '');
    assert.equal(tronToHex(base58), `0x${bare}`);
    assert.equal(tronFromHex(hex), base58);
    assert.equal(tronFromHex(`0x${bare}`), base58);
    assert.equal(parseTronAddress(base58), `0x${bare}`);
    assert.equal(parseTronAddress(hex), `0x${bare}`);
    assert.equal(isTronAddress(base58), true);
  }
});

test('bad checksums, lengths, version bytes and alphabets are refused', () => {
  const usdt = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
  // One character changed: the checksum no longer matches (a typo is caught, not paid to).
  assert.equal(isTronAddress(`${usdt.slice(0, -1)}u`), false);
  // A lookalike published with a wrong tail (seen on scam "USDT address" pages).
  assert.equal(isTronAddress('TR7NHqjeKQxGTCi8q8ZY4pL8otSzg5uV7p'), false);
  // A Bitcoin P2PKH address is valid base58check but has version 0x00 and is not a Tron address.
  assert.equal(isTronAddress('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa'), false);
  assert.equal(isTronAddress('T0OIl'), false);
  assert.equal(isTronAddress(''), false);
  assert.throws(() => parseTronAddress('0x1234'), /not a Tron address/);
  assert.throws(() => parseTronAddress('a614f803b6fd780986a42c78ec9c7f77e6ded13c'.slice(2)), /not a Tron address/);
  assert.throws(() => tronFromHex('0xzz14f803b6fd780986a42c78ec9c7f77e6ded13c'), /20-byte hex/);
});

// The "abandon … about" mnemonic at m/44'/195'/0'/0/0 is TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH
// (Ian Coleman's BIP39 tool; the Ledger Tron app's test script; gotron-sdk's signing test), and
// its private key there is b5a4cea2…9a28 (hyperlane-monorepo tron-sdk testing constants).
test('xpub derivation at coin type 195, published vector', () => {
  const acct = account(ABANDON);
  const wallet = parseTronWalletKey(acct.publicExtendedKey);
  const first = deriveTronAddress(wallet, 0);
  assert.equal(first.address, 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH');
  assert.equal(first.hex, tronToHex(first.address));
  const published = publicKeyToAddress(publicKeyCreate(hexToBytes('b5a4cea271ff424d7c31dc12a3e43e401df7a40d7412a15750f3f0b6b5449a28'), false));
  assert.equal(first.hex, published);
  // Every later index equals the private-side derivation of the same path.
  for (const index of [1, 2, 7, 1000]) {
    const child = acct.deriveChild(0).deriveChild(index);
    assert.equal(deriveTronAddress(wallet, index).hex, publicKeyToAddress(child.publicKey as Uint8Array));
  }
});

test('private keys and wrong depths are refused, naming the Tron path', () => {
  const acct = account(ABANDON);
  assert.throws(() => parseTronWalletKey(acct.privateExtendedKey), /private key.*m\/44'\/195'\/0'/);
  assert.throws(() => parseTronWalletKey(acct.deriveChild(0).publicExtendedKey), /depth 3 \(m\/44'\/195'\/0'\)/);
  assert.throws(() => parseTronWalletKey('xpub-not-a-key'), /not a valid extended public key/);
});
