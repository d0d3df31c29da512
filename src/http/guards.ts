// Hooks shared by the route groups: authentication, rate limits and idempotent POSTs.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { CofferError } from '../core/errors.ts';
import type { StoreTx } from '../storage/store.ts';
import { idempotencyRequest, recordResponse, storedResponse } from '../usecases/idempotency.ts';
import type { IdempotencyRequest, RecordResponse } from '../usecases/idempotency.ts';
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
  /** Runs the effect; `record` must be called inside the effect's transaction when given. */
  readonly run: (record: RecordResponse<T> | undefined) => Promise<T>;
  readonly render: (result: T) => { status: number; body: unknown };
}

function replay(reply: FastifyReply, stored: { status: number; body: string }): FastifyReply {
  return reply.status(stored.status).header('Idempotent-Replayed', 'true').type('application/json').serializer((x) => x as string).send(stored.body);
}

/**
 * Executes a POST with Idempotency-Key semantics (API.md). Without the header it just runs.
 * With it: a stored response is replayed, a different body is a 422, a concurrent duplicate
 * in this process is a 409, and across processes the unique key lets only one effect commit.
 */
export async function idempotent<T>(context: AppContext, scope: string, request: FastifyRequest, reply: FastifyReply, work: IdempotentRun<T>): Promise<FastifyReply> {
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    const response = work.render(await work.run(undefined));
    return reply.status(response.status).send(response.body);
  }
  const idem: IdempotencyRequest = idempotencyRequest(scope, String(header), request.method, request.url, request.rawBody ?? '');
  const stored = await storedResponse(context.deps, idem);
  if (stored) return replay(reply, stored);
  const flight = `${idem.scope}\u0000${idem.key}`;
  if (context.inFlight.has(flight)) throw new CofferError('idempotency_key_in_use', 'A request with this Idempotency-Key is already being processed');
  context.inFlight.add(flight);
  try {
    const record = async (tx: StoreTx, result: T) => {
      const response = work.render(result);
      await recordResponse(tx, idem, { status: response.status, body: writeJson(response.body) }, context.deps.clock.now());
    };
    const response = work.render(await work.run(record));
    return reply.status(response.status).send(response.body);
  } catch (error) {
    if (error instanceof CofferError && error.code === 'idempotency_key_in_use') {
      const winner = await storedResponse(context.deps, idem);
      if (winner) return replay(reply, winner);
    }
    throw error;
  } finally {
    context.inFlight.delete(flight);
  }
}

/** For effects that are not one transaction: record the response after the fact. */
export function recordAfter<T>(context: AppContext, run: () => Promise<T>): (record: RecordResponse<T> | undefined) => Promise<T> {
  return async (record) => {
    const result = await run();
    if (record) await context.deps.store.transaction((tx) => record(tx, result));
    return result;
  };
}
