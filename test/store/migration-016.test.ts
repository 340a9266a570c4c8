import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { countMatching, listMentions } from '../../src/store/mentions.js';
import { countOpenItems, openItemsByPriority } from '../../src/store/queue.js';
import { indexSearchText } from '../../src/store/search-index.js';
import { openStore } from '../../src/store/open.js';
import { storePage } from '../../src/poll/poll-sources.js';
import type { NewMention } from '../../src/sources/types.js';
import { engineOf } from '../helpers/engine.js';
import { newMention } from '../helpers/mentions.js';

const NOW = Date.UTC(2026, 11, 2, 9, 0);

function seed(db: Database.Database, id: number, text: string): void {
  db.prepare(`INSERT INTO mentions (id, platform, source, external_id, author_handle, author_id, text, created_at, fetched_at, keywords, status, status_changed_at)
    VALUES (?, 'twitter', 'twitter', ?, 'kim', 'k1', ?, ?, ?, '["acme"]', 'new', ?)`).run(id, String(id), text, NOW - id * 60_000, NOW, NOW);
}

const mention = (id: number, text: string): NewMention => newMention(id, NOW - 1000 + id, { text });

const watermark = (db: Database.Database) => (db.prepare('SELECT indexed_to FROM mentions_fts_watermark').get() as { indexed_to: number }).indexed_to;
const indexed = (db: Database.Database, word: string) =>
  (db.prepare('SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ? ORDER BY rowid').all(`"${word}"*`) as { rowid: number }[]).map((r) => r.rowid);
/** FTS5's check of the index against the mentions table itself: a stale, missing or doubled entry fails it. */
const consistent = (db: Database.Database) => db.prepare("INSERT INTO mentions_fts (mentions_fts, rank) VALUES ('integrity-check', 1)").run();

describe('migration 016: the search index written in bulk', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps what a version-15 store indexed, drops the unread author index, and stops indexing row by row', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 15);
    seed(db, 1, 'Acme broadband outage in Leeds');
    seed(db, 2, 'Crème brûlée at the Acme café');
    const before = db.prepare('SELECT * FROM mentions ORDER BY id').all();
    expect(indexed(db, 'outage')).toEqual([1]);

    await migrate(engineOf(db), ':memory:');
    expect(await schemaVersion(engineOf(db))).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT * FROM mentions ORDER BY id').all()).toEqual(before);
    expect(watermark(db)).toBe(2);
    expect(indexed(db, 'creme')).toEqual([2]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'mentions_author_items'").all()).toEqual([]);
    consistent(db);

    // A new row is not indexed when stored, only by the bulk step.
    seed(db, 3, 'Acme router flashing red');
    expect(indexed(db, 'router')).toEqual([]);
    expect(await indexSearchText(engineOf(db))).toBe(1);
    expect(indexed(db, 'router')).toEqual([3]);
    expect(watermark(db)).toBe(3);
    expect(await indexSearchText(engineOf(db))).toBe(0);
    consistent(db);
  });

  it('a search finds a mention stored after the last indexing, and nothing stale after an edit or a delete', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:');
    const engine = engineOf(db);
    const found = async (search: string) => (await listMentions(engine, { search, followUps: true })).map((m) => m.externalId).sort();
    const store = (mentions: NewMention[]) => storePage({ db: engine, now: () => NOW }, { name: 'x', prices: undefined }, 'all', { mentions, ownReplies: [], cursor: { at: 1 }, postsRead: mentions.length });
    await store([mention(1, 'Acme hub dead again'), mention(2, 'acme engineer visit booked')]);
    expect(await indexSearchText(engine)).toBe(2);
    expect(await found('hub')).toEqual(['1']);

    // Stored since the last indexing: found through the connection's own index of the rest, by every search.
    await store([mention(3, 'Acme router flashing red'), mention(4, 'acme hub fine now')]);
    expect(indexed(db, 'router')).toEqual([]);
    expect(await found('router')).toEqual(['3']);
    expect(await found('hub')).toEqual(['1', '4']);
    expect(await countMatching(engine, { search: 'hub', followUps: true })).toBe(2);
    expect((await openItemsByPriority(engine, { search: 'router', limit: 10 })).map((m) => m.externalId)).toEqual(['3']);
    expect(await countOpenItems(engine, { search: 'router' })).toBe(1);

    // Edits and deletes, of an indexed row (1) and of one not indexed yet (3).
    db.prepare("UPDATE mentions SET text = 'Acme modem replaced' WHERE external_id = '1'").run();
    db.prepare("UPDATE mentions SET text = 'Acme router fixed' WHERE external_id = '3'").run();
    expect(await found('hub')).toEqual(['4']);
    expect(await found('modem')).toEqual(['1']);
    expect(await found('flashing')).toEqual([]);
    expect(await found('fixed')).toEqual(['3']);
    db.prepare("DELETE FROM mentions WHERE external_id IN ('2', '4')").run();
    expect(await found('hub')).toEqual([]);
    expect(await found('engineer')).toEqual([]);
    expect(await found('acme')).toEqual(['1', '3']);

    await indexSearchText(engine);
    expect(await found('fixed')).toEqual(['3']);
    expect(await found('acme')).toEqual(['1', '3']);
    consistent(db);
  });

  it('a rowid reused after a delete at the top is indexed as it is stored', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:');
    seed(db, 1, 'acme first');
    seed(db, 2, 'acme outage');
    await indexSearchText(engineOf(db));
    db.prepare('DELETE FROM mentions WHERE id = 2').run();
    // No explicit id: SQLite gives the new row max(rowid) + 1, the deleted row's id, below the watermark.
    db.prepare(`INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at)
      VALUES ('twitter', 'twitter', '9', 'kim', 'acme refund please', ?, ?, '[]', 'new', ?)`).run(NOW, NOW, NOW);
    expect(db.prepare("SELECT id FROM mentions WHERE external_id = '9'").get()).toEqual({ id: 2 });
    expect(indexed(db, 'refund')).toEqual([2]);
    expect(indexed(db, 'outage')).toEqual([]);
    expect(await indexSearchText(engineOf(db))).toBe(0);
    expect((await listMentions(engineOf(db), { search: 'refund' })).map((m) => m.externalId)).toEqual(['9']);
    consistent(db);
  });

  it('a reading command on a read-only file finds what is not indexed yet, and leaves the file as it was', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bw-016-'));
    dirs.push(dir);
    const path = join(dir, 'store.db');
    const writer = await openStore(path);
    const db = (writer.db as unknown as { connection: Database.Database }).connection;
    seed(db, 1, 'acme outage Leeds');
    await writer.close();
    const reader = await openStore(path, { readOnly: true });
    try {
      expect((await listMentions(reader.db, { search: 'leeds' })).map((m) => m.externalId)).toEqual(['1']);
    } finally {
      await reader.close();
    }
    const after = new Database(path, { readonly: true });
    expect(watermark(after)).toBe(0);
    expect(indexed(after, 'leeds')).toEqual([]);
    after.close();
  });
});
