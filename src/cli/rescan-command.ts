// `coffer rescan --from <height> [--method bitcoin|usdt_trc20] [--only-reset] [--json]`: rewinds the chain
// watcher to a height and (unless --only-reset) runs it here to the node's tip with a progress
// bar; payments found are credited through settlement like any other, never twice.

import type { UseCases } from '../usecases/use-cases.ts';
import { output, parse, progress, UsageError, wholeNumberFlag } from './args.ts';

export async function rescanCommand(useCases: UseCases, args: readonly string[]): Promise<number> {
  const { values } = parse(args, { from: { type: 'string' }, method: { type: 'string' }, 'only-reset': { type: 'boolean' } });
  const fromHeight = wholeNumberFlag(values, 'from');
  if (fromHeight === undefined) throw new UsageError('--from is required');
  const onlyReset = values['only-reset'] === true;
  const bar = progress('rescanning blocks');
  const result = await useCases.rescan({
    methodId: (values.method as string | undefined) ?? 'bitcoin', fromHeight, run: !onlyReset, onProgress: bar,
  });
  if (process.stderr.isTTY && !onlyReset) process.stderr.write('\n');
  output(values.json === true, result, result.reachedHeight === null
    ? `${result.watcher} rewound to height ${result.fromHeight}; it rescans to ${result.tipHeight} when the watcher next starts`
    : `${result.watcher} rescanned blocks ${result.fromHeight}..${result.reachedHeight}`);
  return 0;
}
