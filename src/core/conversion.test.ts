// Proves the conversion of a credit rounds down once: never above the exact value at the two
// locked rates, at most one minor unit below it, exact when the exact value is whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { conversionRate, convertMinor } from './conversion.ts';
import type { InvoiceConversion } from './conversion.ts';

const conversion = (credit: bigint, creditScale: number, invoice: bigint, invoiceScale: number): InvoiceConversion => ({
  currency: 'USD', creditRate: { units: credit, scale: creditScale }, invoiceRate: { units: invoice, scale: invoiceScale },
  sources: ['static'], at: new Date(0),
});

test('25 EUR at 65000 USD/BTC and 59800 EUR/BTC is 27.17 USD; 11.96 EUR is exactly 13.00 USD', () => {
  const c = conversion(65000n, 0, 59800n, 0);
  assert.equal(convertMinor(2500n, 'EUR', c), 2717n);
  assert.equal(convertMinor(1196n, 'EUR', c), 1300n);
  assert.deepEqual(conversionRate(c), { units: 1086956521739130434n, scale: 18 });
  assert.deepEqual(conversionRate(conversion(50000n, 0, 40000n, 0)), { units: 125n, scale: 2 });
});

test('into BTC: scales of both currencies and both rates are honoured', () => {
  const toBtc: InvoiceConversion = { ...conversion(1n, 0, 6500012n, 2), currency: 'BTC' };
  // 10.00 USD at 65000.12 USD/BTC = 15384.5875… sats → 15384.
  assert.equal(convertMinor(1000n, 'USD', toBtc), 15384n);
});

test('property: floor(exact) — never above, less than one unit below', () => {
  fc.assert(fc.property(
    fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.integer({ min: 0, max: 18 }),
    fc.bigInt({ min: 1n, max: 10n ** 12n }), fc.integer({ min: 0, max: 18 }),
    (amount, creditUnits, creditScale, invoiceUnits, invoiceScale) => {
      const c = conversion(creditUnits, creditScale, invoiceUnits, invoiceScale);
      const got = convertMinor(amount, 'EUR', c);
      // exact = amount × (creditUnits/10^cs) ÷ (invoiceUnits/10^is), both currencies at 2 decimals.
      const num = amount * creditUnits * 10n ** BigInt(invoiceScale);
      const den = invoiceUnits * 10n ** BigInt(creditScale);
      assert.ok(got * den <= num, 'never above the exact value');
      assert.ok((got + 1n) * den > num, 'less than one minor unit below it');
    },
  ), { numRuns: 500 });
});
