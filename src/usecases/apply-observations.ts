// The only way money enters the ledger: apply what a watcher (or the sandbox) observed.
// Idempotent on the payment key; each observation commits on its own under its invoice's lock,
// so two processes applying the same observation at once produce one payment and one credit.

import type { InvoiceRef, LockedRate, Payment, SettlementInvoice } from '../core/invoice.ts';
import { FINAL_INVOICE_STATUSES } from '../core/invoice.ts';
import type { Observation } from '../core/observation.ts';
import { identityRate } from '../core/rate.ts';
import type { StoreTx } from '../storage/store.ts';
import type { Deps } from './deps.ts';
import { settleInvoice } from './settle-invoice.ts';
import { newPrefixedId } from '../storage/ids.ts';

export type ApplyOutcome = 'applied' | 'unchanged' | 'unmatched' | 'invalid';

/** The rate of the moment a payment is first seen; null (payment held if it needs one) when none is fresh. */
export async function rateNow(deps: Deps, invoice: InvoiceRef): Promise<LockedRate | null> {
  if (invoice.currency === 'BTC' && invoice.asset === 'BTC') return identityRate(deps.clock.now());
  try {
    const rate = await deps.rates.rate(invoice.asset, invoice.currency);
    return { value: rate.value, sources: rate.sources, at: rate.at };
  } catch (error) {
    deps.log.warn({ err: error, invoiceId: invoice.id }, 'no rate for a newly seen payment; it will be held if it needs one');
    return null;
  }
}

function isLate(invoice: SettlementInvoice, now: Date): boolean {
  return FINAL_INVOICE_STATUSES.includes(invoice.status) || now >= invoice.expiresAt;
}

function validate(observation: Observation): string | null {
  if (observation.amountUnits < 0n) return 'negative amount';
  if (!Number.isInteger(observation.confirmations) || observation.confirmations < 0) return 'bad confirmation count';
  if (observation.paymentKey.length === 0 || observation.paymentKey.length > 200) return 'bad payment key';
  return null;
}

/** A payment's sequence number before it is stored: it sorts after every stored one. */
const UNSTORED_SEQ = Number.MAX_SAFE_INTEGER;

function newPayment(invoice: SettlementInvoice, o: Observation, rate: LockedRate | null, now: Date): Payment {
  return {
    seq: UNSTORED_SEQ, id: newPrefixedId('pay'), invoiceId: invoice.id, accountId: invoice.accountId, methodId: o.methodId,
    paymentKey: o.paymentKey, targetKey: o.targetKey, txid: o.txid, amountUnits: o.amountUnits, state: o.state,
    confirmations: o.confirmations, blockHash: o.blockHash ?? null, blockHeight: o.blockHeight ?? null, rbf: o.rbf === true,
    late: isLate(invoice, now), rate, creditedMinor: null, reversed: false, heldReason: null, firstSeenAt: now, updatedAt: now,
  };
}

function sameFacts(p: Payment, o: Observation): boolean {
  return p.state === o.state && p.confirmations === o.confirmations && p.blockHash === (o.blockHash ?? null)
    && p.blockHeight === (o.blockHeight ?? null) && p.rbf === (o.rbf === true);
}

async function applyInTx(deps: Deps, tx: StoreTx, invoiceId: string, o: Observation, rate: LockedRate | null): Promise<ApplyOutcome> {
  const now = deps.clock.now();
  const invoice = await tx.invoices.getForSettlement(invoiceId, true);
  if (!invoice) return 'unmatched';
  const rows = await tx.payments.forInvoiceOrKey(invoice.id, o.paymentKey);
  const existing = rows.find((p) => p.paymentKey === o.paymentKey) ?? null;
  const payments = rows.filter((p) => p.invoiceId === invoice.id);
  let changed: Payment;
  if (existing === null) {
    changed = newPayment(invoice, o, rate, now);
    payments.push(changed);
  } else {
    if (existing.invoiceId !== invoice.id || existing.amountUnits !== o.amountUnits) {
      deps.log.error({ paymentKey: o.paymentKey }, 'observation contradicts the stored payment (target or amount); ignored');
      return 'invalid';
    }
    if (sameFacts(existing, o)) return 'unchanged';
    changed = {
      ...existing, state: o.state, confirmations: o.confirmations, blockHash: o.blockHash ?? null,
      blockHeight: o.blockHeight ?? null, rbf: o.rbf === true, updatedAt: now,
    };
    payments[payments.indexOf(existing)] = changed;
  }
  // The payment is written once, by settling, in its final state (credited or not).
  await settleInvoice(deps, tx, invoice, payments, now, { paymentId: changed.id, isNew: existing === null });
  return 'applied';
}

