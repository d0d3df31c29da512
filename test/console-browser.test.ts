// Proves the operator console in a real browser (Debian's Chromium via playwright-core), on
// every dialect: sign-in with TOTP enrolment (the code computed with otpauth from the key the
// page shows), each screen (no script errors, no CSP refusals), resolving a hold once when its
// confirmation is double-clicked and when it is confirmed from two tabs, freezing an account,
// redelivering a webhook, and the CSV export of 100,000 transfers streamed without the server
// buffering it (the reader stops; the server stops reading pages). Skipped without Chromium.
// CONSOLE_SCREENSHOTS=1 writes screenshots to docs/screenshots/.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromiumMissing, launchChromium } from './support/browser.ts';
import { businessAccount, dialects } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { createOperatorByCli, heldInvoice, openConsoleWorld, OPERATOR_PASSWORD, totpCode } from './support/console.ts';
import { accountOf } from './support/observations.ts';
import { accountBalances } from '../src/usecases/read-account.ts';
import { createWebhookEndpoint } from '../src/usecases/webhook-endpoints.ts';
import { fanOutEvents } from '../src/usecases/webhook-fanout.ts';
import { LedgerStore } from '../src/storage/ledger-store.ts';
import { AdminLimits } from '../src/core/limits.ts';

const SHOTS = process.env['CONSOLE_SCREENSHOTS'] === '1' ? join(import.meta.dirname, '..', 'docs', 'screenshots') : null;
const EXPORT_ROWS = 100_000;
const missing = chromiumMissing();
if (missing) console.log(`# console-browser: skipped — ${missing}`);

