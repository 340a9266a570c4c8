import type { Migration } from './migration.js';

/**
 * Money beside reads: X bills each resource once per UTC day, so the resources billed today are kept
 * (`api_billed`, pruned to the current day) and each day's usage row carries what was billed in
 * micro-dollars. `volume_counts` holds X's counts/recent buckets for volume without post reads.
 */
export const migration: Migration = {
  version: 8,
  name: 'billing',
  up: async (db) => {
    await db.exec(`
      ALTER TABLE api_usage ADD COLUMN cost_micros INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE api_usage ADD COLUMN billed_reads INTEGER NOT NULL DEFAULT 0;

      CREATE TABLE api_billed (
        source TEXT NOT NULL,
        day TEXT NOT NULL,
        kind TEXT NOT NULL,
        resource TEXT NOT NULL,
        PRIMARY KEY (source, day, kind, resource)
      ) WITHOUT ROWID;

      CREATE TABLE volume_counts (
        source TEXT NOT NULL,
        query_key TEXT NOT NULL,
        bucket_start INTEGER NOT NULL,
        bucket_end INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (source, query_key, bucket_start)
      ) WITHOUT ROWID;
    `);
  },
};
