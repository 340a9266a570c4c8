import type { Migration } from './migration.js';

/**
 * Direct messages in the same queue: a DM is a row of `mentions` with `channel = 'dm'` and its
 * conversation's id (the same unique key, platform + the DM event's id); our answers say which channel
 * they went by. An item remembers when it went private (taken private, or a DM joined it), when it was
 * first answered privately and when it was resolved — the report's private figures (src/metrics/private.ts).
 * Plain DDL that also reads as PostgreSQL.
 */
export const migration: Migration = {
  version: 13,
  name: 'direct-messages',
  up: (db) => {
    db.exec(`
      ALTER TABLE mentions ADD COLUMN channel TEXT NOT NULL DEFAULT 'public' CHECK (channel IN ('public', 'dm'));
      ALTER TABLE mentions ADD COLUMN dm_conversation_id TEXT;
      ALTER TABLE mentions ADD COLUMN private_at INTEGER;
      ALTER TABLE mentions ADD COLUMN first_private_response_at INTEGER;
      ALTER TABLE mentions ADD COLUMN resolved_at INTEGER;
      ALTER TABLE responses ADD COLUMN channel TEXT NOT NULL DEFAULT 'public' CHECK (channel IN ('public', 'dm'));
      CREATE INDEX mentions_author_items ON mentions (platform, author_id, author_handle) WHERE thread_id IS NULL;
      UPDATE mentions SET private_at = status_changed_at WHERE status = 'private';
      UPDATE mentions SET resolved_at = status_changed_at WHERE status = 'resolved';
    `);
  },
};
