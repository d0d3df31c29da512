// BOLT11 codec tests: the published BOLT #11 examples (valid and invalid), byte-for-byte
// re-encoding, and a cross-check against the bolt11@1.4.1 package in both directions.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bech32 } from '@scure/base';
import { Bolt11Error, decodeBolt11, encodeBolt11, encodeBolt11Amount, verifyBolt11 } from './bolt11.ts';

const require = createRequire(import.meta.url);
const bolt11Lib = require('bolt11') as {
  decode(text: string, network?: unknown): { millisatoshis?: string | null; payeeNodeKey?: string; tags: Array<{ tagName: string; data: unknown }>; timestamp?: number };
  encode(data: object, addDefaults?: boolean): { paymentRequest?: string; [key: string]: unknown };
  sign(data: object, key: string | Buffer): { paymentRequest?: string };
};

const SPEC_KEY = Buffer.from('e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734', 'hex');
const SPEC_NODE = '03e7156ae33b0a208d0744199163177e909e80176e55d97a2f221ede0f934dd9ad';
const SPEC_HASH = '0001020304050607080900010203040506070809000102030405060708090102';
const SPEC_TIME = 1496314658;

// Valid examples from BOLT #11, with what they must decode to.
const VALID: ReadonlyArray<{ text: string; amountMsat: bigint | null; description?: string; descriptionHash?: string; expirySeconds: number; paymentHash?: string; network?: string; timestamp?: number }> = [
  { text: 'lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq8rkx3yf5tcsyz3d73gafnh3cax9rn449d9p5uxz9ezhhypd0elx87sjle52x86fux2ypatgddc6k63n7erqz25le42c4u4ecky03ylcqca784w',
    amountMsat: null, description: 'Please consider supporting this project', expirySeconds: 3600 },
  { text: 'lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpuaztrnwngzn3kdzw5hydlzf03qdgm2hdq27cqv3agm2awhz5se903vruatfhq77w3ls4evs3ch9zw97j25emudupq63nyw24cg27h2rspfj9srp',
    amountMsat: 250_000_000n, description: '1 cup coffee', expirySeconds: 60 },
  { text: 'lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrny',
    amountMsat: 250_000_000n, description: 'ナンセンス 1杯', expirySeconds: 60 },
  { text: 'lnbc20m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqscc6gd6ql3jrc5yzme8v4ntcewwz5cnw92tz0pc8qcuufvq7khhr8wpald05e92xw006sq94mg8v2ndf4sefvf9sygkshp5zfem29trqq2yxxz7',
    amountMsat: 2_000_000_000n, descriptionHash: Buffer.from(sha256(new TextEncoder().encode('One piece of chocolate cake, one icecream cone, one pickle, one slice of swiss cheese, one slice of salami, one lollypop, one piece of cherry pie, one sausage, one cupcake, and one slice of watermelon'))).toString('hex'), expirySeconds: 3600 },
  { text: 'lntb20m1pvjluezhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfpp3x9et2e20v6pu37c5d9vax37wxq72un98kmzzhznpurw9sgl2v0nklu2g4d0keph5t7tj9tcqd8rexnd07ux4uv2cjvcqwaxgj7v4uwn5wmypjd5n69z2xm3xgksg28nwht7f6zspwp3f9t',
    amountMsat: 2_000_000_000n, expirySeconds: 3600, network: 'tb' },
  { text: 'lnbc20m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqsfpp3qjmp7lwpagxun9pygexvgpjdc4jdj85fr9yq20q82gphp2nflc7jtzrcazrra7wwgzxqc8u7754cdlpfrmccae92qgzqvzq2ps8pqqqqqqpqqqqq9qqqvpeuqafqxu92d8lr6fvg0r5gv0heeeqgcrqlnm6jhphu9y00rrhy4grqszsvpcgpy9qqqqqqgqqqqq7qqzqj9n4evl6mr5aj9f58zp6fyjzup6ywn3x6sk8akg5v4tgn2q8g4fhx05wf6juaxu9760yp46454gpg5mtzgerlzezqcqvjnhjh8z3g2qqdhhwkj',
    amountMsat: 2_000_000_000n, expirySeconds: 3600 },
  { text: 'lnbc20m1pvjluezhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfppj3a24vwu6r8ejrss3axul8rxldph2q7z9kmrgvr7xlaqm47apw3d48zm203kzcq357a4ls9al2ea73r8jcceyjtya6fu5wzzpe50zrge6ulk4nvjcpxlekvmxl6qcs9j3tz0469gq5g658y',
    amountMsat: 2_000_000_000n, expirySeconds: 3600 },
  { text: 'lnbc20m1pvjluezhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfppqw508d6qejxtdg4y5r3zarvary0c5xw7kepvrhrm9s57hejg0p662ur5j5cr03890fa7k2pypgttmh4897d3raaq85a293e9jpuqwl0rnfuwzam7yr8e690nd2ypcq9hlkdwdvycqa0qza8',
    amountMsat: 2_000_000_000n, expirySeconds: 3600 },
  { text: 'lnbc20m1pvjluezhp58yjmdan79s6qqdhdzgynm4zwqd5d7xmw5fk98klysy043l2ahrqspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqfp4qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q28j0v3rwgy9pvjnd48ee2pl8xrpxysd5g44td63g6xcjcu003j3qe8878hluqlvl3km8rm92f5stamd3jw763n3hck0ct7p8wwj463cql26ava',
    amountMsat: 2_000_000_000n, expirySeconds: 3600 },
  { text: 'lnbc9678785340p1pwmna7lpp5gc3xfm08u9qy06djf8dfflhugl6p7lgza6dsjxq454gxhj9t7a0sd8dgfkx7cmtwd68yetpd5s9xar0wfjn5gpc8qhrsdfq24f5ggrxdaezqsnvda3kkum5wfjkzmfqf3jkgem9wgsyuctwdus9xgrcyqcjcgpzgfskx6eqf9hzqnteypzxz7fzypfhg6trddjhygrcyqezcgpzfysywmm5ypxxjemgw3hxjmn8yptk7untd9hxwg3q2d6xjcmtv4ezq7pqxgsxzmnyyqcjqmt0wfjjq6t5v4khxxqyjw5qcqp2rzjq0gxwkzc8w6323m55m4jyxcjwmy7stt9hwkwe2qxmy8zpsgg7jcuwz87fcqqeuqqqyqqqqlgqqqqn3qq9qn07ytgrxxzad9hc4xt3mawjjt8znfv8xzscs7007v9gh9j569lencxa8xeujzkxs0uamak9aln6ez02uunw6rd2ht2sqe4hz8thcdagpleym0j',
    amountMsat: 967_878_534n, expirySeconds: 604800, timestamp: 1572468703, paymentHash: '462264ede7e14047e9b249da94fefc47f41f7d02ee9b091815a5506bc8abf75f',
    description: 'Blockstream Store: 88.85 USD for Blockstream Ledger Nano S x 1, "Back In My Day" Sticker x 2, "I Got Lightning Working" Sticker x 2 and 1 more items' },
  { text: 'lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q5sqqqqqqqqqqqqqqqpqsq67gye39hfg3zd8rgc80k32tvy9xk2xunwm5lzexnvpx6fd77en8qaq424dxgt56cag2dpt359k3ssyhetktkpqh24jqnjyw6uqd08sgptq44qu',
    amountMsat: 2_500_000_000n, description: 'coffee beans', expirySeconds: 3600 },
  { text: 'LNBC25M1PVJLUEZPP5QQQSYQCYQ5RQWZQFQQQSYQCYQ5RQWZQFQQQSYQCYQ5RQWZQFQYPQDQ5VDHKVEN9V5SXYETPDEESSP5ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYG3ZYGS9Q5SQQQQQQQQQQQQQQQPQSQ67GYE39HFG3ZD8RGC80K32TVY9XK2XUNWM5LZEXNVPX6FD77EN8QAQ424DXGT56CAG2DPT359K3SSYHETKTKPQH24JQNJYW6UQD08SGPTQ44QU',
    amountMsat: 2_500_000_000n, description: 'coffee beans', expirySeconds: 3600 },
  { text: 'lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q5sqqqqqqqqqqqqqqqpqsq2qrqqqfppnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqppnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqpp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhpnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqhp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqspnqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqsp4qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnp5qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnpkqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq2jxxfsnucm4jf4zwtznpaxphce606fvhvje5x7d4gw7n73994hgs7nteqvenq8a4ml8aqtchv5d9pf7l558889hp4yyrqv6a7zpq9fgpskqhza',
    amountMsat: 2_500_000_000n, description: 'coffee beans', expirySeconds: 3600 },
];

