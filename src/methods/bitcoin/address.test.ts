import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesToHex } from '@noble/hashes/utils.js';
import { HDKey } from '@scure/bip32';
import { convertExtendedKey, deriveAheadAfter, deriveP2wpkh, parseBitcoinWalletKey, scriptForAddress, WalletKeyError } from './address.ts';
import { descriptorChecksum } from './descriptor-checksum.ts';

// BIP84 published test vectors: mnemonic "abandon abandon ... about", account m/84'/0'/0'.
const BIP84_ZPUB = 'zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs';
const BIP84_RECEIVE = ['bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu', 'bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g'];
const BIP84_CHANGE_0 = 'bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el';
const BIP84_PUBKEY_0 = '0330d54fd0dd420a6e5f8d3624f5f3482cae350f79d5f0753bf5beef9c2d91af3c';

test('derives the BIP84 published receive addresses from the zpub', () => {
  // Proves index i maps to m/84'/0'/0'/0/i exactly as BIP84's vectors say.
  const wallet = parseBitcoinWalletKey(BIP84_ZPUB, 'bitcoin');
  assert.equal(deriveP2wpkh(wallet, 0).address, BIP84_RECEIVE[0]);
  assert.equal(deriveP2wpkh(wallet, 1).address, BIP84_RECEIVE[1]);
  assert.equal(bytesToHex(wallet.branchKey.deriveChild(0).publicKey as Uint8Array), BIP84_PUBKEY_0);
  assert.equal(bytesToHex(deriveP2wpkh(wallet, 0).script), '0014c0cebcd6c3d3ca8c75dc5ec62ebe55330ef910e2');
});

test('a wpkh descriptor with origin and branch 1 gives the BIP84 change address', () => {
  // Proves descriptors (xpub form, origin, /1/*) derive on the branch they name.
  const xpub = convertExtendedKey(BIP84_ZPUB, 'xpub');
  const body = `wpkh([73c5da0a/84h/0h/0h]${xpub}/1/*)`;
  const wallet = parseBitcoinWalletKey(`${body}#${descriptorChecksum(body)}`, 'bitcoin');
  assert.equal(deriveP2wpkh(wallet, 0).address, BIP84_CHANGE_0);
  assert.equal(wallet.origin, '73c5da0a/84h/0h/0h');
  const receive = parseBitcoinWalletKey(`wpkh(${xpub}/<0;1>/*)`, 'bitcoin');
  assert.equal(deriveP2wpkh(receive, 1).address, BIP84_RECEIVE[1]);
});

test('descriptor checksum matches Bitcoin Core vectors and a wrong one is refused', () => {
  // Proves the BIP380 checksum port against Core's doc/descriptors.md examples.
  assert.equal(descriptorChecksum('raw(deadbeef)'), '89f8spxm');
  const core = 'wpkh([d34db33f/84h/0h/0h]xpub6DJ2dNUysrn5Vt36jH2KLBT2i1auw1tTSSomg8PhqNiUtx8QX2SvC9nrHu81fT41fvDUnhMjEzQgXnQjKEu3oaqMSzhSrHMxyyoEAmUHQbY/0/*)';
  assert.equal(descriptorChecksum(core), 'cjjspncu');
  assert.doesNotThrow(() => parseBitcoinWalletKey(`${core}#cjjspncu`, 'bitcoin'));
  assert.throws(() => parseBitcoinWalletKey(`${core}#cjjspncv`, 'bitcoin'), /checksum/);
});

test('test-network keys derive tb1/bcrt1 addresses with the same witness program', () => {
  // Proves vpub/tpub are accepted for testnet and regtest and only the bech32 prefix differs.
  const vpub = convertExtendedKey(BIP84_ZPUB, 'vpub');
  const tpub = convertExtendedKey(BIP84_ZPUB, 'tpub');
  const main = deriveP2wpkh(parseBitcoinWalletKey(BIP84_ZPUB, 'bitcoin'), 0);
  const testnet = deriveP2wpkh(parseBitcoinWalletKey(vpub, 'testnet'), 0);
  const regtest = deriveP2wpkh(parseBitcoinWalletKey(tpub, 'regtest'), 0);
  assert.match(testnet.address, /^tb1q/);
  assert.match(regtest.address, /^bcrt1q/);
  assert.deepEqual(testnet.script, main.script);
  assert.deepEqual(regtest.script, main.script);
  assert.deepEqual(scriptForAddress(regtest.address, 'regtest'), regtest.script);
  assert.throws(() => scriptForAddress(regtest.address, 'bitcoin'), /not a bitcoin address/);
});

test('keys for the wrong network, private keys and BIP49 keys are refused clearly', () => {
  // Proves the operator is told what is wrong instead of silently getting unusable addresses.
  assert.throws(() => parseBitcoinWalletKey(BIP84_ZPUB, 'regtest'), /mainnet key but the network is regtest/);
  assert.throws(() => parseBitcoinWalletKey(convertExtendedKey(BIP84_ZPUB, 'tpub'), 'bitcoin'), /testnet key but the network is bitcoin/);
  const xprv = HDKey.fromMasterSeed(new Uint8Array(32).fill(1)).privateExtendedKey;
  assert.throws(() => parseBitcoinWalletKey(xprv, 'bitcoin'), /PRIVATE key/);
  assert.throws(() => parseBitcoinWalletKey(convertExtendedKey(BIP84_ZPUB, 'ypub'), 'bitcoin'), /BIP49/);
  assert.throws(() => parseBitcoinWalletKey('zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcv', 'bitcoin'), WalletKeyError);
  assert.throws(() => parseBitcoinWalletKey(`sh(wpkh(${convertExtendedKey(BIP84_ZPUB, 'xpub')}/0/*))`, 'bitcoin'), /only wpkh/);
  assert.throws(() => parseBitcoinWalletKey(`wpkh(${convertExtendedKey(BIP84_ZPUB, 'xpub')}/0)`, 'bitcoin'), /ranged/);
});

test('wallet id is stable per key and differs per network, key and branch', () => {
  // Proves IndexAllocator sequences cannot be shared by two different wallets by accident.
  const a = parseBitcoinWalletKey(BIP84_ZPUB, 'bitcoin');
  const b = parseBitcoinWalletKey(`wpkh(${convertExtendedKey(BIP84_ZPUB, 'xpub')}/0/*)`, 'bitcoin');
  const c = parseBitcoinWalletKey(convertExtendedKey(BIP84_ZPUB, 'vpub'), 'testnet');
  const d = parseBitcoinWalletKey(`wpkh(${convertExtendedKey(BIP84_ZPUB, 'xpub')}/1/*)`, 'bitcoin');
  assert.equal(a.walletId, b.walletId);
  assert.notEqual(a.walletId, c.walletId);
  assert.notEqual(a.walletId, d.walletId);
  assert.match(a.walletId, /^bitcoin:bitcoin:[0-9a-f]{16}:0$/);
});

test('keys derived ahead on the worker thread give the addresses derived on demand', async () => {
  // Proves derivation ahead is equivalent to derivation at invoice time.
  // Either way the addresses must be the same; the worker's keys are compared one by one in
  // src/methods/derive-ahead.test.ts, so here a short wait lets them arrive first.
  const ahead = parseBitcoinWalletKey(BIP84_ZPUB, 'bitcoin');
  deriveAheadAfter(ahead, -1);
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const [i, address] of BIP84_RECEIVE.entries()) assert.equal(deriveP2wpkh(ahead, i).address, address);
  assert.throws(() => deriveP2wpkh(ahead, -1), RangeError);
  assert.throws(() => deriveP2wpkh(ahead, 0x8000_0000), RangeError);
});
