// BIP21 payment URIs: `bitcoin:<address>?amount=<BTC>&label=<text>[&lightning=<bolt11>]`. The
// amount is formatted exactly from satoshis; with a BOLT11 the URI is a unified QR (BIP21 +
// lightning fallback) that wallets of either kind can pay.

import { formatDecimal } from '../../core/money.ts';

export interface Bip21Request {
  readonly address: string;
  /** Price in satoshis, or null for an any-amount invoice. */
  readonly amountSat: bigint | null;
  readonly label: string;
  readonly lightning?: string;
}

const SAT_SCALE = 8;

export function bip21Uri(request: Bip21Request): string {
  if (request.amountSat !== null && request.amountSat <= 0n) throw new RangeError('BIP21 amount must be positive');
  const params: string[] = [];
  if (request.amountSat !== null) params.push(`amount=${formatDecimal(request.amountSat, SAT_SCALE)}`);
  if (request.label !== '') params.push(`label=${encodeURIComponent(request.label)}`);
  if (request.lightning) params.push(`lightning=${encodeURIComponent(request.lightning)}`);
  return `bitcoin:${request.address}${params.length > 0 ? '?' + params.join('&') : ''}`;
}
