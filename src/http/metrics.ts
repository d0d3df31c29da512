// A small Prometheus registry: request counts and latency per route and status. Gauges that
// live in the database (invoices by status) are read at scrape time by the ops route.

const BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000] as const;
const SERIES_MAX = 2000;

export class HttpMetrics {
  readonly #requests = new Map<string, number>();
  readonly #durations = new Map<string, { counts: number[]; sum: number; count: number }>();

  observe(method: string, route: string, status: number, durationMs: number): void {
    const key = `method="${method}",route="${route}",status="${status}"`;
    if (!this.#requests.has(key) && this.#requests.size >= SERIES_MAX) return;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
    const routeKey = `method="${method}",route="${route}"`;
    let histogram = this.#durations.get(routeKey);
    if (!histogram) {
      histogram = { counts: BUCKETS_MS.map(() => 0), sum: 0, count: 0 };
      this.#durations.set(routeKey, histogram);
    }
    BUCKETS_MS.forEach((bound, i) => { if (durationMs <= bound) histogram!.counts[i]!++; });
    histogram.sum += durationMs;
    histogram.count++;
  }

  render(): string {
    const lines = ['# HELP coffer_http_requests_total HTTP requests by route and status.', '# TYPE coffer_http_requests_total counter'];
    for (const [labels, value] of this.#requests) lines.push(`coffer_http_requests_total{${labels}} ${value}`);
    lines.push('# HELP coffer_http_request_duration_ms HTTP request latency.', '# TYPE coffer_http_request_duration_ms histogram');
    for (const [labels, h] of this.#durations) {
      BUCKETS_MS.forEach((bound, i) => lines.push(`coffer_http_request_duration_ms_bucket{${labels},le="${bound}"} ${h.counts[i]}`));
      lines.push(`coffer_http_request_duration_ms_bucket{${labels},le="+Inf"} ${h.count}`);
      lines.push(`coffer_http_request_duration_ms_sum{${labels}} ${h.sum}`, `coffer_http_request_duration_ms_count{${labels}} ${h.count}`);
    }
    return lines.join('\n') + '\n';
  }
}
