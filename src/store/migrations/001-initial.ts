import type { Migration } from './migration.js';

/** Mentions, our responses, the audit trail, polling cursors and API usage. Times are epoch milliseconds (UTC). */
export const migration: Migration = {
  version: 1,
  name: 'initial',
  up: async (db) => {
    await db.exec(`
      CREATE TABLE mentions (
        id INTEGER PRIMARY KEY,
        platform TEXT NOT NULL,
        source TEXT NOT NULL,
        external_id TEXT NOT NULL,
        url TEXT,
        author_handle TEXT NOT NULL,
        author_name TEXT,
        author_id TEXT,
        author_followers INTEGER,
        text TEXT NOT NULL,
        lang TEXT,
        created_at INTEGER NOT NULL,
        fetched_at INTEGER NOT NULL,
        keyword TEXT,
        keywords TEXT NOT NULL DEFAULT '[]',
        in_reply_to TEXT,
        conversation_id TEXT,
        summons_brand INTEGER NOT NULL DEFAULT 0,
        likes INTEGER NOT NULL DEFAULT 0,
        reposts INTEGER NOT NULL DEFAULT 0,
        replies INTEGER NOT NULL DEFAULT 0,
        quotes INTEGER NOT NULL DEFAULT 0,
        metrics_updated_at INTEGER,
        sentiment REAL,
        category TEXT CHECK (category IN ('question','complaint','problem','feedback','praise','promo','other')),
        category_manual INTEGER NOT NULL DEFAULT 0,
        priority REAL NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'new'
          CHECK (status IN ('new','open','replied','private','resolved','ignored','spam')),
        status_changed_at INTEGER NOT NULL,
        first_response_at INTEGER,
        thread_id INTEGER REFERENCES mentions(id),
        UNIQUE (platform, external_id)
      );
      CREATE INDEX mentions_created ON mentions (created_at);
      CREATE INDEX mentions_status_priority ON mentions (status, priority DESC, created_at);
      CREATE INDEX mentions_platform_created ON mentions (platform, created_at);
      CREATE INDEX mentions_conversation ON mentions (platform, conversation_id) WHERE conversation_id IS NOT NULL;
      CREATE INDEX mentions_thread ON mentions (thread_id) WHERE thread_id IS NOT NULL;

      CREATE TABLE responses (
        id INTEGER PRIMARY KEY,
        mention_id INTEGER NOT NULL REFERENCES mentions(id),
        platform TEXT NOT NULL,
        external_id TEXT,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        sent_at INTEGER,
        via TEXT NOT NULL CHECK (via IN ('brandwatch','native')),
        state TEXT NOT NULL CHECK (state IN ('pending','sent','failed','unknown')),
        error TEXT,
        UNIQUE (platform, external_id)
      );
      CREATE INDEX responses_mention ON responses (mention_id, sent_at);

      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        mention_id INTEGER NOT NULL REFERENCES mentions(id),
        at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('status','category','note','response')),
        old_value TEXT,
        new_value TEXT,
        actor TEXT NOT NULL
      );
      CREATE INDEX events_mention ON events (mention_id, at);
      CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

      CREATE TABLE cursors (
        source TEXT NOT NULL,
        query_key TEXT NOT NULL,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (source, query_key)
      );

      CREATE TABLE api_usage (
        source TEXT NOT NULL,
        day TEXT NOT NULL,
        requests INTEGER NOT NULL DEFAULT 0,
        posts_read INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (source, day)
      );
    `);
  },
};
