import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { appendEvent, eventsFor } from '../../src/store/events.js';
import { claimItem } from '../../src/store/team.js';
import { engineOf } from '../helpers/engine.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0);

describe('migration 012: team', () => {
  it('keeps the audit trail whole and append-only, takes assignments into it, and names who sent each reply of ours', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 11);
    expect(await schemaVersion(engineOf(db))).toBe(11);
    db.prepare(`INSERT INTO mentions (id, platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at)
      VALUES (1, 'twitter', 'twitter', '100', 'kim', '@acme_help hi', ?, ?, '[]', 'replied', ?)`).run(NOW, NOW, NOW);
    const event = db.prepare('INSERT INTO events (mention_id, at, kind, old_value, new_value, actor) VALUES (1, ?, ?, ?, ?, ?)');
    event.run(NOW, 'status', 'new', 'open', 'dana');
    event.run(NOW + 1, 'response', null, '200', 'dana');
    const response = db.prepare(`INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state) VALUES (1, 'twitter', ?, 'hi', ?, ?, ?, 'sent')`);
    response.run('200', NOW + 1, NOW + 1, 'brandwatch');
    response.run('300', NOW + 2, NOW + 2, 'native');
    const before = db.prepare('SELECT * FROM events ORDER BY id').all();

    await migrate(engineOf(db), ':memory:');
    expect(await schemaVersion(engineOf(db))).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT * FROM events ORDER BY id').all()).toEqual(before);
    expect(db.prepare('SELECT external_id, actor FROM responses ORDER BY id').all()).toEqual([
      { external_id: '200', actor: 'dana' },
      { external_id: '300', actor: null },
    ]);
    expect(() => db.exec('DELETE FROM events')).toThrow(/append-only/);
    expect(() => db.exec("UPDATE events SET actor = 'mallory'")).toThrow(/append-only/);
    expect(() => event.run(NOW, 'gossip', null, null, 'dana')).toThrow(/CHECK/);
    await appendEvent(engineOf(db), { mentionId: 1, at: NOW + 3, kind: 'assign', oldValue: null, newValue: 'kim', actor: 'dana' });
    expect((await eventsFor(engineOf(db), 1)).map((e) => e.kind)).toEqual(['status', 'response', 'assign']);
    expect(await claimItem(engineOf(db), 1, 'kim', NOW)).toEqual({ ok: true });
    expect(db.prepare('SELECT assigned_to FROM mentions').get()).toEqual({ assigned_to: null });
  });
});