// Invalid examples from BOLT #11 and the reason each must be refused for.
const INVALID: ReadonlyArray<{ name: string; text: string }> = [
  { name: 'unknown required feature 100', text: 'lnbc25m1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5vdhkven9v5sxyetpdeessp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygs9q4psqqqqqqqqqqqqqqqpqsqq40wa3khl49yue3zsgm26jrepqr2eghqlx86rttutve3ugd05em86nsefzh4pfurpd9ek9w2vp95zxqnfe2u7ckudyahsa52q66tgzcp6t2dyk' },
  { name: 'bad checksum', text: 'lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrnt' },
  { name: 'no separator', text: 'pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrny' },
  { name: 'mixed case', text: 'LNBC2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpquwpc4curk03c9wlrswe78q4eyqc7d8d0xqzpuyk0sg5g70me25alkluzd2x62aysf2pyy8edtjeevuv4p2d5p76r4zkmneet7uvyakky2zr4cusd45tftc9c5fh0nnqpnl2jfll544esqchsrny' },
  { name: 'signature not recoverable', text: 'lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpuaxtrnwngzn3kdzw5hydlzf03qdgm2hdq27cqv3agm2awhz5se903vruatfhq77w3ls4evs3ch9zw97j25emudupq63nyw24cg27h2rspk28uwq' },
  { name: 'too short', text: 'lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6na6hlh' },
  { name: 'invalid multiplier', text: 'lnbc2500x1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpujr6jxr9gq9pv6g46y7d20jfkegkg4gljz2ea2a3m9lmvvr95tq2s0kvu70u3axgelz3kyvtp2ywwt0y8hkx2869zq5dll9nelr83zzqqpgl2zg' },
  { name: 'sub-millisatoshi precision', text: 'lnbc2500000001p1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdq5xysxxatsyp3k7enxv4jsxqzpu7hqtk93pkf7sw55rdv4k9z2vj050rxdr6za9ekfs3nlt5lr89jqpdmxsmlj9urqumg0h9wzpqecw7th56tdms40p2ny9q4ddvjsedzcplva53s' },
];