for (const dialect of dialects()) {
  describe(`operator console in a real browser (${dialect})`, { skip: missing }, () => {
    let world: World;
    let browser: Browser;
    let base = '';
    let context: BrowserContext;
    const pageErrors: string[] = [];

    before(async () => {
      world = await openConsoleWorld(dialect);
      await createOperatorByCli(world, 'ops@example.com', 'operator');
      await world.app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(world.app.server.address() as AddressInfo).port}/admin/console`;
      browser = await launchChromium();
      context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    });
    after(async () => {
      await context?.close();
      await browser?.close();
      await world?.close();
    });

    async function newPage(): Promise<Page> {
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => { if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text()); });
      return page;
    }

    async function shot(page: Page, name: string): Promise<void> {
      if (SHOTS && dialect === 'sqlite') await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    }

    test('sign-in with password and TOTP enrolment, recovery codes shown once', async () => {
      const page = await newPage();
      await page.goto(`${base}/overview`);
      await page.waitForURL(`${base}/signin`);
      await page.getByLabel('Email').fill('ops@example.com');
      await page.getByLabel('Password').fill(OPERATOR_PASSWORD);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(`${base}/two-factor`);
      assert.ok(await page.locator('.qr svg').isVisible(), 'enrolment QR code');
      const key = (await page.locator('#totp-secret').textContent())!;
      await shot(page, 'console-two-factor');
      world.clock.advance(30_000);
      await page.getByLabel('Code from the app').fill(totpCode(key, world.clock.now()));
      await page.getByRole('button', { name: 'Turn on two-factor sign-in' }).click();
      assert.equal(await page.locator('#recovery-codes li').count(), 10);
      await page.getByRole('link', { name: 'Continue to the console' }).click();
      await page.waitForURL(`${base}/overview`);
      assert.ok(await page.getByRole('heading', { name: 'Overview' }).isVisible());
    });

    test('each screen renders in the browser without script or CSP errors', async () => {
      const acct = await businessAccount(world.deps);
      const { invoice } = await heldInvoice(world, acct.id);
      const { endpoint } = await createWebhookEndpoint(world.deps, { url: 'https://hooks.example.com/coffer', eventTypes: ['*'] });
      await fanOutEvents(world.deps, { batchMax: 500, maxAgeMs: 3_600_000, gapWaitMs: 0 });
      const page = await newPage();
      const screens: Array<[string, string, string]> = [
        ['overview', 'Overview', 'console-overview-empty'], [`invoices?account=${acct.id}`, 'Invoices', 'console-invoices'], [`invoices/${invoice.id}`, `Invoice ${invoice.id}`, 'console-invoice'],
        ['holds', 'Holds', 'console-holds'], ['accounts', 'Accounts', 'console-accounts'], [`accounts/${acct.id}`, `Account ${acct.id}`, 'console-account'],
        ['webhooks', 'Webhooks', 'console-webhooks'], [`webhooks/${endpoint.id}`, `Endpoint ${endpoint.id}`, 'console-endpoint'],
        ['ledger?verify=1', 'Ledger', 'console-ledger'], ['audit', 'Audit log', 'console-audit'],
      ];
      for (const [path, heading, name] of screens) {
        const res = await page.goto(`${base}/${path}`);
        assert.equal(res?.status(), 200, path);
        assert.ok(await page.getByRole('heading', { level: 1, name: heading }).isVisible(), `${path}: ${heading}`);
        await shot(page, name);
      }
      assert.deepEqual(pageErrors, []);
    });

    test('a hold is credited once when its confirmation is double-clicked, and once when confirmed from two tabs', async () => {
      const acct = await businessAccount(world.deps);
      const { paymentId } = await heldInvoice(world, acct.id);
      const page = await newPage();
      const review = async (p: Page, id: string) => {
        await p.goto(`${base}/holds`);
        const form = p.locator(`#hold-${id}`);
        await form.getByLabel(/^Rate \(/).fill('0.9995');
        await form.getByLabel('Rate source').fill('Kraken USDT/USD close 2026-12-06 10:00 UTC');
        await form.getByLabel('Note').fill('customer paid USDT instead of USDC');
        await form.getByRole('button', { name: 'Review the resolution' }).click();
        await p.locator('#confirm-amount').waitFor();
      };
      await review(page, paymentId);
      assert.equal(await page.locator('#confirm-amount').textContent(), '9.99 USD');
      await shot(page, 'console-hold-confirm');
      await page.getByRole('button', { name: 'Yes, credit 9.99 USD' }).dblclick();
      await page.locator('#resolved').waitFor();
      await shot(page, 'console-hold-resolved');
      assert.equal((await accountBalances(world.deps.store, await accountOf(world.deps, acct.id)))[0]!.balanceMinor, 999n);

      const acct2 = await businessAccount(world.deps);
      const held = await heldInvoice(world, acct2.id);
      const [tabA, tabB] = [await newPage(), await newPage()];
      await review(tabA, held.paymentId);
      await review(tabB, held.paymentId);
      await tabA.getByRole('button', { name: 'Yes, credit 9.99 USD' }).click();
      await tabA.locator('#resolved').waitFor();
      await tabB.getByRole('button', { name: 'Yes, credit 9.99 USD' }).click();
      await tabB.locator('#resolve-error').waitFor();
      assert.match((await tabB.locator('#resolve-error').textContent())!, /already resolved/);
      assert.equal((await accountBalances(world.deps.store, await accountOf(world.deps, acct2.id)))[0]!.balanceMinor, 999n);
      // What was credited now shows on the overview's chart (USDT received today) and in what is owed.
      await page.goto(`${base}/overview`);
      assert.equal(await page.locator('svg.chart').count(), 1);
      assert.match((await page.locator('#owed').textContent())!, /19\.98 USD/);
      await shot(page, 'console-overview');
    });

    test('freezing an account says what it does, then freezes it', async () => {
      const acct = await businessAccount(world.deps);
      const page = await newPage();
      await page.goto(`${base}/accounts/${acct.id}`);
      await page.getByRole('button', { name: 'Freeze this account' }).click();
      assert.match((await page.locator('.confirm').textContent())!, /charges against its balance are refused/);
      await shot(page, 'console-freeze-confirm');
      await page.getByRole('button', { name: 'Yes, freeze the account' }).click();
      await page.locator('#status-changed').waitFor();
      assert.equal(await page.locator('#account-status').textContent(), 'frozen');
      assert.equal((await accountOf(world.deps, acct.id)).status, 'frozen');
    });

    test('redelivering a webhook queues one more delivery', async () => {
      const { endpoint } = await createWebhookEndpoint(world.deps, { url: 'https://hooks.example.com/redo', eventTypes: ['*'] });
      await heldInvoice(world, (await businessAccount(world.deps)).id);
      await fanOutEvents(world.deps, { batchMax: 500, maxAgeMs: 3_600_000, gapWaitMs: 0 });
      const before = (await world.deps.store.webhooks.deliveries({ endpointId: endpoint.id, limit: 200 })).length;
      const page = await newPage();
      await page.goto(`${base}/webhooks/${endpoint.id}`);
      await page.getByRole('button', { name: 'Redeliver', exact: true }).first().click();
      await page.locator('#redelivered').waitFor();
      assert.equal((await world.deps.store.webhooks.deliveries({ endpointId: endpoint.id, limit: 200 })).length, before + 1);
    });

    test(`the CSV export of ${EXPORT_ROWS} transfers streams: the server stops reading while the reader waits`, async () => {
      await insertTransfers(world, EXPORT_ROWS);
      const cookies = await context.cookies();
      const cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      const pages = { read: 0 };
      const original = LedgerStore.prototype.transfersBetween;
      LedgerStore.prototype.transfersBetween = function (this: LedgerStore, ...args: Parameters<LedgerStore['transfersBetween']>) {
        pages.read++;
        return original.apply(this, args);
      };
      try {
        const res = await new Promise<IncomingMessage>((resolve, reject) => get(`${base}/ledger/transfers.csv`, { headers: { cookie } }, resolve).on('error', reject));
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['transfer-encoding'], 'chunked', 'streamed, not a buffered body');
        res.pause();
        // Wait until the server stops reading pages (backpressure), then compare with the total.
        let seen = -1;
        for (let stable = 0; stable < 5;) {
          await new Promise((r) => setTimeout(r, 100));
          stable = pages.read === seen ? stable + 1 : 0;
          seen = pages.read;
        }
        const totalPages = Math.ceil(EXPORT_ROWS / AdminLimits.ledgerCsvPageRows);
        console.log(`# CSV export (${dialect}): with the reader waiting, the server read ${pages.read} of ${totalPages} pages`);
        assert.ok(pages.read < totalPages * 0.75, `with the reader waiting the server read ${pages.read} of ${totalPages} pages`);
        let lines = 0;
        let tail = '';
        res.setEncoding('utf8');
        for await (const chunk of res) {
          const text = tail + (chunk as string);
          const parts = text.split('\r\n');
          tail = parts.pop() ?? '';
          lines += parts.length;
        }
        assert.ok(lines >= EXPORT_ROWS + 1, `${lines} lines`);
        assert.ok(pages.read >= totalPages);
      } finally {
        LedgerStore.prototype.transfersBetween = original;
      }
    });
  });
}

/** Inserts `count` transfers of 0.01 USD between two test ledger accounts (balances kept true), in multi-row statements. */
async function insertTransfers(world: World, count: number): Promise<void> {
  const k = world.testDb.db.kysely;
  const now = new Date().toISOString();
  await k.insertInto('ledger_accounts').values([
    { id: 'exporttest:from:USD', currency: 'USD', balance: String(-count), updated_at: now },
    { id: 'exporttest:to:USD', currency: 'USD', balance: String(count), updated_at: now },
  ]).execute();
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const rows = Array.from({ length: Math.min(batch, count - start) }, (_, i) => ({
      id: `tr_export_${start + i}`, key: `export:${start + i}`, currency: 'USD', amount: '1', debit_account: 'exporttest:from:USD', credit_account: 'exporttest:to:USD',
      kind: 'charge', account_id: null, invoice_id: null, payment_id: null, charge_id: null, reverses_id: null, description: 'export test', created_at: now,
    }));
    await k.insertInto('transfers').values(rows).execute();
  }
}
