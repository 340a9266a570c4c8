import type { Migration } from './migration.js';

/**
 * Cheaper ingest. On SQLite the text-search index (migration 010) is no longer written row by row: a poll
 * stores 100 rows per transaction, and FTS5 flushed and merged one index segment for each, which halved what
 * ingest could store; indexed in one statement, the same rows cost about a twentieth of that. Rows up to
 * `mentions_fts_watermark.indexed_to` are in the index; the rest are indexed by `indexSearchText`
 * (src/store/search-index.ts, after each poll) and searched meanwhile through a connection's own temporary
 * index (`prepareSearch`), so a search never misses a stored mention. The delete and update triggers keep only
 * indexed rows in step; an insert at or below the watermark (a reused rowid after a delete) is indexed at once.
 *
 * `mentions_author_items` (migration 013) goes on both engines: the DM lookup it was made for matches the
 * author by id or by `lower(author_handle)`, which no index serves, and the planner reads that query through
 * the unique key's platform prefix instead; every new row paid for an index nothing read.
 *
 * PostgreSQL keeps its GIN index, which the database keeps in step itself.
 */
export const migration: Migration = {
  version: 16,
  name: 'lazy-search-index',
  up: async (db) => {
    await db.exec('DROP INDEX IF EXISTS mentions_author_items');
    if (db.kind === 'postgres') return;
    const indexed = '(SELECT indexed_to FROM mentions_fts_watermark WHERE id = 1)';
    // Every row stored so far is in the index: migration 010's insert trigger wrote it.
    await db.exec(`
      CREATE TABLE mentions_fts_watermark (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_to INTEGER NOT NULL
      );
      INSERT INTO mentions_fts_watermark (id, indexed_to) VALUES (1, (SELECT coalesce(max(id), 0) FROM mentions));
      DROP TRIGGER mentions_fts_insert;
      DROP TRIGGER mentions_fts_delete;
      DROP TRIGGER mentions_fts_update;
      CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions WHEN new.id <= ${indexed} BEGIN
        INSERT INTO mentions_fts (rowid, text) VALUES (new.id, new.text);
      END;
      CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions WHEN old.id <= ${indexed} BEGIN
        INSERT INTO mentions_fts (mentions_fts, rowid, text) VALUES ('delete', old.id, old.text);
      END;
      CREATE TRIGGER mentions_fts_update AFTER UPDATE OF text ON mentions WHEN old.id <= ${indexed} BEGIN
        INSERT INTO mentions_fts (mentions_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO mentions_fts (rowid, text) VALUES (new.id, new.text);
      END;
    `);
  },
};