test('decodes every valid BOLT #11 example and recovers the spec node key', () => {
  for (const vector of VALID) {
    const decoded = decodeBolt11(vector.text);
    assert.equal(decoded.payeeNodeKey, SPEC_NODE, vector.text.slice(0, 20));
    assert.equal(decoded.amountMsat, vector.amountMsat);
    assert.equal(decoded.paymentHash, vector.paymentHash ?? SPEC_HASH);
    assert.equal(decoded.timestamp, vector.timestamp ?? SPEC_TIME);
    assert.equal(decoded.expirySeconds, vector.expirySeconds);
    assert.equal(decoded.network, vector.network ?? 'bc');
    if (vector.description !== undefined) assert.equal(decoded.description, vector.description);
    if (vector.descriptionHash !== undefined) assert.equal(decoded.descriptionHash, vector.descriptionHash);
  }
});

test('reads the payment secret and feature bits of the modern example, skipping ignorable fields', () => {
  const withIgnored = VALID[12];
  assert.ok(withIgnored);
  const decoded = decodeBolt11(withIgnored.text);
  assert.equal(decoded.paymentSecret, '11'.repeat(32));
  assert.equal(decoded.features, (1n << 9n) | (1n << 15n) | (1n << 99n));
});

test('refuses every invalid BOLT #11 example', () => {
  for (const vector of INVALID) {
    assert.throws(() => decodeBolt11(vector.text), Bolt11Error, vector.name);
  }
});

