// Leases: which process runs a singleton job (a watcher, the webhook fan-out) until when.

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { iso } from './codec.ts';

export class LeasesStore {
  constructor(private readonly k: Kysely<Database>) {}

  /** Takes or renews a lease; true when `holder` holds it until `until`. */
  async acquire(name: string, holder: string, now: Date, until: Date): Promise<boolean> {
    await this.k.insertInto('leases').values({ name, holder, expires_at: iso(until) })
      .onConflict((oc) => oc.column('name').doUpdateSet({ holder, expires_at: iso(until) })
        .where((eb) => eb.or([eb('leases.holder', '=', holder), eb('leases.expires_at', '<', iso(now))])))
      .execute();
    const row = await this.k.selectFrom('leases').select('holder').where('name', '=', name).executeTakeFirst();
    return row?.holder === holder;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.k.deleteFrom('leases').where('name', '=', name).where('holder', '=', holder).execute();
  }
}
