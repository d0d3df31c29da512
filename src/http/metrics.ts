// A small Prometheus registry: request counts and latency per route and status. Gauges that
// live in the database (invoices by status) are read at scrape time by the ops route.

import { Limits } from '../core/limits.ts';

const BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000] as const;

interface RouteSeries {
  readonly labels: string;
  readonly byStatus: Map<number, number>;
  readonly counts: number[];
  sum: number;
  count: number;
}

export class HttpMetrics {
  /** method → route → series; label text is built once per series, not per request. */
  readonly #series = new Map<string, Map<string, RouteSeries>>();
  #size = 0;

  observe(method: string, route: string, status: number, durationMs: number): void {
    let routes = this.#series.get(method);
    if (!routes) {
      routes = new Map();
      this.#series.set(method, routes);
    }
    let series = routes.get(route);
    if (!series) {
      if (this.#size >= Limits.metricsSeriesMax) return;
      series = { labels: `method="${method}",route="${route}"`, byStatus: new Map(), counts: BUCKETS_MS.map(() => 0), sum: 0, count: 0 };
      routes.set(route, series);
      this.#size++;
    }
    const count = series.byStatus.get(status);
    if (count === undefined) {
      if (this.#size >= Limits.metricsSeriesMax) return;
      this.#size++;
    }
    series.byStatus.set(status, (count ?? 0) + 1);
    for (let i = BUCKETS_MS.length - 1; i >= 0 && durationMs <= BUCKETS_MS[i]!; i--) series.counts[i]!++;
    series.sum += durationMs;
    series.count++;
  }

  render(): string {
    const lines = ['# HELP coffer_http_requests_total HTTP requests by route and status.', '# TYPE coffer_http_requests_total counter'];
    const all = [...this.#series.values()].flatMap((routes) => [...routes.values()]);
    for (const series of all) {
      for (const [status, value] of series.byStatus) lines.push(`coffer_http_requests_total{${series.labels},status="${status}"} ${value}`);
    }
    lines.push('# HELP coffer_http_request_duration_ms HTTP request latency.', '# TYPE coffer_http_request_duration_ms histogram');
    for (const h of all) {
      const labels = h.labels;
      BUCKETS_MS.forEach((bound, i) => lines.push(`coffer_http_request_duration_ms_bucket{${labels},le="${bound}"} ${h.counts[i]}`));
      lines.push(`coffer_http_request_duration_ms_bucket{${labels},le="+Inf"} ${h.count}`);
      lines.push(`coffer_http_request_duration_ms_sum{${labels}} ${h.sum}`, `coffer_http_request_duration_ms_count{${labels}} ${h.count}`);
    }
    return lines.join('\n') + '\n';
  }
}
