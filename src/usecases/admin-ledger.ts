// The ledger for the operator: `verify` (verify-ledger.ts) and the transfers as CSV for an
// accountant. The export is a pull stream: each page of transfers is read only when the reader
// (the HTTP response, through its backpressure) wants more, so memory stays bounded by one page
// whatever the ledger's size; it reads one consistent view (Store.snapshotStream).
//
// CSV per RFC 4180 (comma separated, CRLF line ends, fields with a comma, quote or line break
// quoted with inner quotes doubled). Text cells that a spreadsheet would run as a formula (=, +,
// -, @, tab, CR) are prefixed with an apostrophe (OWASP "CSV Injection"); amounts are exact
// decimals in the currency's own unit and are never prefixed.

import { LedgerCurrencyScale } from '../core/ledger.ts';
import type { PostedTransfer } from '../core/ledger.ts';
import { formatDecimal } from '../core/money.ts';
import type { Deps } from './deps.ts';
import { verifyLedger } from './verify-ledger.ts';
import type { LedgerReport } from './verify-ledger.ts';
import { AdminLimits } from '../core/limits.ts';


export const CSV_HEADER = ['seq', 'created_at', 'id', 'kind', 'currency', 'amount', 'debit_account', 'credit_account',
  'account_id', 'invoice_id', 'payment_id', 'charge_id', 'reverses_id', 'description'] as const;

export function runLedgerVerify(deps: Pick<Deps, 'store'>): Promise<LedgerReport> {
  return verifyLedger(deps.store);
}

function textCell(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvRow(t: PostedTransfer): string {
  const scale = LedgerCurrencyScale[t.currency];
  return [String(t.seq), t.createdAt.toISOString(), textCell(t.id), t.kind, t.currency, formatDecimal(t.amount, scale), textCell(t.debitAccount),
    textCell(t.creditAccount), textCell(t.accountId), textCell(t.invoiceId), textCell(t.paymentId), textCell(t.chargeId), textCell(t.reversesId),
    textCell(t.description)].join(',') + '\r\n';
}

/** The export, one chunk (a header, then a page of rows) per step. */
export function transfersCsv(deps: Pick<Deps, 'store'>, pageRows = AdminLimits.ledgerCsvPageRows): AsyncGenerator<string> {
  return deps.store.snapshotStream(async function* (tx) {
    yield CSV_HEADER.join(',') + '\r\n';
    const upto = await tx.ledger.maxTransferSeq();
    let after = 0;
    for (;;) {
      const page = await tx.ledger.transfersBetween(after, upto, pageRows);
      if (page.length === 0) return;
      yield page.map(csvRow).join('');
      after = page.at(-1)!.seq;
    }
  });
}
