// Turns the exactly-parsed response into values for callers. Two views of one body:
// - exact: every amount is a decimal string ("20999999.99999999"); counts (confirmations,
//   chain ids, paging offsets, audit sequence numbers) are numbers, since they are small integers and callers compare them;
// - plain: what JSON.parse would have produced, i.e. Bitrefill's wire shape with amounts as JS
//   numbers, for code written against a Bitrefill client. Amounts there may be rounded.

import { isJsonObject, JsonNumber } from './exact-json.ts';
import type { JsonValue } from './exact-json.ts';
import { plainDecimal } from './decimal.ts';

/** Fields whose numbers are counts, never money. Everything else numeric is kept exact as text. */
export const COUNT_FIELDS: ReadonlySet<string> = new Set([
  'confirmations', 'confirmations_required', 'chain_id', 'start', 'limit', 'transfers', 'accounts', 'seq',
]);

export function exactValue(value: JsonValue, key: string | null = null): unknown {
  if (value instanceof JsonNumber) {
    if (key !== null && COUNT_FIELDS.has(key)) {
      const count = Number(value.text);
      // A count too large for a double is not a count; keep its text rather than a wrong number.
      return Number.isSafeInteger(count) ? count : value.text;
    }
    return plainDecimal(value.text);
  }
  if (Array.isArray(value)) return value.map((item: JsonValue) => exactValue(item, key));
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exactValue(v, k)]));
  return value;
}

export function plainValue(value: JsonValue): unknown {
  if (value instanceof JsonNumber) return Number(value.text);
  if (Array.isArray(value)) return value.map((item: JsonValue) => plainValue(item));
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  return value;
}
