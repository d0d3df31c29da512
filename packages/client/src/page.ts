// Bitrefill's offset paging: `start` and `limit` (1..50), optional `after` (inclusive) and
// `before` (exclusive) times, and `meta._next`, the absolute URL of the next page, absent on
// the last. A Page follows `_next` by reading its query and asking the configured base URL for
// it, so credentials never go to a host other than the one configured (a proxy that is not set
// up to forward the scheme and host makes `_next` say http:// or an internal name).

import { CofferInputError, CofferInvalidResponseError } from './errors.ts';
import { ClientLimits } from './limits.ts';
import type { ResponseInfo } from './response.ts';

export interface PageParams {
  /** Offset of the first item, 0..100000. */
  readonly start?: number;
  /** Items per page, 1..50 (the server's default is 50). */
  readonly limit?: number;
  /** Only items created at or after this time (a Date, or 'YYYY-MM-DD HH:MM:SS' in UTC). */
  readonly after?: Date | string;
  /** Only items created before this time. Fixing it keeps a long walk from seeing new items. */
  readonly before?: Date | string;
}

export type PageQuery = Readonly<Record<string, string | undefined>>;
export type PageLoader<T extends { readonly id: string }> = (query: PageQuery) => Promise<Page<T>>;

const TIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const PAGE_KEYS = ['start', 'limit', 'after', 'before'] as const;

export function pageQuery(params: PageParams = {}): PageQuery {
  return {
    start: params.start === undefined ? undefined : String(boundedInt(params.start, 0, ClientLimits.pageStartMax, 'start')),
    limit: params.limit === undefined ? undefined : String(boundedInt(params.limit, 1, ClientLimits.pageLimitMax, 'limit')),
    after: params.after === undefined ? undefined : timeText(params.after, 'after'),
    before: params.before === undefined ? undefined : timeText(params.before, 'before'),
  };
}

export class Page<T extends { readonly id: string }> implements AsyncIterable<T> {
  readonly data: readonly T[];
  readonly start: number;
  readonly limit: number;
  /** meta._next as the server sent it; null on the last page. */
  readonly next: string | null;
  readonly lastResponse: ResponseInfo;
  readonly #load: PageLoader<T>;

  constructor(data: readonly T[], info: ResponseInfo, load: PageLoader<T>) {
    this.data = data;
    this.lastResponse = info;
    this.start = typeof info.meta.start === 'number' ? info.meta.start : 0;
    this.limit = typeof info.meta.limit === 'number' ? info.meta.limit : data.length;
    this.next = typeof info.meta._next === 'string' ? info.meta._next : null;
    this.#load = load;
  }

  hasNextPage(): boolean {
    return this.next !== null;
  }

  /** The page `_next` points to, or null on the last page. */
  async nextPage(): Promise<Page<T> | null> {
    if (this.next === null) return null;
    const query = nextQuery(this.next, this.lastResponse);
    // An offset that does not move forward would loop forever; refuse it rather than spin.
    if (Number(query['start']) <= this.start) {
      throw new CofferInvalidResponseError(`meta._next does not advance past start=${this.start}`, this.lastResponse.status, this.lastResponse.requestId);
    }
    return this.#load(query);
  }

  /**
   * Every item from this page on, fetching pages as needed. Offset paging shifts when items are
   * created during the walk; an item already yielded is not yielded again.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const seen = new Set<string>();
    let page: Page<T> | null = this;
    while (page !== null) {
      for (const item of page.data) {
        if (seen.has(item.id)) continue;
        seen.add(item.id);
        yield item;
      }
      page = await page.nextPage();
    }
  }
}

function nextQuery(next: string, info: ResponseInfo): PageQuery {
  let url: URL;
  try {
    url = new URL(next);
  } catch {
    throw new CofferInvalidResponseError(`meta._next is not a URL: ${next}`, info.status, info.requestId);
  }
  const query: Record<string, string | undefined> = {};
  for (const key of PAGE_KEYS) query[key] = url.searchParams.get(key) ?? undefined;
  if (!/^\d+$/.test(query['start'] ?? '')) throw new CofferInvalidResponseError(`meta._next has no start: ${next}`, info.status, info.requestId);
  return query;
}

function timeText(value: Date | string, field: string): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new CofferInputError(`${field} is an invalid Date`, field);
    return value.toISOString().slice(0, 19).replace('T', ' ');
  }
  if (!TIME_RE.test(value)) throw new CofferInputError(`${field} must be a Date or 'YYYY-MM-DD HH:MM:SS' (UTC)`, field);
  return value;
}

function boundedInt(value: number, min: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new CofferInputError(`${field} must be an integer from ${min} to ${max}`, field);
  return value;
}
