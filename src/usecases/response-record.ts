// The hook that writes an idempotent request's response inside the effect's own transaction
// (idempotency.ts runOnce). http, web and the console receive one from runOnce and hand it to a
// use case; they can neither make one nor call one usefully: it takes the transaction, which they
// never see, and only this module seals a function into one. The import rules keep the outer
// layers out of this module, as out of deps.ts (test/import-rules.test.ts), so a RecordResponse is
// not a way for them to reach the Store.

import type { StoreTx } from '../storage/store.ts';

declare const sealed: unique symbol;

export type RecordResponse<T> = ((tx: StoreTx, result: T) => Promise<void>) & { readonly [sealed]: true };

/** Only runOnce and the use cases that wrap a hook (operator-audit.ts audited) make one. */
export function sealRecord<T>(write: (tx: StoreTx, result: T) => Promise<void>): RecordResponse<T> {
  // The brand exists only in the type: it marks who may make the hook, nothing at run time.
  return write as RecordResponse<T>;
}
