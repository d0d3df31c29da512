// The operator spends a balance (charge) or gives part of a charge back (refund). A charge never
// overdraws: the ledger checks the balance under the account's lock and the transaction rolls
// back with balance_too_low. The idempotency key makes a retried charge a no-op.

import type { Charge } from '../core/account.ts';
import { CurrencyScale, isBalanceCurrency } from '../core/assets.ts';
import type { BalanceCurrency } from '../core/assets.ts';
import { CofferError } from '../core/errors.ts';
import type { OutboxEvent } from '../core/events.ts';
import { LedgerAccounts } from '../core/ledger.ts';
import { formatDecimal, parseDecimal } from '../core/money.ts';
import type { Deps } from './deps.ts';
import type { RecordResponse } from './idempotency.ts';
import { newPrefixedId } from '../storage/ids.ts';

export interface ChargeInput {
  readonly accountId: string;
  readonly amount: string;
  readonly currency: string;
  readonly idempotencyKey: string;
  readonly description?: string | undefined;
}

export interface ChargeResult {
  readonly charge: Charge;
  readonly balanceMinor: bigint;
  readonly replayed: boolean;
}

function event(type: OutboxEvent['type'], charge: Charge, amountMinor: bigint, at: Date): OutboxEvent {
  return {
    id: newPrefixedId('evt'), type, accountId: charge.accountId, invoiceId: null, createdAt: at,
    payload: { account_id: charge.accountId, charge_id: charge.id, currency: charge.currency, amount: formatDecimal(amountMinor, CurrencyScale[charge.currency]) },
  };
}

function parseMoney(amount: string, currency: string): { currency: BalanceCurrency; amountMinor: bigint } {
  if (!isBalanceCurrency(currency)) throw new CofferError('invalid_param', 'currency must be one of USD, EUR or BTC', { field: 'currency' });
  const amountMinor = parseDecimal(amount, CurrencyScale[currency], 'amount');
  if (amountMinor <= 0n) throw new CofferError('invalid_param', 'amount must be greater than zero', { field: 'amount' });
  return { currency, amountMinor };
}

export async function chargeAccount(deps: Deps, input: ChargeInput, record?: RecordResponse<ChargeResult>): Promise<ChargeResult> {
  const { currency, amountMinor } = parseMoney(input.amount, input.currency);
  return deps.store.transaction(async (tx) => {
    const account = await tx.accounts.get(input.accountId, true);
    if (!account) throw new CofferError('not_found', 'No such account');
    const previous = await tx.charges.byIdempotencyKey(account.id, input.idempotencyKey);
    const customer = LedgerAccounts.customer(account.id, currency);
    if (previous) {
      if (previous.amountMinor !== amountMinor || previous.currency !== currency) {
        throw new CofferError('idempotency_key_reused', 'This idempotency key was used for a different charge');
      }
      const replayed = { charge: previous, balanceMinor: await tx.ledger.balance(customer), replayed: true };
      if (record) await record(tx, replayed);
      return replayed;
    }
    if (account.status !== 'active') throw new CofferError('account_frozen', 'The account is frozen; charges are refused until an operator unfreezes it');
    const now = deps.clock.now();
    const charge: Charge = {
      id: newPrefixedId('ch'), accountId: account.id, currency, amountMinor, refundedMinor: 0n,
      idempotencyKey: input.idempotencyKey, description: input.description ?? null, createdAt: now,
    };
    await tx.charges.insert(charge);
    await tx.ledger.post([{
      key: `charge:${account.id}:${input.idempotencyKey}`, kind: 'charge', currency, amount: amountMinor,
      debitAccount: customer, creditAccount: LedgerAccounts.revenue(currency), debitMustCover: true,
      accountId: account.id, chargeId: charge.id, ...(input.description ? { description: input.description } : {}),
    }], now);
    await tx.outbox.insert([event('balance.charged', charge, amountMinor, now)]);
    const result = { charge, balanceMinor: await tx.ledger.balance(customer), replayed: false };
    if (record) await record(tx, result);
    return result;
  });
}

export interface RefundInput {
  readonly chargeId: string;
  readonly amount?: string | undefined;
  readonly idempotencyKey: string;
}

export async function refundCharge(deps: Deps, input: RefundInput, record?: RecordResponse<ChargeResult>): Promise<ChargeResult> {
  return deps.store.transaction(async (tx) => {
    const charge = await tx.charges.get(input.chargeId, true);
    if (!charge) throw new CofferError('not_found', 'No such charge');
    const amountMinor = input.amount === undefined ? charge.amountMinor - charge.refundedMinor : parseMoney(input.amount, charge.currency).amountMinor;
    const key = `refund:${charge.id}:${input.idempotencyKey}`;
    const customer = LedgerAccounts.customer(charge.accountId, charge.currency);
    const existing = await tx.ledger.getByKey(key);
    if (existing) {
      if (existing.amount !== amountMinor) throw new CofferError('idempotency_key_reused', 'This idempotency key was used for a different refund');
      const replayed = { charge, balanceMinor: await tx.ledger.balance(customer), replayed: true };
      if (record) await record(tx, replayed);
      return replayed;
    }
    if (amountMinor <= 0n || charge.refundedMinor + amountMinor > charge.amountMinor) {
      throw new CofferError('invalid_param', 'refund exceeds what is left of the charge', { field: 'amount' });
    }
    const now = deps.clock.now();
    await tx.ledger.post([{
      key, kind: 'refund', currency: charge.currency, amount: amountMinor, debitAccount: LedgerAccounts.revenue(charge.currency),
      creditAccount: customer, debitMustCover: false, accountId: charge.accountId, chargeId: charge.id,
    }], now);
    const updated = { ...charge, refundedMinor: charge.refundedMinor + amountMinor };
    await tx.charges.setRefunded(charge.id, updated.refundedMinor);
    await tx.outbox.insert([event('balance.refunded', updated, amountMinor, now)]);
    const result = { charge: updated, balanceMinor: await tx.ledger.balance(customer), replayed: false };
    if (record) await record(tx, result);
    return result;
  });
}
