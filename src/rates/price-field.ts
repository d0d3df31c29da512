// Reads one price field out of a parsed source answer, whether the source sends prices as
// strings (Kraken, Coinbase, Bitstamp) or as JSON numbers (CoinGecko).

import type { Decimal } from '../core/money.ts';
import { JsonNumber } from '../core/exact-json.ts';
import type { JsonValue } from '../core/exact-json.ts';
import { InvalidPriceError, parsePriceText } from './price-text.ts';
import { RateSourceError } from './rate-source.ts';

export function priceField(source: string, value: JsonValue | undefined, field: string): Decimal {
  const text = typeof value === 'string' ? value : value instanceof JsonNumber ? value.text : null;
  if (text === null) throw new RateSourceError(source, `${field} is missing or not a number`);
  try {
    return parsePriceText(text);
  } catch (error) {
    if (error instanceof InvalidPriceError) throw new RateSourceError(source, `${field}: ${error.message}`);
    throw error;
  }
}
