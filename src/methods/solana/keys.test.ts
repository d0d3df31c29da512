// Proves Solana keys, ATA derivation and the Solana Pay URI match the ecosystem's reference code (@solana-program/token, SPEC.md examples).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { address, generateKeyPairSigner } from '@solana/kit';
import { findAssociatedTokenPda, TOKEN_PROGRAM_ADDRESS } from '@solana-program/token';
import { associatedTokenAddress, isOnCurve, newReference, publicKeyBytes, TOKEN_PROGRAM } from './keys.ts';
import { transferRequestUri } from './solana-pay.ts';

const USDC = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';

test('public keys: 32-byte base58 only', () => {
  assert.equal(publicKeyBytes(USDC)?.length, 32);
  assert.equal(publicKeyBytes('11111111111111111111111111111111')?.length, 32);
  assert.equal(publicKeyBytes('0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'), null);
  assert.equal(publicKeyBytes('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGG'), null, 'a truncated key is under 32 bytes');
  assert.equal(publicKeyBytes('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1vO'), null, 'O is not base58');
  assert.equal(publicKeyBytes(''), null);
});

test('the associated token account equals findAssociatedTokenPda for random owners and mints', async () => {
  for (let i = 0; i < 12; i++) {
    const owner = (await generateKeyPairSigner()).address;
    const mint = i === 0 ? address(USDC) : (await generateKeyPairSigner()).address;
    const [expected] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
    assert.equal(associatedTokenAddress(owner, mint, TOKEN_PROGRAM), expected);
  }
});

test('on-curve: real ed25519 public keys are points; derived addresses are not', async () => {
  const owner = (await generateKeyPairSigner()).address;
  assert.equal(isOnCurve(publicKeyBytes(owner) as Uint8Array), true);
  assert.equal(isOnCurve(publicKeyBytes(associatedTokenAddress(owner, USDC)) as Uint8Array), false);
});

test('references are fresh 32-byte keys', () => {
  const a = newReference();
  const b = newReference();
  assert.notEqual(a, b);
  assert.equal(publicKeyBytes(a)?.length, 32);
});

test('transfer request URI: SPEC.md example for 0.01 USDC, with reference, label and message', () => {
  const uri = transferRequestUri({
    recipient: 'mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN', amountUnits: 10_000n, decimals: 6, splToken: USDC,
    reference: '82ZJ7nbGpixjeDCmEhUcmwXYfvurzAgGdtSMuHnUgyny', label: 'Michael', message: 'Thanks for all the fish',
  });
  assert.equal(uri, 'solana:mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN?amount=0.01&spl-token=EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'
    + '&reference=82ZJ7nbGpixjeDCmEhUcmwXYfvurzAgGdtSMuHnUgyny&label=Michael&message=Thanks%20for%20all%20the%20fish');
});

test('transfer request URI: whole amounts have no decimals, flexible invoices have no amount', () => {
  const base = { recipient: 'mvines9iiHiQTysrwkJjGf2gb9Ex9jXJX8ns3qwf2kN', decimals: 6, splToken: USDC, reference: USDC };
  assert.match(transferRequestUri({ ...base, amountUnits: 25_000_000n }), /\?amount=25&spl-token=/);
  assert.match(transferRequestUri({ ...base, amountUnits: 1n }), /\?amount=0\.000001&/);
  assert.doesNotMatch(transferRequestUri({ ...base, amountUnits: null }), /amount=/);
});
