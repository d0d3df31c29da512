// The console's page frame: the website's stylesheet (web/assets.ts) plus a few console rules,
// served by the console itself under its own prefix so it works with the customer website off.

import { createHash } from 'node:crypto';
import { Assets } from '../assets.ts';
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';

export type ConsoleNav = 'overview' | 'invoices' | 'holds' | 'accounts' | 'webhooks' | 'ledger' | 'audit';

const EXTRA_CSS = `
.console .bar,.console main{max-width:80rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:.75rem;list-style:none;margin:0;padding:0}
.cards li{border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem;background:var(--panel)}
.cards .amount{font-size:1.4rem;font-weight:700;font-variant-numeric:tabular-nums;display:block}
.chart{max-width:100%;height:auto;border:1px solid var(--line);border-radius:6px;background:#fff}
.legend{display:flex;flex-wrap:wrap;gap:.25rem 1rem;list-style:none;padding:0;margin:.5rem 0}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:middle}
.sw0{background:#0b57a4}.sw1{background:#c77700}.sw2{background:#0f6b2f}.sw3{background:#a1121b}.sw4{background:#6b3fa0}.sw5{background:#4a4a4a}
.badge{display:inline-block;border-radius:999px;padding:0 .55rem;font-size:.85rem;border:1px solid var(--line);background:var(--panel)}
.badge.bad{border-color:var(--err);color:var(--err);background:var(--err-bg)}.badge.good{border-color:var(--ok);color:var(--ok);background:var(--ok-bg)}
.search{display:grid;grid-template-columns:repeat(auto-fill,minmax(13rem,1fr));gap:0 1rem;align-items:end}
.confirm{border:2px solid var(--err);border-radius:6px;padding:1rem;background:var(--err-bg)}
pre.json{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel);padding:.5rem;border-radius:4px;font-size:.85rem;max-width:40rem}
td code,dd code{overflow-wrap:anywhere;word-break:break-all}
.enrol-qr{max-width:15rem}
textarea{font:inherit;width:100%;max-width:28rem;padding:.55rem .6rem;border:2px solid var(--fg);border-radius:4px}
`;

const CSS = `${Assets.css.body}\n${EXTRA_CSS.trim()}`;

export const ConsoleAssets = {
  css: { path: `/admin/console/assets/console-${createHash('sha256').update(CSS).digest('hex').slice(0, 12)}.css`, body: CSS, type: 'text/css; charset=utf-8' },
} as const;

export interface ConsoleViewer {
  readonly email: string;
  readonly role: string;
}

export interface ConsoleFrame {
  readonly title: string;
  readonly body: SafeHtml;
  readonly csrf: string;
  readonly sandbox: boolean;
  readonly viewer: ConsoleViewer | null;
  readonly current?: ConsoleNav | undefined;
}

const NAV: ReadonlyArray<readonly [ConsoleNav, string]> = [
  ['overview', 'Overview'], ['invoices', 'Invoices'], ['holds', 'Holds'], ['accounts', 'Accounts'], ['webhooks', 'Webhooks'], ['ledger', 'Ledger'], ['audit', 'Audit log'],
];

function nav(current: ConsoleNav | undefined, csrf: string): SafeHtml {
  return html`<nav aria-label="Console"><ul>
${NAV.map(([item, label]) => html`<li><a href="/admin/console/${item}"${item === current ? html` aria-current="page"` : ''}>${label}</a></li>`)}
<li><form class="inline" method="post" action="/admin/console/signout"><input type="hidden" name="_csrf" value="${csrf}"><button class="small secondary" type="submit">Sign out</button></form></li>
</ul></nav>`;
}

export function consolePage(frame: ConsoleFrame): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${frame.title} · Coffer operator console</title>
<link rel="stylesheet" href="${ConsoleAssets.css.path}">
</head>
<body class="console">
<a class="skip" href="#main">Skip to content</a>
${frame.sandbox ? html`<div class="sandbox" role="note"><strong>Sandbox</strong> — test mode: payments are simulated and no real money moves.</div>` : ''}
<header class="top"><div class="bar">
<a class="brand" href="/admin/console/overview">Coffer · operator console</a>
${frame.viewer ? html`<span class="muted">${frame.viewer.email} (${frame.viewer.role === 'operator' ? 'operator' : 'read-only'})</span>${nav(frame.current, frame.csrf)}` : ''}
</div></header>
<main id="main" tabindex="-1">
${frame.body}
</main>
</body>
</html>`;
}
