// Hooks shared by the route groups: authentication, rate limits and idempotent POSTs.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { CofferError } from '../core/errors.ts';
import { checkIdempotencyKey, idempotencyRequest } from '../usecases/idempotency.ts';
import type { RecordResponse } from '../usecases/idempotency.ts';
import type { AppContext } from './app.ts';
import { writeJson } from '../core/json-writer.ts';

export function applyRateLimit(context: AppContext, key: string, reply: FastifyReply): void {
  if (!context.limiter.enabled) return;
  const decision = context.limiter.take(key);
  reply.header('X-RateLimit-Limit', decision.limit);
  reply.header('X-RateLimit-Remaining', decision.remaining);
  reply.header('X-RateLimit-Reset', decision.resetSeconds);
  // The IETF RateLimit header fields draft (draft-ietf-httpapi-ratelimit-headers-06 §3): reset is in
  // seconds from now. Third-party clients pace themselves on these names.
  reply.header('RateLimit-Limit', decision.limit);
  reply.header('RateLimit-Remaining', decision.remaining);
  reply.header('RateLimit-Reset', decision.resetInSeconds);
  if (!decision.allowed) {
    reply.header('Retry-After', decision.retryAfterSeconds);
    throw new CofferError('rate_limited', `Too many requests; retry after ${decision.retryAfterSeconds} s`);
  }
}

/** onRequest hook: rate-limits by client address until authenticated, then by credential. */
export function authenticated(context: AppContext) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    let principal;
    try {
      principal = await context.auth.principal(request.headers.authorization);
    } catch (error) {
      applyRateLimit(context, `ip:${request.ip}`, reply);
      throw error;
    }
    request.principal = principal;
    applyRateLimit(context, `cred:${principal.credential.id}`, reply);
  };
}

export interface IdempotentRun<T> {
  /**
   * Runs the effect. `record`, when given, must be called inside the effect's own transaction
   * with its result (that is what makes a duplicate roll back whole); `key` is the request's
   * idempotency key with its scope, for effects that derive identifiers from it.
   */
  readonly run: (record: RecordResponse<T> | undefined, key: string | undefined) => Promise<T>;
  readonly render: (result: T) => { status: number; body: unknown };
  /** The status of a replayed response when it differs from the first one's (a replayed charge is a 200). */
  readonly replayStatus?: number;
}

function replay(reply: FastifyReply, stored: { status: number; body: string }, status = stored.status): FastifyReply {
  return reply.status(status).header('Idempotent-Replayed', 'true').type('application/json').serializer((x) => x as string).send(stored.body);
}

/** The request's Idempotency-Key, checked (empty, too long or not printable ASCII → 400), or undefined. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const header = request.headers['idempotency-key'];
  if (header === undefined) return undefined;
  return checkIdempotencyKey(Array.isArray(header) ? header.join(', ') : header);
}

/**
 * Executes a POST with Idempotency-Key semantics (API.md) — the path every API POST route takes
 * (usecases/idempotency.ts runOnce, which the website's forms share). Without the header it just
 * runs. With it: a stored response is replayed, a different body is a 422, a concurrent duplicate
 * in this process is a 409, and across processes the key's primary key lets only one effect
 * commit (the other's insert waits for it, then its transaction rolls back and the winner's
 * response is replayed).
 */
export async function idempotent<T>(context: AppContext, scope: string, request: FastifyRequest, reply: FastifyReply, work: IdempotentRun<T>): Promise<FastifyReply> {
  const key = idempotencyKeyOf(request);
  if (key === undefined) {
    const response = work.render(await work.run(undefined, undefined));
    return reply.status(response.status).send(response.body);
  }
  const idem = idempotencyRequest(scope, key, request.method, request.url, request.rawBody ?? '');
  const outcome = await context.useCases.runOnce(context.inFlight, idem, work.run, (result) => {
    const response = work.render(result);
    return { status: response.status, body: writeJson(response.body) };
  });
  if (outcome.replayed) return replay(reply, outcome.stored, work.replayStatus);
  const response = work.render(outcome.result);
  return reply.status(response.status).send(response.body);
}
