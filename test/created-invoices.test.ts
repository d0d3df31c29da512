// New invoices stored by concurrent deposits, on every dialect: each with its companion target
// and its `invoice.created` event, all or nothing per invoice. On PostgreSQL concurrent ones share
// a statement; an invoice that cannot be stored (a target already taken) fails alone.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { businessAccount, dialects, openWorld } from './support/harness.ts';
import type { World } from './support/harness.ts';
import { deposit } from './support/observations.ts';
import { invoiceEvent } from '../src/usecases/invoice-events.ts';
import { newUuid } from '../src/storage/ids.ts';
import type { Invoice } from '../src/core/invoice.ts';

for (const dialect of dialects()) {
  describe(`created invoices (${dialect})`, () => {
    let world: World;
    before(async () => { world = await openWorld(dialect); });
    after(() => world.close());

    const createdEvents = async (invoiceIds: ReadonlySet<string>) =>
      (await world.deps.store.webhooks.outboxAfter(0, 100_000)).filter((e) => e.invoiceId !== null && invoiceIds.has(e.invoiceId) && e.type === 'invoice.created');

    test('200 concurrent deposits: each stored whole, with its companion target and one created event', async () => {
      const acct = await businessAccount(world.deps);
      // Every other pair in EUR on this USD account: those carry their locked conversion (issue 15, 8c).
      const invoices = await Promise.all(Array.from({ length: 200 }, (_, i) =>
        deposit(world.deps, acct.id, i % 2 === 0 ? '10' : undefined, i % 4 < 2 ? 'USD' : 'EUR')));
      assert.equal(invoices.filter((i) => i.conversion?.currency === 'USD').length, 100);
      assert.equal(new Set(invoices.map((i) => i.seq)).size, 200);
      for (const invoice of invoices) {
        assert.deepEqual(await world.deps.store.invoices.get(invoice.id), invoice);
        assert.ok(invoice.lightningInvoice, 'a sandbox bitcoin deposit carries its lightning companion');
        const companions = await world.deps.store.invoices.companions(invoice.id);
        assert.equal(companions.length, 1);
        assert.equal((await world.deps.store.invoices.findByTarget(companions[0]!.methodId, companions[0]!.targetKey))?.id, invoice.id);
      }
      const events = await createdEvents(new Set(invoices.map((i) => i.id)));
      assert.equal(events.length, 200);
      assert.equal(new Set(events.map((e) => e.invoiceId)).size, 200);
    });

    test('PostgreSQL: several new invoices, companions and events stored by one statement', { skip: dialect !== 'postgres' }, async () => {
      const acct = await businessAccount(world.deps);
      const template = await deposit(world.deps, acct.id, '10', 'EUR');
      assert.ok(template.conversion);
      const { seq: _seq, ...rest } = template;
      const now = world.clock.now();
      // Even ones keep the template's conversion, odd ones have none: both travel through the batch statement.
      const drafts = Array.from({ length: 5 }, (_, i) => ({ ...rest, id: newUuid(), targetKey: `many-${newUuid()}`, amountMinor: BigInt(100 + i),
        conversion: i % 2 === 0 ? rest.conversion : null }));
      const stored = await world.deps.store.invoices.insertCreatedMany(drafts.map((invoice, i) => ({
        invoice, companion: i % 2 === 0 ? { methodId: 'lightning', targetKey: `companion-${invoice.id}` } : null,
        event: invoiceEvent('invoice.created', invoice, now),
      })));
      assert.deepEqual(stored.map((s) => s.id), drafts.map((d) => d.id));
      for (const [i, invoice] of stored.entries()) {
        assert.deepEqual(await world.deps.store.invoices.get(invoice.id), invoice);
        assert.deepEqual(await world.deps.store.invoices.companions(invoice.id), i % 2 === 0 ? [{ methodId: 'lightning', targetKey: `companion-${invoice.id}` }] : []);
      }
      const events = await createdEvents(new Set(drafts.map((d) => d.id)));
      assert.deepEqual(events.map((e) => e.invoiceId).sort(), drafts.map((d) => d.id).sort());
      assert.deepEqual(JSON.parse(events.find((e) => e.invoiceId === drafts[1]!.id)!.payload), invoiceEvent('invoice.created', drafts[1]!, now).payload);
    });

    test('an invoice whose target is taken fails alone; the ones created beside it are stored', async () => {
      const acct = await businessAccount(world.deps);
      const existing = await deposit(world.deps, acct.id, '10', 'USD', 'usdc_base');
      const now = world.clock.now();
      const fresh = (targetKey: string, i: number): Omit<Invoice, 'seq'> => {
        const { seq: _seq, ...rest } = existing;
        return { ...rest, id: newUuid(), targetKey, address: `addr-${i}`, derivationIndex: null };
      };
      const drafts = Array.from({ length: 10 }, (_, i) => fresh(i === 4 ? existing.targetKey : `target-${newUuid()}`, i));
      const results = await Promise.allSettled(drafts.map((invoice) =>
        world.deps.store.insertCreated({ invoice, companion: null, event: invoiceEvent('invoice.created', invoice, now) })));
      assert.deepEqual(results.map((r) => r.status), drafts.map((_, i) => (i === 4 ? 'rejected' : 'fulfilled')));
      for (const [i, draft] of drafts.entries()) {
        const stored = await world.deps.store.invoices.get(draft.id);
        if (i === 4) assert.equal(stored, null);
        else assert.equal(stored?.targetKey, draft.targetKey);
      }
      const events = await createdEvents(new Set(drafts.map((d) => d.id)));
      assert.deepEqual(events.map((e) => e.invoiceId).sort(), drafts.filter((_, i) => i !== 4).map((d) => d.id).sort());
    });
  });
}
