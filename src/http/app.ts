// Builds the Fastify app: /v2 customer API, /admin operator API, health and metrics. Listening
// is main's job; tests use inject(). One error handler maps every failure to Bitrefill's error
// envelope and hides internals on 5xx.

import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CofferError, isCofferError } from '../core/errors.ts';
import { Limits } from '../core/limits.ts';
import type { UseCases } from '../usecases/use-cases.ts';
import { AuthCache } from './auth.ts';
import { registerJsonParser } from './body-parser.ts';
import { installValidators } from './exact-decimal.ts';
import { installEdgeChecks } from './edge-input.ts';
import { errorBody, pathOf } from './envelope.ts';
import { writeJson } from '../core/json-writer.ts';
import { HttpMetrics } from './metrics.ts';
import { RateLimiter } from './rate-limit.ts';
import { adminRoutes } from './admin-routes.ts';
import { opsRoutes } from './ops-routes.ts';
import { v2Routes } from './v2-routes.ts';
import { collectOpenApi } from './openapi.ts';
import { idempotencyKeyOf } from './guards.ts';
import type { CollectedRoute } from './openapi.ts';

export interface AppOptions {
  readonly adminToken: string | null;
  /** Requests per minute per credential; 0 turns limiting off. */
  readonly rateLimitPerMinute: number;
  readonly logLevel: string;
  readonly trustProxy?: boolean;
  /**
   * Base of every absolute URL Coffer writes (meta._next): COFFER_PUBLIC_URL, without a trailing
   * slash. Never taken from the request's Host header. Default: http://127.0.0.1:3000.
   */
  readonly publicUrl?: string;
  /** Extra encapsulated plugins to mount (the website), given the app context. */
  readonly plugins?: ReadonlyArray<(app: FastifyInstance, context: AppContext) => Promise<void>>;
}

export interface AppContext {
  readonly useCases: UseCases;
  readonly options: AppOptions;
  readonly auth: AuthCache;
  readonly limiter: RateLimiter;
  readonly metrics: HttpMetrics;
  /** Idempotency keys being processed by this process (concurrent duplicates get 409). */
  readonly inFlight: Set<string>;
  /** /v2 routes with their schemas, for the OpenAPI document. */
  readonly routes: CollectedRoute[];
}

const REQUEST_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

// Request ids: a random per-process prefix and a counter, unique across processes and restarts
// without drawing random bytes on every request.
const requestIdPrefix = randomBytes(6).toString('hex');
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `req_${requestIdPrefix}${requestCounter.toString(16).padStart(8, '0')}`;
}

function mapError(error: FastifyError | CofferError | Error): CofferError {
  if (isCofferError(error)) return error;
  const fe = error as FastifyError;
  if (fe.validation) {
    const first = fe.validation[0];
    const field = String(first?.params?.['missingProperty'] ?? first?.instancePath?.replace(/^\//, '') ?? '');
    if (first?.keyword === 'required') return new CofferError('missing_param', `Missing required parameter: ${field}`, { field });
    return new CofferError('invalid_param', `Invalid parameter${field ? ` ${field}` : ''}: ${first?.message ?? 'bad value'}`, { field });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return new CofferError('body_too_large', `The request body is larger than ${Limits.httpBodyBytesMax} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return new CofferError('unsupported_media_type', 'Send the request body as application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH': return new CofferError('parse_error', 'The request body is not valid JSON');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new CofferError('invalid_param', 'The request could not be understood');
  }
  return new CofferError('internal_error', 'Something went wrong on our side; the request can be retried');
}

const PATH_SECRET_RE = /\/reset-password\/[^/?#]+/g;

/** A URL as logs may show it: one-time tokens in the path replaced by "[redacted]". */
export function redactPathSecrets(url: string): string {
  return url.replace(PATH_SECRET_RE, '/reset-password/[redacted]');
}

export async function buildApp(useCases: UseCases, options: AppOptions): Promise<{ app: FastifyInstance; context: AppContext }> {
  const app = Fastify({
    // Request lines are logged without secrets that travel in a path (the website's one-time
    // password-reset links); the rest is Fastify's default request serializer.
    logger: {
      level: options.logLevel,
      serializers: {
        req: (request: { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
          method: request.method, url: redactPathSecrets(request.url), host: request.host, remoteAddress: request.ip, remotePort: request.socket?.remotePort,
        }),
      },
    },
    trustProxy: options.trustProxy ?? false,
    bodyLimit: Limits.httpBodyBytesMax,
    requestIdHeader: 'x-request-id',
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : nextRequestId();
    },
  });
  const context: AppContext = {
    useCases, options, metrics: new HttpMetrics(), inFlight: new Set(), routes: collectOpenApi(app),
    auth: new AuthCache((scheme, id, secret) => useCases.authenticate(scheme, id, secret), useCases.clock),
    limiter: new RateLimiter(options.rateLimitPerMinute, useCases.clock),
  };
  registerJsonParser(app);
  installEdgeChecks(app);
  installValidators(app);
  // Responses carry exact numbers (JsonDecimal); the schemas document and test them.
  app.setSerializerCompiler(() => (data) => writeJson(data));
  app.setReplySerializer((payload) => writeJson(payload));

  // Callback-style hooks: on every request, without a promise each.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  // Every POST's Idempotency-Key is checked before anything else runs (empty or too long → 400).
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.method !== 'POST' || request.headers['idempotency-key'] === undefined) return done();
    try {
      idempotencyKeyOf(request);
      done();
    } catch (error) {
      done(error as Error);
    }
  });
  app.addHook('onResponse', (request, reply, done) => {
    context.metrics.observe(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime);
    done();
  });
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const mapped = mapError(error);
    if (mapped.status >= 500 && mapped.code === 'internal_error') request.log.error({ err: error }, 'request failed');
    if (mapped.code === 'rate_limited' && mapped.details['retryAfter']) reply.header('Retry-After', mapped.details['retryAfter']);
    return reply.status(mapped.status).send(errorBody(request, mapped.code, mapped.message));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorBody(request, 'not_found', `No route for ${request.method} ${pathOf(request.url)}`)));

  await app.register(async (v2) => v2Routes(v2, context), { prefix: '/v2' });
  await app.register(async (admin) => adminRoutes(admin, context), { prefix: '/admin' });
  await app.register(async (ops) => opsRoutes(ops, context));
  for (const plugin of options.plugins ?? []) await app.register(async (scope) => plugin(scope, context));
  return { app, context };
}
