// Proves the website works in a real browser (Debian's Chromium via playwright-core): sign up →
// add funds → checkout with a QR code → simulate payment → the status turns credited live
// (no reload) → the dashboard shows the new balance; a personal account is refused API deposits
// but tops up here; a business account creates and revokes a key (then 401 from /v2); a wrong
// password, a missing CSRF token (403, nothing stored), another user's deposit (404), and
// script-tag input (escaped, never run). Skipped with a message when Chromium is absent.
// WEB_SCREENSHOTS=1 also writes the screenshots to docs/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { World } from './support/harness.ts';
import { chromiumMissing, launchChromium, openWebWorld } from './support/browser.ts';
import { createAccount, issueCredential } from '../src/usecases/manage-accounts.ts';
import { attachLogin } from '../src/usecases/web-attach-login.ts';
import { chargeAccount } from '../src/usecases/charge-account.ts';
import { sandboxPay } from '../src/usecases/sandbox-pay.ts';
import { expireInvoices } from '../src/usecases/expire-invoices.ts';

const PASSWORD = 'correct horse battery';
const SHOTS = process.env['WEB_SCREENSHOTS'] === '1' ? join(import.meta.dirname, '..', 'docs', 'screenshots') : null;
const missing = chromiumMissing();
if (missing) console.log(`# web-browser: skipped — ${missing}`);

