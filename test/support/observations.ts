// Helpers to build observations and invoices for settlement suites.

import { randomBytes } from 'node:crypto';
import type { Account } from '../../src/core/account.ts';
import type { Invoice } from '../../src/core/invoice.ts';
import type { Observation } from '../../src/core/observation.ts';
import { createDeposit } from '../../src/usecases/create-deposit.ts';
import type { Deps } from '../../src/usecases/deps.ts';

export async function accountOf(deps: Deps, id: string): Promise<Account> {
  const account = await deps.store.accounts.get(id);
  if (!account) throw new Error(`no account ${id}`);
  return account;
}

export async function deposit(deps: Deps, accountId: string, amount: string | undefined, currency = 'USD', paymentMethod = 'bitcoin'): Promise<Invoice> {
  return createDeposit(deps, await accountOf(deps, accountId), { currency, paymentMethod, amount });
}

export function txid(): string {
  return randomBytes(32).toString('hex');
}

/** An observation paying `invoice` `amountUnits` (method base units) with `confirmations`. */
export function pay(invoice: Invoice, amountUnits: bigint, confirmations: number, key = `${txid()}:0`): Observation {
  return {
    methodId: invoice.methodId, targetKey: invoice.targetKey, paymentKey: key, amountUnits,
    state: confirmations > 0 ? 'confirmed' : 'seen', confirmations, txid: key.split(':')[0]!,
    ...(confirmations > 0 ? { blockHash: 'ab'.repeat(32), blockHeight: 100 } : {}),
  };
}
