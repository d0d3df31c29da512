// POST /v2/sandbox/invoices/{id}/pay: simulate a payment. It becomes Observations (seen, then
// confirmed) applied by applyObservation, exactly like a watcher's, so the sandbox exercises the
// live settlement path. Sandbox mode only.

import type { Account } from '../core/account.ts';
import { CofferError } from '../core/errors.ts';
import type { Invoice, Payment } from '../core/invoice.ts';
import { parseDecimal, rescale, Rounding } from '../core/money.ts';
import type { Observation } from '../core/observation.ts';
import { createHash, randomBytes } from 'node:crypto';
import type { MethodSpec } from '../core/methods.ts';
import type { Deps } from './deps.ts';
import { applyTogether } from './apply-observations.ts';
import type { RecordResponse } from './idempotency.ts';
import { AdminLimits } from '../core/limits.ts';

export interface SandboxPayInput {
  /** Amount in the payment currency (e.g. BTC), exact decimal text; default: the quoted price. */
  readonly amount?: string | undefined;
  /** Confirmations to report; default: what the method requires. 0 leaves it detected. */
  readonly confirmations?: number | undefined;
  /** Re-observe an earlier sandbox payment (to add confirmations, or make it vanish). */
  readonly txid?: string | undefined;
  /** With txid: the payment vanishes (double-spent / reorged out). */
  readonly gone?: boolean | undefined;
  /** Pay through the invoice's companion target of this method (`lightning` on a bitcoin invoice). */
  readonly method?: string | undefined;
  /**
   * The request's idempotency key (with its scope): a new payment's txid is derived from it and
   * the invoice, so a retry of the same request can only ever find the same payment, never mint
   * a second one. Without it every call is a new payment.
   */
  readonly seed?: string | undefined;
}

export interface SandboxPayResult {
  readonly invoice: Invoice;
  readonly payments: readonly Payment[];
  readonly txid: string;
}


/**
 * A simulated payment's key in the method's natural form (txid:vout, payment hash, chain:tx:log,
 * solana:sig:ix): the rail's own sandbox says how (SimulateCapability), from a hash that is random,
 * or derived from the invoice and the idempotency key so a retried request finds the same payment.
 */
function sandboxPaymentKey(deps: Deps, spec: MethodSpec, targetKey: string, invoiceId: string, seed: string | undefined): { paymentKey: string; txid: string } {
  const simulate = deps.methods.get(spec.id)?.adapter.capabilities?.simulate;
  if (!simulate) throw new CofferError('invoice_not_payable', `payment method "${spec.id}" cannot simulate payments`);
  const hash = seed === undefined ? randomBytes(32).toString('hex')
    : createHash('sha256').update(`sandbox-pay\u0000${invoiceId}\u0000${targetKey}\u0000${seed}`).digest('hex');
  return simulate.payment(spec, targetKey, hash);
}

/**
 * Simulates the payment: its observations, the invoice as it then stands and (with `record`) the
 * idempotent response are one transaction, so a duplicate request never adds a second payment.
 */
export async function sandboxPay(deps: Deps, account: Account, invoiceId: string, input: SandboxPayInput, record?: RecordResponse<SandboxPayResult>): Promise<SandboxPayResult> {
  if (!deps.settings.sandbox) throw new CofferError('not_found', 'Not found');
  const invoice = await deps.store.invoices.get(invoiceId);
  if (!invoice || invoice.accountId !== account.id) throw new CofferError('not_found', 'No such invoice');
  const method = deps.methods.get(invoice.methodId);
  if (!method) throw new CofferError('invoice_not_payable', 'The invoice\'s payment method is no longer configured');
  const required = input.confirmations ?? invoice.confirmationsRequired;
  if (!Number.isInteger(required) || required < 0 || required > AdminLimits.sandboxConfirmationsMax) {
    throw new CofferError('invalid_param', `confirmations must be an integer from 0 to ${AdminLimits.sandboxConfirmationsMax}`, { field: 'confirmations' });
  }
  const base = await observationBase(deps, invoice, input);
  // A payment that settles at once (lightning) has no seen stage and counts as one confirmation.
  const atOnce = (deps.methods.get(base.methodId)?.spec ?? method.spec).settlesAtOnce === true;
  const observations: Observation[] = [];
  if (input.gone === true) {
    observations.push({ ...base, state: 'gone', confirmations: 0 });
  } else {
    if (!atOnce) observations.push({ ...base, state: 'seen', confirmations: 0 });
    if (required > 0) observations.push({ ...base, state: 'confirmed', confirmations: atOnce ? 1 : required });
  }
  return applyTogether(deps, observations, async (tx) => {
    const result = { invoice: (await tx.invoices.get(invoice.id))!, payments: await tx.payments.forInvoice(invoice.id), txid: base.txid };
    if (record) await record(tx, result);
    return result;
  });
}

async function observationBase(deps: Deps, invoice: Invoice, input: SandboxPayInput): Promise<Omit<Observation, 'state' | 'confirmations'>> {
  const spec = deps.methods.get(invoice.methodId)!.spec;
  if (input.txid !== undefined) {
    const payments = await deps.store.payments.forInvoice(invoice.id);
    const payment = payments.find((p) => p.txid === input.txid);
    if (!payment) throw new CofferError('not_found', 'No sandbox payment with that txid on this invoice');
    return { methodId: payment.methodId, targetKey: payment.targetKey, paymentKey: payment.paymentKey, amountUnits: payment.amountUnits, txid: payment.txid };
  }
  if (input.gone === true) throw new CofferError('missing_param', 'gone needs the txid of the payment that vanishes', { field: 'txid' });
  const { paySpec, targetKey } = await payThrough(deps, invoice, spec, input.method);
  const amountUnits = input.amount !== undefined ? parseDecimal(input.amount, paySpec.unitScale, 'amount')
    : invoice.priceUnits === null ? null : rescale(invoice.priceUnits, spec.unitScale, paySpec.unitScale, Rounding.up);
  if (amountUnits === null) throw new CofferError('missing_param', 'amount is required to pay a flexible invoice', { field: 'amount' });
  if (amountUnits <= 0n) throw new CofferError('invalid_param', 'amount must be greater than zero', { field: 'amount' });
  const { paymentKey, txid } = sandboxPaymentKey(deps, paySpec, targetKey, invoice.id, input.seed);
  return { methodId: paySpec.id, targetKey, paymentKey, amountUnits, txid };
}

/** The invoice's own target, or its companion target of `methodId` (amounts then in that method's unit). */
async function payThrough(deps: Deps, invoice: Invoice, spec: MethodSpec, methodId: string | undefined): Promise<{ paySpec: MethodSpec; targetKey: string }> {
  if (methodId === undefined || methodId === invoice.methodId) return { paySpec: spec, targetKey: invoice.targetKey };
  const companion = (await deps.store.invoices.companions(invoice.id)).find((c) => c.methodId === methodId);
  const paySpec = deps.methods.get(methodId)?.spec;
  if (!companion || !paySpec) {
    throw new CofferError('invalid_param', `this invoice cannot be paid with method "${methodId}"`, { field: 'method' });
  }
  return { paySpec, targetKey: companion.targetKey };
}
