// POST /v2/accounts/deposit: quote a price at a locked rate, allocate a payment target through
// the method's adapter, and store the invoice with its `invoice.created` event.

import type { Account } from '../core/account.ts';
import { CurrencyScale, isBalanceCurrency } from '../core/assets.ts';
import type { BalanceCurrency } from '../core/assets.ts';
import type { InvoiceConversion } from '../core/conversion.ts';
import { CofferError } from '../core/errors.ts';
import { minimumText, minimumUnits } from '../core/method-minimums.ts';
import type { Invoice, LockedRate } from '../core/invoice.ts';
import { formatDecimal, parseDecimal, rescale, Rounding } from '../core/money.ts';
import { identityRate, priceFor } from '../core/rate.ts';
import type { MethodSpec } from '../core/methods.ts';
import type { IndexAllocator, PaymentTarget, TargetRequest } from '../core/payment-method.ts';
import type { Deps } from './deps.ts';
import { indexAllocator } from './index-allocator.ts';
import { invoiceEvent } from './invoice-events.ts';
import type { RecordResponse } from './idempotency.ts';
import { newUuid } from '../storage/ids.ts';

export interface CreateDepositInput {
  readonly currency: string;
  readonly paymentMethod: string;
  /** Exact decimal text of the amount, or undefined for a flexible invoice. */
  readonly amount: string | undefined;
  readonly webhookUrl?: string | undefined;
}

function parseCurrency(value: string): BalanceCurrency {
  if (!isBalanceCurrency(value)) throw new CofferError('invalid_param', 'currency must be one of USD, EUR or BTC', { field: 'currency' });
  return value;
}

function parseAmount(deps: Deps, text: string, currency: BalanceCurrency): bigint {
  const amount = parseDecimal(text, CurrencyScale[currency], 'amount');
  if (amount <= 0n) throw new CofferError('invalid_param', 'amount must be greater than zero', { field: 'amount' });
  const min = deps.settings.depositMinMinor[currency];
  const max = deps.settings.depositMaxMinor[currency];
  const scale = CurrencyScale[currency];
  if (amount < min) throw new CofferError('amount_too_small', `amount must be at least ${formatDecimal(min, scale)} ${currency}`, { field: 'amount' });
  if (amount > max) throw new CofferError('amount_too_large', `amount must be at most ${formatDecimal(max, scale)} ${currency}`, { field: 'amount' });
  return amount;
}

async function lockRate(deps: Deps, spec: MethodSpec, currency: BalanceCurrency): Promise<LockedRate> {
  const now = deps.clock.now();
  if (currency === 'BTC' && spec.asset === 'BTC') return identityRate(now);
  const rate = await deps.rates.rate(spec.asset, currency);
  return { value: rate.value, sources: rate.sources, at: rate.at };
}

/**
 * A deposit in another currency than the account's credits the account's currency (issue 15,
 * 8c): the crypto asset's rates in both currencies are locked now, from the same sources and
 * under the same freshness rules as the price. No rate for either pair → `rate_unavailable` and
 * no invoice: a deposit is never credited at a guessed rate.
 */
async function lockConversion(deps: Deps, spec: MethodSpec, account: Account, currency: BalanceCurrency,
  invoiceRate: LockedRate | null): Promise<InvoiceConversion | null> {
  if (account.currency === currency) return null;
  const [credit, own] = await Promise.all([lockRate(deps, spec, account.currency), invoiceRate ?? lockRate(deps, spec, currency)]);
  return {
    currency: account.currency, creditRate: credit.value, invoiceRate: own.value,
    sources: [...new Set([...credit.sources, ...own.sources])], at: credit.at < own.at ? credit.at : own.at,
  };
}

function allocator(deps: Deps): IndexAllocator {
  return indexAllocator(deps.store);
}

/**
 * The companion target the method's spec asks for — a bitcoin deposit's lightning fallback
 * (issue 3: unified QR): a BOLT11 for the same price (sat × 1000 msat; amountless for a flexible
 * deposit) and expiry, created before the invoice's transaction. The companion down or failing
 * never blocks the deposit: it goes without.
 */
