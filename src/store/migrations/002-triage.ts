import type { Migration } from './migration.js';

/**
 * Triage and replies: the previous metrics snapshot of each mention (engagement velocity is the
 * growth between two polls), the outbox's idempotency key and attempt count on responses, and
 * proactive posts, which answer no mention.
 */
export const migration: Migration = {
  version: 2,
  name: 'triage',
  up: async (db) => {
    await db.exec(`
      ALTER TABLE mentions ADD COLUMN prev_likes INTEGER;
      ALTER TABLE mentions ADD COLUMN prev_reposts INTEGER;
      ALTER TABLE mentions ADD COLUMN prev_replies INTEGER;
      ALTER TABLE mentions ADD COLUMN prev_quotes INTEGER;
      ALTER TABLE mentions ADD COLUMN prev_metrics_at INTEGER;

      ALTER TABLE responses ADD COLUMN idempotency_key TEXT;
      ALTER TABLE responses ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      CREATE UNIQUE INDEX responses_idempotency ON responses (idempotency_key) WHERE idempotency_key IS NOT NULL;
      CREATE INDEX responses_state ON responses (state) WHERE state IN ('pending', 'unknown');

      CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        source TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        sent_at INTEGER,
        external_id TEXT,
        url TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending','sent','failed','unknown')),
        error TEXT,
        idempotency_key TEXT NOT NULL UNIQUE,
        attempts INTEGER NOT NULL DEFAULT 0
      );
    `);
  },
};