describe('website in a real browser', { skip: missing }, () => {
  let world: World;
  let browser: Browser;
  let base = '';
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];

  before(async () => {
    world = await openWebWorld('sqlite');
    await world.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await world?.close();
  });

  async function newPage(viewport = { width: 1024, height: 768 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Error pages (404, 403...) are expected in these tests; anything else (a CSP refusal, a
    // script error) is a defect.
    page.on('console', (message) => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text()); });
    return page;
  }

  async function shot(page: Page, name: string, fullPage = true): Promise<void> {
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
  }

  async function signUp(page: Page, email: string): Promise<void> {
    await page.goto(`${base}/signup`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${base}/account`);
  }

  async function addFunds(page: Page, amount: string, method: string): Promise<string> {
    await page.goto(`${base}/account/add-funds`);
    await page.getByLabel('Amount', { exact: true }).fill(amount);
    await page.getByLabel(method).check();
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL(/\/account\/deposits\/[0-9a-f-]{36}$/);
    return page.url().split('/').pop()!;
  }

  const userAccount = async (email: string) => (await world.deps.store.web.userByEmail(email))!.accountId;

  test('sign up, add funds, pay in the sandbox: the status turns credited live and the dashboard shows the balance', async () => {
    const page = await newPage();
    await signUp(page, 'alice@example.com');
    assert.equal(await page.locator('[data-balance="USD"]').textContent(), '0.00 USD');
    await addFunds(page, '25', 'Bitcoin (on-chain)');
    assert.ok(await page.locator('.qr svg').isVisible(), 'QR code shown');
    assert.equal(await page.locator('#pay-amount').textContent(), '0.0005');
    assert.match((await page.locator('#pay-address').textContent()) ?? '', /^bcrt1q/);
    await page.locator('.countdown').filter({ hasText: /^\d+:\d\d$/ }).waitFor();
    assert.ok(await page.locator('.sandbox').isVisible(), 'sandbox banner');
    await shot(page, 'checkout');

    // Record every status the page shows, and mark the page: a reload would lose both.
    await page.evaluate(`(() => {
      window.seen = [];
      window.marker = 'no reload';
      const panel = document.getElementById('status');
      new MutationObserver(() => window.seen.push(panel.getAttribute('data-status'))).observe(panel, { attributes: true, attributeFilter: ['data-status'] });
    })()`);
    await page.getByRole('button', { name: 'Simulate payment' }).click();
    await page.locator('#status h2', { hasText: 'Credited' }).waitFor({ timeout: 20_000 });
    const state = await page.evaluate('({ seen: window.seen, marker: window.marker })') as { seen: string[]; marker: string };
    assert.equal(state.marker, 'no reload');
    assert.ok(state.seen.includes('payment_detected'), `statuses seen: ${state.seen.join(' → ')}`);
    assert.equal(state.seen.at(-1), 'complete');
    assert.equal(await page.locator('[data-new-balance]').textContent(), '25.00 USD');
    await shot(page, 'checkout-credited');

    await page.getByRole('link', { name: 'Back to the dashboard' }).click();
    await page.waitForURL(`${base}/account`);
    assert.equal(await page.locator('[data-balance="USD"]').textContent(), '25.00 USD');
    assert.ok(await page.getByRole('cell', { name: 'Deposit credited' }).isVisible());
    await shot(page, 'dashboard');
  });

  test('a personal account is refused API deposits, has no API keys page, and tops up on the website', async () => {
    const accountId = await userAccount('alice@example.com');
    const issued = await issueCredential(world.deps, accountId);
    const res = await fetch(`${base}/v2/accounts/deposit`, {
      method: 'POST', headers: { authorization: `Bearer ${issued.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: 10, currency: 'USD', payment_method: 'bitcoin' }),
    });
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { message: string }).message, /website/);
    const page = await newPage();
    await page.goto(`${base}/signin`);
    await page.getByLabel('Email').fill('alice@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/account`);
    assert.equal(await page.getByRole('link', { name: 'API keys' }).count(), 0);
    assert.ok(await page.getByText('Personal accounts add funds here on the website').isVisible());
    await addFunds(page, '5', 'Bitcoin Lightning');
    assert.match((await page.locator('#pay-address').textContent()) ?? '', /^lnbcrt/);
  });

  test('a business account creates a key, uses it, revokes it, and the revoked key gets 401', async () => {
    const { account } = await createAccount(world.deps, { type: 'business', currency: 'USD' });
    await attachLogin(world.deps, { accountId: account.id, email: 'shop@example.com', password: PASSWORD });
    const page = await newPage();
    await page.goto(`${base}/signin`);
    await page.getByLabel('Email').fill('shop@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/account`);
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Label (optional)').fill('checkout server');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.waitForURL(`${base}/account/keys#new-key`);
    const apiId = (await page.locator('#new-api-id').textContent())!;
    const apiSecret = (await page.locator('#new-api-secret').textContent())!;
    await shot(page, 'api-keys');
    // A reload never creates a second key, and the secret is gone.
    await page.reload();
    assert.equal(await page.locator('#new-api-secret').count(), 0);
    assert.equal((await world.deps.store.accounts.listCredentials(account.id)).filter((c) => c.revokedAt === null).length, 2, 'the operator key and the one created here');
    const headers = { authorization: 'Basic ' + Buffer.from(`${apiId}:${apiSecret}`).toString('base64') };
    assert.equal((await fetch(`${base}/v2/accounts/balance`, { headers })).status, 200);
    await page.getByRole('link', { name: `Revoke key ${apiId}` }).click();
    await page.getByRole('heading', { name: /Revoke key/ }).waitFor();
    assert.equal((await fetch(`${base}/v2/accounts/balance`, { headers })).status, 200, 'one click does not revoke');
    await page.getByRole('button', { name: 'Yes, revoke this key' }).click();
    await page.getByText('was revoked').waitFor();
    assert.equal(await page.locator('#new-api-secret').count(), 0, 'the secret is not shown again');
    assert.equal((await fetch(`${base}/v2/accounts/balance`, { headers })).status, 401);
  });

  test('a wrong password is reported next to the field; the keyboard reaches the skip link first', async () => {
    const page = await newPage();
    await page.goto(`${base}/signin`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.textContent'), 'Skip to content');
    await page.getByLabel('Email').fill('alice@example.com');
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#password-error').waitFor();
    assert.match((await page.locator('#password-error').textContent()) ?? '', /Wrong email or password/);
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    assert.ok(page.url().endsWith('/signin'));
    await shot(page, 'sign-in-error');
  });

  test('a form without its CSRF token is refused with 403 and stores nothing', async () => {
    const page = await newPage();
    await signUp(page, 'bob@example.com');
    const accountId = await userAccount('bob@example.com');
    await page.goto(`${base}/account/add-funds`);
    await page.evaluate(`document.querySelector('main input[name="_csrf"]').remove()`);
    await page.getByLabel('Amount', { exact: true }).fill('10');
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Continue to payment' }).click()]);
    assert.equal(response.status(), 403);
    assert.ok(await page.getByRole('heading', { name: 'This form has expired' }).isVisible());
    assert.equal((await world.deps.store.invoices.page({ accountId, start: 0, limit: 10 })).length, 0);
  });

  test('another user\'s deposit page is a 404', async () => {
    const aliceDeposits = await world.deps.store.invoices.page({ accountId: await userAccount('alice@example.com'), start: 0, limit: 1 });
    const page = await newPage();
    await signUp(page, 'carol@example.com');
    const response = await page.goto(`${base}/account/deposits/${aliceDeposits[0]!.id}`);
    assert.equal(response?.status(), 404);
    assert.ok(await page.getByRole('heading', { name: 'Page not found' }).isVisible());
  });

  test('script-tag input is shown as text and never runs (sign-up email, charge description)', async () => {
    const page = await newPage();
    await page.goto(`${base}/signup`);
    const evil = '<script>window.pwned=1</script>@x.io';
    await page.getByLabel('Email').fill(evil);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Repeat password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('#email-error').waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), evil);
    const accountId = await userAccount('alice@example.com');
    await chargeAccount(world.deps, { accountId, amount: '1', currency: 'USD', idempotencyKey: 'xss', description: '<img src=x onerror="window.pwned=2">' });
    const alice = await newPage();
    await alice.goto(`${base}/signin`);
    await alice.getByLabel('Email').fill('alice@example.com');
    await alice.getByLabel('Password').fill(PASSWORD);
    await alice.getByRole('button', { name: 'Sign in' }).click();
    await alice.waitForURL(`${base}/account`);
    assert.ok(await alice.getByText('<img src=x onerror="window.pwned=2">').isVisible());
    assert.equal(await page.evaluate('typeof window.pwned'), 'undefined');
    assert.equal(await alice.evaluate('typeof window.pwned'), 'undefined');
    assert.equal(await alice.locator('[data-balance="USD"]').textContent(), '24.00 USD');
  });

  test('a payment seen replaces the QR live, its confirmations count up live, and the receipt takes focus when credited', async () => {
    const page = await newPage({ width: 1280, height: 800 });
    await signUp(page, 'erin@example.com');
    const id = await addFunds(page, '40', 'USDC (Base)');
    assert.ok(await page.locator('.qr svg').isVisible());
    const account = (await world.deps.store.accounts.get(await userAccount('erin@example.com')))!;
    const { txid } = await sandboxPay(world.deps, account, id, { confirmations: 0 });
    await page.locator('#status[data-state="detected"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.locator('.qr').count(), 0, 'no QR once the payment is seen');
    assert.equal(await page.locator('[data-wallet-link]').count(), 0);
    assert.equal(await page.getByText('Quote expires').count(), 0);
    assert.equal(await page.locator('[data-confirmations]').textContent(), '0 of 10');
    await sandboxPay(world.deps, account, id, { txid, confirmations: 4 });
    await page.locator('[data-confirmations]', { hasText: '4 of 10' }).waitFor({ timeout: 20_000 });
    await shot(page, 'checkout-seen');
    await sandboxPay(world.deps, account, id, { txid, confirmations: 10 });
    await page.locator('#status[data-state="credited"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'receipt-heading');
    assert.equal(await page.locator('[data-receipt-credited]').textContent(), '40.00 USD');
    assert.ok(await page.locator('[data-receipt-txids]').getByText(txid).isVisible());
    await shot(page, 'checkout-receipt');
  });

  test('a late payment shows up live on an expired checkout, in one sentence; the page notices a sign-out in another tab', async () => {
    const page = await newPage();
    await signUp(page, 'fred@example.com');
    const id = await addFunds(page, '10', 'Bitcoin (on-chain)');
    const other = await page.context().newPage();
    world.clock.advance(world.deps.settings.invoiceExpiryMs + 1000);
    await expireInvoices(world.deps);
    await page.reload();
    assert.equal(await page.locator('.qr').count(), 0, 'an expired quote shows no QR');
    assert.ok(await page.getByText('Expired').first().isVisible());
    const account = (await world.deps.store.accounts.get(await userAccount('fred@example.com')))!;
    await sandboxPay(world.deps, account, id, { amount: '0.0002' });
    await page.locator('#status[data-state="late_credited"]').waitFor({ timeout: 30_000 });
    assert.ok(await page.getByRole('heading', { name: 'Credited — paid after the quote expired' }).isVisible());
    assert.equal(await page.getByText('nothing arrived').count(), 0);
    await shot(page, 'checkout-late');

    const id2 = await addFunds(other, '10', 'Bitcoin (on-chain)');
    await page.goto(`${base}/account/deposits/${id2}`);
    await other.goto(`${base}/account`);
    await other.getByRole('button', { name: 'Sign out' }).click();
    await page.locator('[data-signed-out]').waitFor({ state: 'visible', timeout: 20_000 });
    assert.match((await page.locator('[data-signed-out]').textContent()) ?? '', /You were signed out/);
  });

  test('phone first: the wallet button sits under the QR on the first screen, a BOLT11 is one line behind its copy button, targets are 44 px, Back keeps the amount', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await signUp(page, 'gina@example.com');
    const nav = await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Deposits' }).boundingBox();
    assert.ok(nav && nav.height >= 44, `nav link ${nav?.height}px high`);
    const id = await addFunds(page, '7,5', 'Bitcoin Lightning');
    const qr = (await page.locator('.qr').boundingBox())!;
    const wallet = (await page.locator('[data-wallet-link]').boundingBox())!;
    assert.ok(wallet.y >= qr.y + qr.height && wallet.y - (qr.y + qr.height) < 40, `wallet button ${wallet.y - (qr.y + qr.height)}px under the QR`);
    assert.ok(wallet.y + wallet.height <= 844, `wallet button ends at ${wallet.y + wallet.height}px, below the first screen`);
    const bolt11 = (await page.locator('#pay-address').boundingBox())!;
    assert.ok(bolt11.height < 40, `the BOLT11 takes ${bolt11.height}px (collapsed to one line)`);
    assert.match((await page.locator('#pay-address').textContent()) ?? '', /^lnbcrt[0-9a-z]{50,}$/, 'the whole invoice is still there to copy');
    const copy = (await page.getByRole('button', { name: 'Copy lightning invoice' }).boundingBox())!;
    assert.ok(copy.height >= 44, `copy button ${copy.height}px high`);
    assert.match((await page.locator('#pay-amount').textContent()) ?? '', /^\d+$/, 'lightning amounts in sats');
    assert.equal(await page.locator('dl.facts dt', { hasText: 'Confirmations' }).count(), 0, 'no confirmations row for lightning');
    await shot(page, 'checkout-phone', false);

    const account = (await world.deps.store.accounts.get(await userAccount('gina@example.com')))!;
    await sandboxPay(world.deps, account, id, {});
    await page.locator('#status[data-state="credited"]').waitFor({ timeout: 20_000 });
    // The page writes the announcement just after the re-render (so screen readers notice the change): wait for it.
    // A locator wait, not waitForFunction with a string: Playwright evals a string predicate in the
    // page on every poll after the first, which the page's CSP (no 'unsafe-eval') refuses.
    await page.locator('#live', { hasText: 'Credited' }).waitFor({ timeout: 5_000 });
    assert.match((await page.locator('#live').textContent()) ?? '', /Credited/, 'announced in the live region');
    assert.equal(await page.evaluate('document.activeElement && document.activeElement.id'), 'receipt-heading', 'focus moved to the receipt');
    await shot(page, 'checkout-receipt-phone', false);

    await page.goto(`${base}/account/add-funds`);
    await page.getByLabel('Amount', { exact: true }).fill('12.34');
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL(/\/account\/deposits\/[0-9a-f-]{36}$/);
    await page.goBack();
    await page.waitForURL(`${base}/account/add-funds`);
    for (const until = Date.now() + 5000; (await page.locator('#amount').inputValue()) !== '12.34' && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(await page.locator('#amount').inputValue(), '12.34', 'Back keeps the amount');

    await page.goto(`${base}/account/deposits`);
    const region = page.getByRole('region', { name: 'All deposits, newest first' });
    await region.focus();
    assert.equal(await page.evaluate(`document.activeElement && document.activeElement.getAttribute('role')`), 'region', 'the sideways-scrolling table is reachable by keyboard');
  });

  test('the checkout fits a phone screen and the pages raised no script or CSP errors', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await page.goto(`${base}/signin`);
    await page.getByLabel('Email').fill('carol@example.com');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/account`);
    await addFunds(page, '40', 'USDC (Base)');
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth') as number;
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone screen`);
    assert.ok(await page.getByText('Token contract').isVisible());
    await shot(page, 'checkout-phone', false);
    assert.deepEqual(pageErrors, []);
  });
});
