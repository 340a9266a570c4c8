import type { Migration } from './migration.js';
import { openItemSql, openSql } from '../../metrics/open.js';

/**
 * Indexes that fit the work, and priorities recomputed only where they can have moved.
 *
 * The queue index `(status, priority DESC, created_at)` was never read in its order (each queue query sorts
 * its matches anyway) and, with priority rewritten by every poll, was the largest part of what ingest wrote.
 * In its place two partial indexes (src/metrics/open.ts): `mentions_open`, the open mentions by age (alerts,
 * metrics refresh, re-guessing), and `mentions_open_items`, the open items by platform and age (the queue, the
 * report's open backlog). Neither is touched by closed mentions; a full index on status would be, and the
 * planner would take its equality on status over the partial indexes that fit better.
 * `mentions_platform_created` goes: `mentions_report` (migration 003) starts with created_at and carries
 * platform, so it serves the same ranges. `mentions_conversation` stays whole: the thread lookup must find a
 * conversation's first post too, which is no reply.
 *
 * `priority_due_at`: when the stored priority must be computed again (0: at the next recompute; NULL: never,
 * until an input changes — the SLA part stops moving once breached). New rows are due by default; every store
 * function that changes a priority input makes its item due again. `priority_inputs` remembers the config the
 * priorities were computed with, so a changed SLA makes every open item due.
 */
export const migration: Migration = {
  version: 15,
  name: 'queue-indexes',
  up: async (db) => {
    const time = db.kind === 'postgres' ? 'bigint' : 'INTEGER';
    await db.exec(`
      DROP INDEX IF EXISTS mentions_status_priority;
      DROP INDEX IF EXISTS mentions_platform_created;
      CREATE INDEX mentions_open ON mentions (created_at) WHERE ${openSql()};
      CREATE INDEX mentions_open_items ON mentions (platform, created_at) WHERE ${openItemSql()};
      ALTER TABLE mentions ADD COLUMN priority_due_at ${time} DEFAULT 0;
      CREATE INDEX mentions_priority_due ON mentions (priority_due_at) WHERE priority_due_at IS NOT NULL AND ${openItemSql()};
      CREATE TABLE priority_inputs (
        id integer PRIMARY KEY CHECK (id = 1),
        config text NOT NULL
      );
    `);
  },
};
