// A small inline SVG bar chart (no script, no library): money received per day, bars stacked by
// method, one chart per ledger currency. Bar heights are computed in bigint and only the pixel
// count becomes a number; the exact amounts are in the table beside the chart.

import type { LedgerCurrency } from '../../core/ledger.ts';
import { LedgerCurrencyScale } from '../../core/ledger.ts';
import { formatDecimal } from '../../core/money.ts';
import type { ReceivedDay } from '../../usecases/admin-overview.ts';
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';

const WIDTH = 560;
const HEIGHT = 160;
const PAD_BOTTOM = 20;
const COLOURS = ['#0b57a4', '#c77700', '#0f6b2f', '#a1121b', '#6b3fa0', '#4a4a4a'] as const;

export function receivedChart(currency: LedgerCurrency, days: readonly string[], rows: readonly ReceivedDay[], methods: readonly string[]): SafeHtml {
  const totals = days.map((day) => rows.filter((r) => r.day === day && r.currency === currency).reduce((s, r) => s + r.amountMinor, 0n));
  const max = totals.reduce((a, b) => (b > a ? b : a), 0n);
  const slot = Math.floor(WIDTH / days.length);
  const plot = BigInt(HEIGHT - PAD_BOTTOM);
  const bars = days.map((day, i) => {
    let y = HEIGHT - PAD_BOTTOM;
    return methods.map((method) => {
      const amount = rows.find((r) => r.day === day && r.currency === currency && r.methodId === method)?.amountMinor ?? 0n;
      if (amount === 0n || max === 0n) return html``;
      const h = Math.max(1, Number((amount * plot) / max));
      y -= h;
      const colour = COLOURS[methods.indexOf(method) % COLOURS.length]!;
      return html`<rect x="${i * slot + 4}" y="${y}" width="${slot - 8}" height="${h}" fill="${colour}"><title>${day} ${method}: ${formatDecimal(amount, LedgerCurrencyScale[currency])} ${currency}</title></rect>`;
    });
  });
  const labels = days.map((day, i) => (i % 2 === 0 ? html`<text x="${i * slot + slot / 2}" y="${HEIGHT - 5}" font-size="10" text-anchor="middle" fill="#4a4a4a">${day.slice(5)}</text>` : html``));
  return html`<figure><svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="chart-${currency}-title">
<title id="chart-${currency}-title">${currency} received per day over the last ${days.length} days, by method</title>
<line x1="0" y1="${HEIGHT - PAD_BOTTOM}" x2="${WIDTH}" y2="${HEIGHT - PAD_BOTTOM}" stroke="#c9ccd1"></line>
${bars}${labels}</svg>
<figcaption>${currency} received per day (highest day: ${formatDecimal(max, LedgerCurrencyScale[currency])} ${currency})</figcaption>
<ul class="legend">${methods.map((m, i) => html`<li><span class="swatch sw${i % COLOURS.length}"></span>${m}</li>`)}</ul></figure>`;
}