async function lightningCompanion(deps: Deps, request: TargetRequest): Promise<(PaymentTarget & { methodId: string }) | null> {
  if (request.method.companion === undefined) return null;
  const lightning = deps.methods.get(request.method.companion);
  if (!lightning || lightning.spec.asset !== request.method.asset || !lightning.adapter.health().ok) return null;
  const priceUnits = request.priceUnits === null ? null : rescale(request.priceUnits, request.method.unitScale, lightning.spec.unitScale, Rounding.up);
  try {
    const target = await lightning.adapter.createTarget({ ...request, method: lightning.spec, priceUnits }, allocator(deps));
    return { ...target, methodId: lightning.spec.id };
  } catch (error) {
    deps.log.warn({ err: error instanceof Error ? error.message : String(error), invoiceId: request.invoiceId, companion: lightning.spec.id },
      `${lightning.spec.id} fallback unavailable; ${request.method.id} deposit created without it`);
    return null;
  }
}

export async function createDeposit(deps: Deps, account: Account, input: CreateDepositInput, record?: RecordResponse<Invoice>): Promise<Invoice> {
  const currency = parseCurrency(input.currency);
  const method = deps.methods.get(input.paymentMethod);
  if (!method) {
    throw new CofferError('unsupported_payment_method', `payment_method "${input.paymentMethod}" is not available; use one of: ${deps.methods.ids().join(', ')}`, { field: 'payment_method' });
  }
  const health = method.adapter.health();
  if (!health.ok) throw new CofferError('payment_method_unavailable', `payment_method "${method.spec.id}" is temporarily unavailable`);
  const amountMinor = input.amount === undefined ? null : parseAmount(deps, input.amount, currency);
  const rate = amountMinor === null ? null : await lockRate(deps, method.spec, currency);
  const conversion = await lockConversion(deps, method.spec, account, currency, rate);
  const priceUnits = amountMinor === null || rate === null ? null : priceFor(amountMinor, currency, rate.value, method.spec);
  if (priceUnits !== null && priceUnits < minimumUnits(method.spec)) {
    throw new CofferError('amount_too_small', `amount is too small for ${method.spec.id}: it comes to ${formatDecimal(priceUnits, method.spec.unitScale)} ${method.spec.asset}, `
      + `below the smallest payment this method carries, ${minimumText(method.spec)}${method.spec.minimumReason ? ` (${method.spec.minimumReason})` : ''}`, { field: 'amount' });
  }

  const id = newUuid();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + deps.settings.invoiceExpiryMs);
  const request: TargetRequest = { invoiceId: id, method: method.spec, priceUnits, expiresAt, description: `Coffer deposit ${id}` };
  // The lightning fallback is made while the target's own index is allocated; never rejects.
  const companionMade = lightningCompanion(deps, request);
  const target = await method.adapter.createTarget(
    { ...request, lightningFallback: companionMade.then((c) => (c ? c.lightningInvoice ?? c.address : null)) }, allocator(deps));
  const companion = await companionMade;

  const invoice: Omit<Invoice, 'seq'> = {
    id, accountId: account.id, status: 'unpaid', currency, amountMinor, methodId: method.spec.id, asset: method.spec.asset,
    unitScale: method.spec.unitScale, pricePrecision: method.spec.pricePrecision, priceUnits, rate, conversion,
    targetKey: target.targetKey, address: target.address, uri: target.uri,
    lightningInvoice: target.lightningInvoice ?? (companion ? companion.lightningInvoice ?? companion.address : null),
    network: method.spec.network, chainId: target.chainId ?? null, contractAddress: method.spec.contractAddress ?? null,
    walletId: target.walletId ?? null, derivationIndex: target.derivationIndex ?? null,
    confirmationsRequired: deps.methods.confirmationsFor(method.spec.id, priceUnits ?? 0n),
    receivedUnits: 0n, creditedMinor: 0n, webhookUrl: input.webhookUrl ?? null,
    createdAt: now, expiresAt, watchUntil: new Date(expiresAt.getTime() + deps.settings.monitoringWindowMs),
    completedAt: null, updatedAt: now,
  };
  const created = invoiceEvent('invoice.created', invoice, now);
  if (!record) {
    return deps.store.insertCreated({ invoice, companion, event: created });
  }
  return deps.store.transaction(async (tx) => {
    const stored = await tx.invoices.insertCreated(invoice, companion, created);
    await record(tx, stored);
    return stored;
  });
}
