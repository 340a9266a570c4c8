import type { Migration } from './migration.js';

/**
 * A covering index for the response-time report and the export: a week's mentions are one range
 * of it, read without touching the table. It starts with created_at, so it replaces the plain
 * created_at index and ingest keeps the same number of indexes to maintain.
 */
export const migration: Migration = {
  version: 3,
  name: 'report-index',
  up: async (db) => {
    await db.exec(`
      CREATE INDEX mentions_report ON mentions (
        created_at, platform, status, category, first_response_at, fetched_at, thread_id, keyword
      );
      DROP INDEX IF EXISTS mentions_created;
    `);
  },
};
