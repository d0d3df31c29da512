// Watchers' persisted cursors (a block height, a settle index), one value per watcher and key.

import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { iso } from './codec.ts';

export class WatcherStateStore {
  constructor(private readonly k: Kysely<Database>) {}

  async get(watcher: string, key: string): Promise<string | null> {
    const row = await this.k.selectFrom('watcher_state').select('value').where('watcher', '=', watcher).where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }

  async set(watcher: string, key: string, value: string, now: Date): Promise<void> {
    await this.k.insertInto('watcher_state').values({ watcher, key, value, updated_at: iso(now) })
      .onConflict((oc) => oc.columns(['watcher', 'key']).doUpdateSet({ value, updated_at: iso(now) })).execute();
  }
}
