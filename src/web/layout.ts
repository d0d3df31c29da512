// The page frame: header with navigation, the sandbox banner, a live region for announcements,
// and links to the plugin's own CSS and JS.

import type { AccountType } from '../core/account.ts';
import { Assets } from './assets.ts';
import { html } from './html.ts';
import type { SafeHtml } from './html.ts';

export type NavItem = 'dashboard' | 'add-funds' | 'deposits' | 'keys' | 'password';

export interface Viewer {
  readonly email: string;
  readonly accountType: AccountType;
}

export interface PageFrame {
  readonly title: string;
  readonly body: SafeHtml;
  readonly csrf: string;
  readonly sandbox: boolean;
  readonly viewer?: Viewer | null;
  readonly current?: NavItem;
}

function navLink(href: string, label: string, item: NavItem, current: NavItem | undefined): SafeHtml {
  return html`<li><a href="${href}"${item === current ? html` aria-current="page"` : ''}>${label}</a></li>`;
}

function nav(viewer: Viewer, current: NavItem | undefined, csrf: string): SafeHtml {
  return html`<nav aria-label="Account"><ul>
${navLink('/account', 'Dashboard', 'dashboard', current)}
${navLink('/account/add-funds', 'Add funds', 'add-funds', current)}
${navLink('/account/deposits', 'Deposits', 'deposits', current)}
${viewer.accountType === 'business' ? navLink('/account/keys', 'API keys', 'keys', current) : ''}
${navLink('/account/password', 'Password', 'password', current)}
<li><form class="inline" method="post" action="/signout"><input type="hidden" name="_csrf" value="${csrf}"><button class="small secondary" type="submit">Sign out</button></form></li>
</ul></nav>`;
}

export function page(frame: PageFrame): SafeHtml {
  const viewer = frame.viewer ?? null;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="data:,">
<title>${frame.title} · Coffer</title>
<link rel="stylesheet" href="${Assets.css.path}">
<script src="${Assets.js.path}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
${frame.sandbox ? html`<div class="sandbox" role="note"><strong>Sandbox</strong> — test mode: payments are simulated and no real money moves.</div>` : ''}
<header class="top"><div class="bar">
<a class="brand" href="${viewer ? '/account' : '/'}">Coffer</a>
${viewer ? html`<span class="muted">${viewer.email}</span>${nav(viewer, frame.current, frame.csrf)}` : html`<nav aria-label="Sign in"><ul><li><a href="/signin">Sign in</a></li><li><a href="/signup">Create account</a></li></ul></nav>`}
</div></header>
<main id="main" tabindex="-1">
${frame.body}
</main>
<div id="live" class="sr-only" aria-live="polite"></div>
</body>
</html>`;
}