interface Prepared {
  readonly invoiceId: string;
  readonly rate: LockedRate | null;
}

/** What an observation needs before its transaction (its invoice, the rate), or why it is not applied. */
async function prepare(deps: Deps, observation: Observation): Promise<Prepared | ApplyOutcome> {
  const problem = validate(observation);
  const method = deps.methods.get(observation.methodId);
  if (problem !== null || !method) {
    deps.log.error({ observation: { ...observation, amountUnits: observation.amountUnits.toString() }, problem: problem ?? 'unknown method' }, 'invalid observation ignored');
    return 'invalid';
  }
  // A payment of another asset to an address Coffer allocated (USDT sent to a USDC invoice) is
  // recorded on that invoice and held for the operator: never credited, never lost.
  const siblings = deps.methods.ids().filter((id) => deps.methods.get(id)!.adapter === method.adapter);
  const invoice = await deps.store.invoices.findByTarget(observation.methodId, observation.targetKey)
    ?? await deps.store.invoices.findByTargetKey(observation.targetKey, siblings);
  if (!invoice) {
    deps.log.error({ methodId: observation.methodId, targetKey: observation.targetKey, paymentKey: observation.paymentKey }, 'payment to a target Coffer never allocated');
    return 'unmatched';
  }
  // The rate is fetched before the transaction: no network call while rows are locked.
  const known = await deps.store.payments.seenRate(observation.paymentKey);
  const rate = known === null ? await rateNow(deps, invoice) : known.rate;
  return { invoiceId: invoice.id, rate };
}

export async function applyObservation(deps: Deps, observation: Observation): Promise<ApplyOutcome> {
  const prepared = await prepare(deps, observation);
  if (typeof prepared === 'string') return prepared;
  return deps.store.transaction((tx) => applyInTx(deps, tx, prepared.invoiceId, observation, prepared.rate));
}

/**
 * Applies `observations` in order in ONE transaction and then runs `then` in it too: the sandbox's
 * simulated payment commits together with the idempotent response that reports it, or not at all.
 */
export async function applyTogether<T>(deps: Deps, observations: readonly Observation[], then: (tx: StoreTx) => Promise<T>): Promise<T> {
  const prepared: Array<Prepared | ApplyOutcome> = [];
  for (const observation of observations) prepared.push(await prepare(deps, observation));
  return deps.store.transaction(async (tx) => {
    for (const [i, p] of prepared.entries()) {
      if (typeof p !== 'string') await applyInTx(deps, tx, p.invoiceId, observations[i]!, p.rate);
    }
    return then(tx);
  });
}

const APPLY_CONCURRENCY = 64;

/**
 * Applies a watcher's batch (a block's worth, say). Observations to one target — so of one
 * invoice, a reorg's or a replacement's included — are applied one after another in the order
 * given; those to different targets run side by side, up to 64 at a time, so that on SQLite they
 * share group commits instead of committing one by one. Each observation still commits on its
 * own. A failure ends its target's chain (nothing after it there may overtake it); the other
 * targets go on, and then the first error is thrown (applying is idempotent: the watcher delivers
 * the batch again).
 */
export async function applyObservations(deps: Deps, observations: readonly Observation[]): Promise<ApplyOutcome[]> {
  const outcomes: ApplyOutcome[] = new Array<ApplyOutcome>(observations.length);
  const byTarget = new Map<string, number[]>();
  observations.forEach((o, i) => {
    const chain = byTarget.get(o.targetKey);
    if (chain) chain.push(i);
    else byTarget.set(o.targetKey, [i]);
  });
  const chains = [...byTarget.values()];
  let next = 0;
  const failures: unknown[] = [];
  const run = async () => {
    for (let chain = chains[next++]; chain !== undefined; chain = chains[next++]) {
      try {
        for (const i of chain) outcomes[i] = await applyObservation(deps, observations[i]!);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(APPLY_CONCURRENCY, chains.length) }, run));
  if (failures.length > 0) throw failures[0];
  return outcomes;
}