test('re-encodes the spec examples byte for byte with the spec key', () => {
  const hash = Buffer.from(SPEC_HASH, 'hex');
  const cases: Array<[string, Parameters<typeof encodeBolt11>[0]]> = [
    [VALID[0]!.text, { network: 'bc', amountMsat: null, paymentHash: hash, description: 'Please consider supporting this project', expirySeconds: 3600, timestamp: SPEC_TIME }],
    [VALID[1]!.text, { network: 'bc', amountMsat: 250_000_000n, paymentHash: hash, description: '1 cup coffee', expirySeconds: 60, timestamp: SPEC_TIME }],
    [VALID[2]!.text, { network: 'bc', amountMsat: 250_000_000n, paymentHash: hash, description: 'ナンセンス 1杯', expirySeconds: 60, timestamp: SPEC_TIME }],
    [VALID[10]!.text, { network: 'bc', amountMsat: 2_500_000_000n, paymentHash: hash, paymentSecret: Buffer.alloc(32, 0x11), description: 'coffee beans',
      expirySeconds: 3600, timestamp: SPEC_TIME, features: (1n << 9n) | (1n << 15n) | (1n << 99n) }],
  ];
  for (const [expected, input] of cases) assert.equal(encodeBolt11(input, SPEC_KEY), expected);
});

test('encodes amounts in their shortest exact form', () => {
  assert.equal(encodeBolt11Amount(250_000_000n), '2500u');
  assert.equal(encodeBolt11Amount(2_000_000_000n), '20m');
  assert.equal(encodeBolt11Amount(100_000_000_000n), '1');
  assert.equal(encodeBolt11Amount(967_878_534n), '9678785340p');
  assert.equal(encodeBolt11Amount(1000n), '10n');
  assert.throws(() => encodeBolt11Amount(0n), Bolt11Error);
});

test('round-trips regtest invoices with a node key field, and bolt11@1.4.1 agrees', () => {
  const key = secp256k1.utils.randomSecretKey();
  const node = Buffer.from(secp256k1.getPublicKey(key, true)).toString('hex');
  for (const amountMsat of [null, 1n, 1234n, 150_000n, 100_000_000_000n, 123_456_789_012n]) {
    const hash = sha256(new Uint8Array([Number(amountMsat ?? 0n) & 0xff, 7]));
    const text = encodeBolt11({ network: 'bcrt', amountMsat, paymentHash: hash, paymentSecret: new Uint8Array(32).fill(3),
      description: 'Coffer deposit d7a1', expirySeconds: 900, timestamp: 1_767_225_600, minFinalCltvExpiry: 40, includeNodeKey: amountMsat === 1n }, key);
    const ours = decodeBolt11(text);
    assert.equal(ours.payeeNodeKey, node);
    assert.equal(ours.amountMsat, amountMsat);
    assert.equal(ours.minFinalCltvExpiry, 40);
    assert.equal(ours.network, 'bcrt');
    const theirs = bolt11Lib.decode(text, { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] });
    assert.equal(theirs.payeeNodeKey, node);
    assert.equal(theirs.millisatoshis ?? null, amountMsat === null ? null : amountMsat.toString());
    assert.equal(theirs.tags.find((t) => t.tagName === 'payment_hash')?.data, Buffer.from(hash).toString('hex'));
    assert.equal(theirs.tags.find((t) => t.tagName === 'expire_time')?.data, 900);
  }
});

