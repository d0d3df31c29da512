// What a call returns: the envelope's `data` in its exact view (amounts as decimal strings,
// the wire's field names), with the response's facts attached as a non-enumerable
// `lastResponse` (stripe-node's habit), so the result itself stays a plain data object.

import type { JsonValue } from './exact-json.ts';
import { CofferInvalidResponseError } from './errors.ts';
import type { ApiResponse } from './transport.ts';
import { exactValue, plainValue } from './wire-values.ts';

/** The envelope's `meta` (Bitrefill's): the endpoint, and id / paging facts where they apply. */
export interface ResponseMeta {
  readonly _endpoint: string;
  readonly id?: string;
  readonly _next?: string;
  readonly start?: number;
  readonly limit?: number;
  /** Sandbox payments: the simulated payment's id, to confirm it later or make it vanish. */
  readonly txid?: string;
  readonly [key: string]: unknown;
}

export interface ResponseInfo {
  readonly status: number;
  /** X-Request-Id: quote it to the operator. */
  readonly requestId: string | null;
  readonly meta: ResponseMeta;
  readonly headers: Readonly<Record<string, string>>;
  /** The Idempotency-Key the call sent (POSTs), to log beside your own record. */
  readonly idempotencyKey: string | null;
  /** The server answered from its idempotency store: the effect had already happened once. */
  readonly replayed: boolean;
  /** Attempts made, 1 when the first one answered. */
  readonly attempts: number;
  /**
   * The whole envelope as JSON.parse reads it: Bitrefill's wire shape with amounts as JS
   * numbers, for code ported from a Bitrefill client. Amounts here can be rounded; read them
   * from the typed result instead.
   */
  readonly raw: unknown;
}

export type Result<T> = T & { readonly lastResponse: ResponseInfo };

export function responseInfo(response: ApiResponse): ResponseInfo {
  const meta = exactValue(response.envelope['meta'] ?? null);
  return {
    status: response.status, requestId: response.requestId, headers: response.headers,
    meta: (typeof meta === 'object' && meta !== null ? meta : { _endpoint: '' }) as ResponseMeta,
    idempotencyKey: response.idempotencyKey, replayed: response.headers['idempotent-replayed'] === 'true',
    attempts: response.attempts, raw: plainValue(response.envelope),
  };
}

/** The exact view of `data`, checked to be an object (or an array when `list`). */
export function dataOf(response: ApiResponse, list: boolean): unknown {
  const data = exactValue(response.envelope['data'] as JsonValue);
  const shapeOk = list ? Array.isArray(data) : typeof data === 'object' && data !== null && !Array.isArray(data);
  if (!shapeOk) throw new CofferInvalidResponseError(`expected data to be ${list ? 'an array' : 'an object'}`, response.status, response.requestId);
  return data;
}

/** Attaches `lastResponse` without making it part of the data (JSON.stringify and deepEqual ignore it). */
export function withResponse<T extends object>(data: T, info: ResponseInfo): Result<T> {
  Object.defineProperty(data, 'lastResponse', { value: info, enumerable: false, writable: false, configurable: false });
  return data as Result<T>;
}

/** The usual path: an object result, typed by the caller (the server's schemas fix the shape). */
export function objectResult<T extends object>(response: ApiResponse, override: Partial<ResponseInfo> = {}): Result<T> {
  return withResponse(dataOf(response, false) as T, { ...responseInfo(response), ...override });
}
