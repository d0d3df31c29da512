// Proves EVM address derivation, EIP-55 checksums and EIP-681 URIs against published vectors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HDKey } from '@scure/bip32';
import { pbkdf2 } from '@noble/hashes/pbkdf2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { mnemonicToAccount } from 'viem/accounts';
import {
  deriveEvmAddress, eip681Uri, isValidChecksum, parseEvmWalletKey, toChecksumAddress,
} from './address.ts';

const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

function accountXpub(mnemonic: string): { xpub: string; xprv: string } {
  const seed = pbkdf2(sha512, new TextEncoder().encode(mnemonic.normalize('NFKD')), new TextEncoder().encode('mnemonic'), { c: 2048, dkLen: 64 });
  const account = HDKey.fromMasterSeed(seed).derive("m/44'/60'/0'");
  return { xpub: account.publicExtendedKey, xprv: account.privateExtendedKey };
}

// EIP-55's own test vectors (all-caps, all-lower and mixed) round-trip through the checksum.
test('EIP-55 checksum vectors', () => {
  const vectors = [
    '0x52908400098527886E0F7030069857D2E4169EE7', '0x8617E340B3D01FA5F11F306F4090FD50E238070D',
    '0xde709f2102306220921060314715629080e2fb77', '0x27b1fdb04752bbc536007a920d24acb045561c26',
    '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed', '0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359',
    '0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB', '0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb',
  ];
  for (const v of vectors) {
    assert.equal(toChecksumAddress(v.toLowerCase()), v);
    assert.equal(isValidChecksum(v), true);
  }
  assert.equal(isValidChecksum('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'), false);
  assert.throws(() => toChecksumAddress('0x1234'));
});

// The "abandon … about" mnemonic's first ETH address is the widely published 0x9858…Da94, and
// later indexes agree with viem's independent mnemonic account derivation.
test('xpub derivation matches the published vector and viem', () => {
  const { xpub } = accountXpub(ABANDON);
  assert.equal(xpub, 'xpub6DCoCpSuQZB2jawqnGMEPS63ePKWkwWPH4TU45Q7LPXWuNd8TMtVxRrgjtEshuqpK3mdhaWHPFsBngh5GFZaM6si3yZdUsT8ddYM3PwnATt');
  const wallet = parseEvmWalletKey(xpub);
  assert.equal(deriveEvmAddress(wallet, 0), '0x9858EfFD232B4033E47d90003D41EC34EcaEda94');
  for (const i of [1, 2, 7, 1000]) {
    assert.equal(deriveEvmAddress(wallet, i), mnemonicToAccount(ABANDON, { addressIndex: i }).address);
  }
});

// Private keys, garbage and wrong-depth keys are refused: the server must only hold an xpub.
test('parseEvmWalletKey refuses private and malformed keys', () => {
  const { xprv } = accountXpub(ABANDON);
  assert.throws(() => parseEvmWalletKey(xprv), /private key/);
  assert.throws(() => parseEvmWalletKey('xpub-nonsense'), /extended public key/);
  const seed = new Uint8Array(64).fill(7);
  assert.throws(() => parseEvmWalletKey(HDKey.fromMasterSeed(seed).publicExtendedKey), /depth 3/);
  assert.throws(() => deriveEvmAddress(parseEvmWalletKey(accountXpub(ABANDON).xpub), -1));
});

// EIP-681 native and ERC-20 transfer forms, with and without an amount.
test('EIP-681 URIs', () => {
  const address = '0x9858effd232b4033e47d90003d41ec34ecaeda94';
  assert.equal(eip681Uri({ address, chainId: 1, amountUnits: 10n ** 18n }),
    'ethereum:0x9858EfFD232B4033E47d90003D41EC34EcaEda94@1?value=1000000000000000000');
  assert.equal(eip681Uri({ address, chainId: 8453, amountUnits: null }),
    'ethereum:0x9858EfFD232B4033E47d90003D41EC34EcaEda94@8453');
  assert.equal(eip681Uri({ address, chainId: 137, amountUnits: 2_500_000n, tokenContract: '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359' }),
    'ethereum:0x3c499c542cEF5E3811e1192ce70d8cC03d5c3359@137/transfer?address=0x9858EfFD232B4033E47d90003D41EC34EcaEda94&uint256=2500000');
  assert.equal(eip681Uri({ address, chainId: 1, amountUnits: null, tokenContract: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' }),
    'ethereum:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48@1/transfer?address=0x9858EfFD232B4033E47d90003D41EC34EcaEda94');
});
