import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { engineOf } from '../helpers/engine.js';

describe('migration 003: covering index for reports', () => {
  it('migrates a version-1 database with rows, keeping them and replacing the created_at index', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 1);
    expect(await schemaVersion(engineOf(db))).toBe(1);
    const insert = db.prepare(`INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, status, status_changed_at, first_response_at, keyword)
      VALUES ('twitter', 'twitter', ?, 'a', ?, ?, ?, ?, ?, ?, 'acme')`);
    for (let i = 0; i < 50; i++) insert.run(String(i), `text ${i}`, 1000 * i, 1000 * i + 5, i % 2 ? 'replied' : 'new', 1000, i % 2 ? 1000 * i + 60 : null);
    // The version-1 columns only: later migrations may add their own.
    const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').all('mentions') as { name: string }[]).map((c) => c.name).join(', ');
    const before = db.prepare(`SELECT ${columns} FROM mentions ORDER BY id`).all();

    await migrate(engineOf(db), ':memory:');
    expect(await schemaVersion(engineOf(db))).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
    expect(db.prepare(`SELECT ${columns} FROM mentions ORDER BY id`).all()).toEqual(before);
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'mentions'").all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toContain('mentions_report');
    expect(indexes).not.toContain('mentions_created');

    // A week's figures are read from the index alone.
    const plan = (db.prepare(`EXPLAIN QUERY PLAN SELECT platform, status, category, keyword, count(*), sum(first_response_at - created_at), max(fetched_at)
      FROM mentions WHERE created_at >= ? AND created_at < ? AND thread_id IS NULL GROUP BY platform`).all(0, 10_000) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/USING COVERING INDEX mentions_report/);
    db.close();
  });
});
