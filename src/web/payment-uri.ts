// Re-pricing a deposit's payment URI to what is still owed after a partial payment. The web layer
// does not build URIs (the method adapters do); it rewrites the amount of the one it was given,
// per scheme:
// - BIP21 `bitcoin:<addr>?amount=<BTC>&label=…&lightning=<bolt11>`: `amount` in BTC (BIP21,
//   https://github.com/bitcoin/bips/blob/master/bip-0021.mediawiki). The `lightning=` fallback is
//   dropped: its BOLT11 asks for the full price and cannot be changed.
// - EIP-681 `ethereum:<addr>@<chain>?value=<wei>` or `ethereum:<token>@<chain>/transfer?address=…&uint256=<units>`:
//   integers in base units (https://eips.ethereum.org/EIPS/eip-681).
// - Solana Pay `solana:<recipient>?amount=<decimal>&spl-token=…&reference=…`: `amount` in user
//   units; the reference stays, so the second transfer is matched to the same deposit
//   (https://github.com/anza-xyz/solana-pay/blob/master/SPEC.md).
// - `lightning:<bolt11>`: cannot be re-priced — a BOLT11's amount is signed into it (BOLT 11).
// Returns null when the URI cannot be re-priced.

import { formatDecimal } from '../core/money.ts';

function setParam(uri: string, name: string, value: string): string {
  const q = uri.indexOf('?');
  const base = q < 0 ? uri : uri.slice(0, q);
  const params = q < 0 ? [] : uri.slice(q + 1).split('&').filter((p) => p !== '');
  const at = params.findIndex((p) => p.startsWith(`${name}=`));
  if (at >= 0) params[at] = `${name}=${value}`;
  else params.unshift(`${name}=${value}`);
  return `${base}?${params.join('&')}`;
}

function dropParam(uri: string, name: string): string {
  const q = uri.indexOf('?');
  if (q < 0) return uri;
  const params = uri.slice(q + 1).split('&').filter((p) => p !== '' && !p.startsWith(`${name}=`));
  return params.length === 0 ? uri.slice(0, q) : `${uri.slice(0, q)}?${params.join('&')}`;
}

/** The URI asking for `units` (base units of the invoice's method, scale `unitScale`) instead of the full price. */
export function repriceUri(uri: string, units: bigint, unitScale: number): string | null {
  if (units <= 0n) return null;
  // A bare address (usdt_trc20: Tron wallets share no payment-URI scheme) carries no amount to
  // change: the QR stays the address, and the page's "Still to pay" says what is owed.
  if (!uri.includes(':')) return uri;
  const scheme = uri.slice(0, uri.indexOf(':') + 1).toLowerCase();
  switch (scheme) {
    case 'bitcoin:': return dropParam(setParam(uri, 'amount', formatDecimal(units, unitScale)), 'lightning');
    case 'ethereum:': return setParam(uri, uri.includes('/transfer') ? 'uint256' : 'value', units.toString());
    case 'solana:': return setParam(uri, 'amount', formatDecimal(units, unitScale));
    default: return null;
  }
}
