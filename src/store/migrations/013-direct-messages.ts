import type { Migration } from './migration.js';

/**
 * Direct messages in the same queue: a DM is a row of `mentions` with `channel = 'dm'` and its
 * conversation's id (the same unique key, platform + the DM event's id); our answers say which channel
 * they went by. An item remembers when it went private (taken private, or a DM joined it), when it was
 * first answered privately and when it was resolved — the report's private figures (src/metrics/private.ts).
 * The same columns on both engines: times are bigint on PostgreSQL, INTEGER on SQLite.
 */
export const migration: Migration = {
  version: 13,
  name: 'direct-messages',
  up: async (db) => {
    const time = db.kind === 'postgres' ? 'bigint' : 'INTEGER';
    const channel = `text NOT NULL DEFAULT 'public' CHECK (channel IN ('public', 'dm'))`;
    if (db.kind === 'postgres') {
      await db.exec(`
        ALTER TABLE mentions
          ADD COLUMN channel ${channel},
          ADD COLUMN dm_conversation_id text,
          ADD COLUMN private_at ${time},
          ADD COLUMN first_private_response_at ${time},
          ADD COLUMN resolved_at ${time};
        ALTER TABLE responses ADD COLUMN channel ${channel};
      `);
    } else {
      // SQLite adds one column per statement.
      await db.exec(`
        ALTER TABLE mentions ADD COLUMN channel ${channel};
        ALTER TABLE mentions ADD COLUMN dm_conversation_id text;
        ALTER TABLE mentions ADD COLUMN private_at ${time};
        ALTER TABLE mentions ADD COLUMN first_private_response_at ${time};
        ALTER TABLE mentions ADD COLUMN resolved_at ${time};
        ALTER TABLE responses ADD COLUMN channel ${channel};
      `);
    }
    await db.exec(`
      CREATE INDEX mentions_author_items ON mentions (platform, author_id, author_handle) WHERE thread_id IS NULL;
      UPDATE mentions SET private_at = status_changed_at WHERE status = 'private';
      UPDATE mentions SET resolved_at = status_changed_at WHERE status = 'resolved';
    `);
  },
};
