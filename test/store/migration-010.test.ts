import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { listMentions } from '../../src/store/mentions.js';
import { draftFor, discardDraft, saveDraft } from '../../src/store/drafts.js';
import { engineOf } from '../helpers/engine.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0);

describe('migration 010: search and drafts', () => {
  it('indexes the mentions a version-7 store already holds, then keeps the index in step', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 7);
    expect(await schemaVersion(engineOf(db))).toBe(7);
    const insert = db.prepare(`INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at)
      VALUES ('twitter', 'twitter', ?, 'a', ?, ?, ?, '["acme"]', 'new', ?)`);
    insert.run('1', 'Acme broadband outage in Leeds', NOW, NOW, NOW);
    insert.run('2', 'Crème brûlée at the Acme café', NOW, NOW, NOW);

    await migrate(engineOf(db), ':memory:');
    expect(await schemaVersion(engineOf(db))).toBe(SCHEMA_VERSION);
    const found = async (search: string) => (await listMentions(engineOf(db), { search })).map((m) => m.externalId);
    expect(await found('outage')).toEqual(['1']);
    expect(await found('OUTAG')).toEqual(['1']);
    // Accents fold; every word must appear.
    expect(await found('creme brulee')).toEqual(['2']);
    expect(await found('acme leeds')).toEqual(['1']);
    // New, edited and deleted rows follow through the triggers.
    insert.run('3', 'Acme router flashing red', NOW, NOW, NOW);
    expect(await found('router')).toEqual(['3']);
    db.prepare("UPDATE mentions SET text = 'Acme hub fine now' WHERE external_id = '3'").run();
    expect(await found('router')).toEqual([]);
    expect(await found('hub')).toEqual(['3']);
    db.prepare("DELETE FROM mentions WHERE external_id = '3'").run();
    expect(await found('hub')).toEqual([]);
    expect(db.prepare("INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')").run().changes).toBeGreaterThanOrEqual(0);
  });

  it('keeps one draft per mention until it is discarded; an empty draft is none', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:');
    db.prepare(`INSERT INTO mentions (id, platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at)
      VALUES (1, 'twitter', 'twitter', '1', 'a', 'acme', ?, ?, '[]', 'new', ?)`).run(NOW, NOW, NOW);
    await saveDraft(engineOf(db), 1, 'first words', NOW);
    await saveDraft(engineOf(db), 1, 'better words', NOW + 1);
    expect(await draftFor(engineOf(db), 1)).toEqual({ mentionId: 1, text: 'better words', updatedAt: NOW + 1 });
    await saveDraft(engineOf(db), 1, '   ', NOW + 2);
    expect(await draftFor(engineOf(db), 1)).toBeNull();
    await saveDraft(engineOf(db), 1, 'again', NOW + 3);
    await discardDraft(engineOf(db), 1);
    expect(await draftFor(engineOf(db), 1)).toBeNull();
  });
});
