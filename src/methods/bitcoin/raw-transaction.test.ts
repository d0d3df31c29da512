import { test } from 'node:test';
import assert from 'node:assert/strict';
import bcoin from 'bcoin';
import * as btc from '@scure/btc-signer';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseBlock, scanBlock } from './raw-block.ts';
import { parseTransaction, RawParseError } from './raw-transaction.ts';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };

function signedSegwitTx(sequence: number): btc.Transaction {
  const privateKey = new Uint8Array(32).fill(7);
  const payment = btc.p2wpkh(secp256k1.getPublicKey(privateKey, true), REGTEST);
  const tx = new btc.Transaction({ allowUnknownOutputs: true });
  tx.addInput({ txid: 'aa'.repeat(32), index: 3, sequence, witnessUtxo: { script: payment.script, amount: 50_000n } });
  tx.addOutputAddress(payment.address as string, 12_345n, REGTEST);
  tx.addOutput({ script: btc.Script.encode(['RETURN', new Uint8Array([1, 2])]), amount: 0n });
  tx.sign(privateKey);
  tx.finalize();
  return tx;
}

test('parses the mainnet genesis block: hash, coinbase txid and value', () => {
  // Proves header hashing and legacy txid computation against the best-known block there is.
  const block = parseBlock(bcoin.networks.main.genesisBlock as string);
  assert.equal(block.hash, '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
  assert.equal(block.prevHash, '00'.repeat(32));
  assert.equal(block.time, 1231006505);
  assert.equal(block.transactions.length, 1);
  const coinbase = block.transactions[0];
  assert.equal(coinbase?.txid, '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
  assert.equal(coinbase?.outputs[0]?.valueSat, 5_000_000_000n);
  assert.equal(coinbase?.rbf, false);
});

test('segwit transaction: txid excludes the witness and agrees with btc-signer and bcoin', () => {
  // Proves the txid of a witness transaction and its outputs/inputs are read correctly.
  const tx = signedSegwitTx(0xfffffffd);
  const parsed = parseTransaction(tx.hex);
  assert.equal(parsed.segwit, true);
  assert.equal(parsed.txid, tx.id);
  assert.equal(parsed.txid, bcoin.TX.fromRaw(Buffer.from(tx.hex, 'hex')).txid());
  assert.deepEqual(parsed.inputs, [{ prevTxid: 'aa'.repeat(32), prevVout: 3, sequence: 0xfffffffd }]);
  assert.equal(parsed.outputs.length, 2);
  assert.equal(parsed.outputs[0]?.valueSat, 12_345n);
  assert.equal(bytesToHex(parsed.outputs[0]?.script as Uint8Array).slice(0, 4), '0014');
  assert.equal(parsed.outputs[1]?.valueSat, 0n);
  assert.equal(parsed.rbf, true);
});

test('RBF is signalled only by a sequence below 0xfffffffe', () => {
  // Proves BIP125 opt-in detection at the boundary.
  assert.equal(parseTransaction(signedSegwitTx(0xfffffffe).hex).rbf, false);
  assert.equal(parseTransaction(signedSegwitTx(0xffffffff).hex).rbf, false);
  assert.equal(parseTransaction(signedSegwitTx(0).hex).rbf, true);
});

test('truncated and padded data are refused, never half-parsed', () => {
  // Proves a corrupt answer from the node raises instead of yielding wrong outputs.
  const hex = signedSegwitTx(0xffffffff).hex;
  assert.throws(() => parseTransaction(hex.slice(0, -2)), RawParseError);
  assert.throws(() => parseTransaction(hex + '00'), RawParseError);
  assert.throws(() => parseBlock((bcoin.networks.main.genesisBlock as string).slice(0, 150)), RawParseError);
  assert.throws(() => parseTransaction(''), RawParseError);
});

/** A block of the genesis header and coinbase followed by `txs` (the header is not re-hashed: scan and parse read the same bytes). */
function blockWith(txs: readonly string[]): Buffer {
  const genesis = Buffer.from(bcoin.networks.main.genesisBlock as string, 'hex');
  return Buffer.concat([genesis.subarray(0, 80), Buffer.from([1 + txs.length]), genesis.subarray(81), ...txs.map((t) => Buffer.from(t, 'hex'))]);
}

test('scanBlock keeps exactly the outputs asked for, with the txids, values and RBF flags the full parse gives', () => {
  // Proves the watcher's scan (no objects for other outputs, hashing only kept transactions) agrees with parseBlock.
  const raw = blockWith([signedSegwitTx(0xfffffffd).hex, signedSegwitTx(0xffffffff).hex, signedSegwitTx(7).hex]);
  const parsed = parseBlock(raw);
  const all = parsed.transactions.flatMap((tx) => tx.outputs.map((o, vout) => ({ txid: tx.txid, vout, valueSat: o.valueSat, script: bytesToHex(o.script), rbf: tx.rbf })));
  const scanned = scanBlock(raw, () => true);
  assert.equal(scanned.hash, parsed.hash);
  assert.equal(scanned.transactionCount, 4);
  assert.deepEqual(scanned.outputs.map((o) => ({ ...o, script: bytesToHex(o.script) })), all);
  // Only the second transaction's first output: one output, hashed to that transaction's txid.
  const wanted = parsed.transactions[2]?.outputs[0]?.script as Uint8Array;
  let asked = 0;
  const one = scanBlock(raw, (bytes, offset, length) => { asked++; return bytes.byteOffset + offset === wanted.byteOffset && length === wanted.length; });
  assert.equal(asked, all.length);
  assert.deepEqual(one.outputs.map((o) => [o.txid, o.vout, o.valueSat, o.rbf]), [[parsed.transactions[2]?.txid, 0, 12_345n, false]]);
  assert.throws(() => scanBlock(raw.subarray(0, raw.length - 1), () => false), RawParseError);
  assert.throws(() => scanBlock(Buffer.concat([raw, Buffer.from([0])]), () => false), RawParseError);
});
