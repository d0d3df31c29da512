// The storage facade the use cases work with. Use cases open transactions through
// `transaction()`; everything inside runs on one connection and commits or rolls back whole.

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { Db } from './database.ts';
import { inTransaction } from './database.ts';
import { SqlText } from './sql-text.ts';
import type { ReadCache } from './read-cache.ts';
import { AccountsStore } from './accounts-store.ts';
import { InvoicesStore } from './invoices-store.ts';
import { PaymentsStore } from './payments-store.ts';
import { LedgerStore } from './ledger-store.ts';
import { WebhooksStore } from './webhooks-store.ts';
import { ChargesStore } from './charges-store.ts';
import { DerivationStore } from './derivation-store.ts';
import { IdempotencyStore } from './idempotency-store.ts';
import { LeasesStore } from './leases-store.ts';
import { OutboxStore } from './outbox-store.ts';
import { WatcherStateStore } from './watcher-state-store.ts';
import { WebStore } from './web-store.ts';
import { OperatorsStore } from './operators-store.ts';
import { AdminQueries } from './admin-queries.ts';
import { CreatedInvoiceBatches } from './created-invoices.ts';
import type { CreatedInvoice } from './invoices-store.ts';
import type { Invoice } from '../core/invoice.ts';

export class StoreTx {
  readonly accounts: AccountsStore;
  readonly invoices: InvoicesStore;
  readonly payments: PaymentsStore;
  readonly ledger: LedgerStore;
  readonly charges: ChargesStore;
  readonly idempotency: IdempotencyStore;
  readonly outbox: OutboxStore;
  readonly watcherState: WatcherStateStore;
  readonly derivation: DerivationStore;
  readonly leases: LeasesStore;
  readonly web: WebStore;
  readonly webhooks: WebhooksStore;
  readonly operators: OperatorsStore;
  readonly admin: AdminQueries;

  /** `readCache` only outside a transaction (a transaction reads its own writes). */
  constructor(k: Kysely<Database>, dialect: Db['dialect'], rowLocks: boolean, readCache: ReadCache | null = null) {
    const q = new SqlText(k, dialect);
    this.outbox = new OutboxStore(q);
    this.accounts = new AccountsStore(k, rowLocks, q);
    this.invoices = new InvoicesStore(k, rowLocks, q, this.outbox);
    this.payments = new PaymentsStore(k, q);
    this.ledger = new LedgerStore(k, q, readCache);
    this.charges = new ChargesStore(k, rowLocks);
    this.idempotency = new IdempotencyStore(k);
    this.watcherState = new WatcherStateStore(k);
    this.derivation = new DerivationStore(k, q);
    this.leases = new LeasesStore(k);
    this.web = new WebStore(k, rowLocks);
    this.webhooks = new WebhooksStore(k, rowLocks, q);
    this.operators = new OperatorsStore(k, rowLocks);
    this.admin = new AdminQueries(k, dialect);
  }
}

export class Store extends StoreTx {
  readonly dialect: Db['dialect'];
  readonly #created: CreatedInvoiceBatches | null;

  constructor(private readonly db: Db) {
    super(db.kysely, db.dialect, db.rowLocks, db.readCache);
    this.dialect = db.dialect;
    this.#created = db.dialect === 'postgres' ? new CreatedInvoiceBatches(this.invoices) : null;
  }

  /**
   * Stores a new invoice with its companion target and `invoice.created` event, committed when
   * this resolves. On PostgreSQL invoices created concurrently share one statement; on SQLite it
   * is a unit of the group commit.
   */
  insertCreated(created: CreatedInvoice): Promise<Invoice> {
    if (this.#created) return this.#created.insert(created);
    return this.transaction((tx) => tx.invoices.insertCreated(created.invoice, created.companion, created.event));
  }

  /**
   * Runs `work` in one transaction (retried on serialization failures: keep it free of side
   * effects). With `singleStatement` — `work` issues exactly one statement — PostgreSQL runs it
   * without BEGIN and COMMIT (a statement is atomic on its own: two round trips fewer); SQLite
   * still runs it as a unit of the group commit.
   */
  transaction<T>(work: (tx: StoreTx) => Promise<T>, options: { readonly singleStatement?: boolean } = {}): Promise<T> {
    if (options.singleStatement === true && this.db.dialect === 'postgres') return work(this);
    return inTransaction(this.db, (trx) => work(new StoreTx(trx, this.db.dialect, this.db.rowLocks)));
  }

  /**
   * Runs read-only `work` on one consistent snapshot: PostgreSQL repeatable read; on SQLite a
   * deferred read transaction on the snapshot connection (WAL), which never waits for the writer.
   */
  snapshot<T>(work: (tx: StoreTx) => Promise<T>): Promise<T> {
    const snapshots = this.db.snapshots;
    if (snapshots === null) {
      return this.db.kysely.transaction().setIsolationLevel('repeatable read')
        .execute((trx) => work(new StoreTx(trx, this.db.dialect, false)));
    }
    return snapshots.transaction().execute((trx) => work(new StoreTx(trx, this.db.dialect, false)));
  }

  /**
   * Streams what `work` yields from one consistent view, for long reads (an export) that must not
   * hold a shared connection: PostgreSQL a repeatable-read transaction on its own pool connection
   * (Kysely's controlled transaction), rolled back when the stream ends or is abandoned; SQLite
   * reads on the store itself, where rows keyed by an autoincrement seq commit in seq order (one
   * writer), so a reader bounded by the highest seq at its start sees a consistent prefix.
   */
  async *snapshotStream<T>(work: (tx: StoreTx) => AsyncGenerator<T>): AsyncGenerator<T> {
    if (this.db.dialect !== 'postgres') {
      yield* work(this);
      return;
    }
    const trx = await this.db.kysely.startTransaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute();
    try {
      yield* work(new StoreTx(trx, this.db.dialect, false));
    } finally {
      await trx.rollback().execute();
    }
  }

  /** Cheap liveness probe for /readyz. */
  async ping(): Promise<void> {
    await this.db.kysely.selectFrom('coffer_migrations' as never).select((eb) => eb.lit(1).as('one')).limit(1).execute();
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
