import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { engineOf } from '../helpers/engine.js';

const NOW = Date.UTC(2026, 10, 30, 9, 0);

function seed(db: Database.Database, id: number, status: string, threadId: number | null, priority: number): void {
  db.prepare(`INSERT INTO mentions (id, platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at,
      thread_id, conversation_id, priority, metrics_updated_at)
    VALUES (?, 'twitter', 'twitter', ?, 'kim', ?, ?, ?, '["acme"]', ?, ?, ?, ?, ?, ?)`).run(
    id, String(id), `acme words ${id}`, NOW - id * 60_000, NOW, status, NOW, threadId, threadId === null ? String(id) : String(threadId), priority, NOW,
  );
}

function indexes(db: Database.Database): Record<string, string> {
  const rows = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'mentions' AND sql IS NOT NULL").all() as { name: string; sql: string }[];
  return Object.fromEntries(rows.map((r) => [r.name, r.sql.replace(/\s+/g, ' ')]));
}

describe('migration 015: queue indexes and due priorities', () => {
  it('keeps every row as it was, makes every priority due, and swaps the indexes', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 13);
    seed(db, 1, 'new', null, 55.5);
    seed(db, 2, 'open', 1, 10);
    seed(db, 3, 'replied', null, 70);
    seed(db, 4, 'resolved', null, 0);
    seed(db, 5, 'open', null, 99.9);
    const before = db.prepare('SELECT * FROM mentions ORDER BY id').all();
    const search = db.prepare("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH 'words' ORDER BY rowid").all();
    expect(Object.keys(indexes(db))).toEqual(expect.arrayContaining(['mentions_status_priority', 'mentions_platform_created']));

    await migrate(engineOf(db), ':memory:');
    expect(await schemaVersion(engineOf(db))).toBe(SCHEMA_VERSION);
    const after = db.prepare('SELECT * FROM mentions ORDER BY id').all() as Record<string, unknown>[];
    expect(after.map(({ priority_due_at, ...rest }) => rest)).toEqual(before);
    expect(after.map((r) => r.priority_due_at)).toEqual([0, 0, 0, 0, 0]);
    expect(db.prepare("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH 'words' ORDER BY rowid").all()).toEqual(search);
    expect(db.prepare('SELECT count(*) AS n FROM priority_inputs').get()).toEqual({ n: 0 });

    const now = indexes(db);
    expect(now.mentions_status_priority).toBeUndefined();
    expect(now.mentions_platform_created).toBeUndefined();
    expect(now.mentions_open_items).toBe("CREATE INDEX mentions_open_items ON mentions (platform, created_at) WHERE (status IN ('new', 'open') AND thread_id IS NULL)");
    expect(now.mentions_open).toBe("CREATE INDEX mentions_open ON mentions (created_at) WHERE (status IN ('new', 'open'))");
    expect(now.mentions_priority_due).toMatch(/ON mentions \(priority_due_at\) WHERE priority_due_at IS NOT NULL AND \(status IN/);
    // The partial indexes hold what they say: the open items (1, 5), the open mentions (1, 2, 5).
    expect(db.prepare('SELECT id FROM mentions INDEXED BY mentions_open_items WHERE status IN (\'new\', \'open\') AND thread_id IS NULL ORDER BY id').all()).toEqual([{ id: 1 }, { id: 5 }]);
    expect(db.prepare('SELECT id FROM mentions INDEXED BY mentions_open WHERE (status IN (\'new\', \'open\')) ORDER BY id').all()).toEqual([{ id: 1 }, { id: 2 }, { id: 5 }]);
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
  });
});
