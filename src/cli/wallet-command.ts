// `coffer wallet status [--json]`: which derivation index is the highest handed out and the
// highest paid, per HD wallet, so the external wallet holding the keys can be given a gap limit
// that covers every address Coffer issued. Exit status 1 when a wallet's gap limit is exceeded.

import type { UseCases } from '../usecases/use-cases.ts';
import type { WalletReport } from '../usecases/wallet-status.ts';
import { output, parse, UsageError } from './args.ts';

const index = (value: number | null): string => (value === null ? 'none' : String(value));

function walletText(w: WalletReport): string {
  const lines = [
    `${w.methodIds.join(',')} wallet ${w.walletId} (fingerprint ${w.fingerprint})`,
    `  highest issued index:   ${index(w.highestIssuedIndex)}`,
    `  highest paid index:     ${index(w.highestPaidIndex)}`,
    `  unpaid since last paid: ${w.unpaidSinceLastPaid} (gap limit ${w.gapLimit})`,
  ];
  if (w.gapExceeded) {
    lines.push(`  WARNING: more unpaid addresses than the gap limit; set the external wallet's gap limit to at least ${w.unpaidSinceLastPaid} or it may not see later payments`);
  }
  return lines.join('\n');
}

export async function walletCommand(useCases: UseCases, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values } = parse(rest, {});
  if (sub !== 'status') throw new UsageError('usage: coffer wallet status [--json]');
  const report = await useCases.walletStatus();
  const text = [
    ...(report.wallets.length === 0 ? ['no HD wallet method (bitcoin) is configured'] : report.wallets.map(walletText)),
    'derivation indexes (next to hand out):',
    ...(report.derivationIndexes.length === 0 ? ['  none yet'] : report.derivationIndexes.map((d) => `  ${d.walletId}: ${d.nextIndex}`)),
  ].join('\n');
  output(values.json === true, report, text);
  return report.wallets.some((w) => w.gapExceeded) ? 1 : 0;
}
