import type { Migration } from './migration.js';

/**
 * The conversation lookup of thread linking (src/store/threads.ts conversationRoot) indexes only the mentions
 * whose conversation is another post's: a conversation's first post carries its own id as the conversation
 * (X, Bluesky, Reddit, Facebook, Hacker News) and is found by the unique key (platform, external_id). The whole
 * index of migration 001 took an entry at a random place for every mention stored, replies or not — the
 * costliest of the indexes ingest writes (dropping it made raw inserts ~30% faster; this one, ~15%).
 */
export const migration: Migration = {
  version: 20,
  name: 'conversation-members-index',
  up: async (db) => {
    await db.exec(`
      DROP INDEX IF EXISTS mentions_conversation;
      CREATE INDEX mentions_conversation_members ON mentions (platform, conversation_id)
        WHERE conversation_id IS NOT NULL AND conversation_id <> external_id;
    `);
  },
};