/** The same invoice with its signature's S replaced by n − S (the high-S twin; same r, flipped recovery id). */
function withHighS(text: string): string {
  const { prefix, words } = bech32.decode(text as `${string}1${string}`, false);
  const sig = Uint8Array.from(bech32.fromWords(words.slice(-104)));
  const n = secp256k1.Point.CURVE().n;
  const s = BigInt('0x' + Buffer.from(sig.subarray(32, 64)).toString('hex'));
  sig.set(Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex'), 32);
  sig[64] = (sig[64] ?? 0) ^ 1;
  return bech32.encode(prefix, [...words.slice(0, -104), ...bech32.toWords(sig)], false);
}

test('a high-S signature is refused against an n field, and recovers the same key without one', () => {
  const key = secp256k1.utils.randomSecretKey();
  const node = Buffer.from(secp256k1.getPublicKey(key, true)).toString('hex');
  const input = { network: 'bcrt' as const, amountMsat: 5000n, paymentHash: new Uint8Array(32).fill(9), description: 'high s', expirySeconds: 900, timestamp: 1_767_225_600 };
  const withNode = encodeBolt11({ ...input, includeNodeKey: true }, key);
  assert.equal(decodeBolt11(withNode).payeeNodeKey, node);
  assert.throws(() => decodeBolt11(withHighS(withNode)), (e: unknown) => e instanceof Bolt11Error && e.reason === 'signature');
  const plain = encodeBolt11(input, key);
  assert.equal(decodeBolt11(withHighS(plain)).payeeNodeKey, node);
});

test('decodes what bolt11@1.4.1 signs', () => {
  const key = Buffer.from(secp256k1.utils.randomSecretKey());
  const node = Buffer.from(secp256k1.getPublicKey(key, true)).toString('hex');
  const hash = Buffer.from(sha256(new Uint8Array([9]))).toString('hex');
  const unsigned = bolt11Lib.encode({ network: { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, validWitnessVersions: [0, 1] },
    millisatoshis: '150001', timestamp: 1_767_225_600,
    tags: [{ tagName: 'payment_hash', data: hash }, { tagName: 'payment_secret', data: '22'.repeat(32) },
      { tagName: 'feature_bits', data: { word_length: 4, var_onion_optin: { required: true }, payment_secret: { required: true } } },
      { tagName: 'description', data: 'from the other library' }, { tagName: 'expire_time', data: 600 }] }, false);
  const signed = bolt11Lib.sign(unsigned, key).paymentRequest;
  assert.ok(signed !== undefined);
  const decoded = decodeBolt11(signed);
  assert.equal(decoded.payeeNodeKey, node);
  assert.equal(decoded.amountMsat, 150_001n);
  assert.equal(decoded.paymentHash, hash);
  assert.equal(decoded.description, 'from the other library');
  assert.equal(decoded.expirySeconds, 600);
});

test('verifyBolt11 refuses a wrong signer, amount, payment hash or network (ADVERSARIAL 18)', () => {
  const key = secp256k1.utils.randomSecretKey();
  const other = secp256k1.utils.randomSecretKey();
  const node = Buffer.from(secp256k1.getPublicKey(key, true)).toString('hex');
  const hash = sha256(new Uint8Array([1]));
  const hashHex = Buffer.from(hash).toString('hex');
  const input = { network: 'bcrt', amountMsat: 5000n, paymentHash: hash, description: 'd', expirySeconds: 60, timestamp: 1_767_225_600 } as const;
  const good = encodeBolt11(input, key);
  assert.equal(verifyBolt11(good, { nodeKey: node, amountMsat: 5000n, paymentHash: hashHex, network: 'bcrt' }).amountMsat, 5000n);
  const reason = (fn: () => unknown): string => {
    try { fn(); } catch (error) { if (error instanceof Bolt11Error) return error.reason; throw error; }
    return 'accepted';
  };
  assert.equal(reason(() => verifyBolt11(encodeBolt11(input, other), { nodeKey: node, amountMsat: 5000n, paymentHash: hashHex })), 'node_key');
  assert.equal(reason(() => verifyBolt11(good, { nodeKey: node, amountMsat: 5001n, paymentHash: hashHex })), 'amount');
  assert.equal(reason(() => verifyBolt11(good, { nodeKey: node, amountMsat: null, paymentHash: hashHex })), 'amount');
  assert.equal(reason(() => verifyBolt11(good, { nodeKey: node, amountMsat: 5000n, paymentHash: '00'.repeat(32) })), 'payment_hash');
  assert.equal(reason(() => verifyBolt11(good, { nodeKey: node, amountMsat: 5000n, paymentHash: hashHex, network: 'bc' })), 'network');
  // A valid-checksum invoice whose signature was swapped for another one's no longer recovers the node.
  const forged = good.slice(0, -110) + encodeBolt11({ ...input, amountMsat: 5001n }, key).slice(-110);
  assert.notEqual(reason(() => verifyBolt11(forged, { nodeKey: node, amountMsat: 5000n, paymentHash: hashHex })), 'accepted');
});
