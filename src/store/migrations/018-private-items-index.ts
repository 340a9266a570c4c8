import type { Migration } from './migration.js';
import { touchedPrivatelySql } from '../../metrics/private.js';

/**
 * The report's private-channel figures read only the items with something private about them (src/metrics/
 * private.ts touchedPrivatelySql): a partial index of those items, covering every column the figures read,
 * in place of a table lookup for every item of the period (about a third of the weekly report's time). Few
 * items go private, and an item enters the index only when it does, so ingest does not write it.
 */
export const migration: Migration = {
  version: 18,
  name: 'private-items-index',
  up: async (db) => {
    await db.exec(`
      CREATE INDEX mentions_private_items ON mentions (
        created_at, platform, status, category, first_response_at, private_at, first_private_response_at, resolved_at, thread_id
      ) WHERE ${touchedPrivatelySql()};
    `);
  },
};
