// Proves the re-priced payment URIs keep their scheme's syntax: BIP21 amount in BTC (lightning
// fallback dropped), EIP-681 base-unit integers (native value, ERC-20 uint256), Solana Pay amount in
// user units with the reference kept, and a BOLT11 refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repriceUri } from './payment-uri.ts';

test('each scheme gets the remainder in its own unit; a BOLT11 cannot be re-priced', () => {
  assert.equal(repriceUri('bitcoin:bcrt1qxyz?amount=0.0005&label=Deposit&lightning=lnbcrt1abc', 25_000n, 8), 'bitcoin:bcrt1qxyz?amount=0.00025&label=Deposit');
  assert.equal(repriceUri('ethereum:0xAbC@8453?value=1000000000000000000', 400_000_000_000_000_000n, 18), 'ethereum:0xAbC@8453?value=400000000000000000');
  assert.equal(repriceUri('ethereum:0xToken@1/transfer?address=0xMe&uint256=40000000', 25_000_000n, 6), 'ethereum:0xToken@1/transfer?address=0xMe&uint256=25000000');
  assert.equal(repriceUri('solana:Recip?amount=40&spl-token=Mint&reference=Ref&label=x', 25_000_000n, 6), 'solana:Recip?amount=25&spl-token=Mint&reference=Ref&label=x');
  assert.equal(repriceUri('lightning:lnbcrt500u1xyz', 10n, 11), null);
  assert.equal(repriceUri('bitcoin:bcrt1qxyz?amount=0.0005', 0n, 8), null);
});

test('a bare address (a rail without a URI scheme, Tron) stays payable after a partial payment', () => {
  assert.equal(repriceUri('TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH', 15_000_000n, 6), 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH');
});
