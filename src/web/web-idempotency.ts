// Website forms that create something (an API key, a deposit) run through the same idempotent
// execution as the API's POSTs (usecases/idempotency.ts runOnce): the form carries a hidden
// `idempotency_key` made when it was rendered (forms.ts idempotencyField), and the key, a hash
// of the form and what the page shows are stored in the effect's own transaction. Submitting the
// same rendered form again — a double click, a retry after a lost answer — shows the first
// outcome instead of creating a second one. A form without the field (a script) just runs.

import type { FastifyRequest } from 'fastify';
import { CofferError } from '../core/errors.ts';
import { checkIdempotencyKey, idempotencyRequest } from '../usecases/idempotency.ts';
import type { RecordResponse } from '../usecases/idempotency.ts';
import { field } from './forms.ts';
import type { WebRuntime } from './web-runtime.ts';
import { WebLimits } from '../core/limits.ts';

const KEY_FIELD = 'idempotency_key';
/** The form's fields in a stable order, without the key itself and the CSRF token (per session). */
function canonicalForm(body: unknown): string {
  const fields = body !== null && typeof body === 'object' ? Object.entries(body as Record<string, unknown>) : [];
  return JSON.stringify(fields.filter(([name]) => name !== KEY_FIELD && name !== '_csrf').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Runs `run` once per (account, form key); returns the JSON-able view of the outcome, the first
 * one's when this is a repeat. `run` must call `record` inside its transaction when given it.
 */
export async function formOnce<T, V>(web: Pick<WebRuntime, 'useCases'> & { readonly context: Pick<WebRuntime['context'], 'inFlight'> }, request: FastifyRequest, accountId: string,
  run: (record: RecordResponse<T> | undefined) => Promise<T>, view: (result: T) => V): Promise<V> {
  const key = field(request.body, KEY_FIELD);
  if (key === '') return view(await run(undefined));
  const idem = idempotencyRequest(`web:${accountId}`, checkIdempotencyKey(key, KEY_FIELD), request.method, request.url, canonicalForm(request.body));
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await web.useCases.runOnce<T>(web.context.inFlight, idem, (record) => run(record), (result) => ({ status: 200, body: JSON.stringify(view(result)) }));
      return outcome.replayed ? (JSON.parse(outcome.stored.body) as V) : view(outcome.result);
    } catch (error) {
      // A double click's second submit arrives while the first runs here: a browser shows the
      // last answer, so wait for the first's outcome instead of answering 409.
      if (!(error instanceof CofferError && error.code === 'idempotency_key_in_use') || attempt >= WebLimits.inFlightWaitsMax) throw error;
      await new Promise((resolve) => setTimeout(resolve, WebLimits.inFlightWaitMs));
    }
  }
}
