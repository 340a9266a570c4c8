import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { insertMentions } from '../../src/store/mentions.js';
import type { NewMention } from '../../src/sources/types.js';
import { engineOf } from '../helpers/engine.js';

const NOW = Date.UTC(2026, 10, 30, 9, 0);

function seed(db: Database.Database, id: number, status: string, changedAt: number): void {
  db.prepare(`INSERT INTO mentions (id, platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at)
    VALUES (?, 'twitter', 'twitter', ?, 'kim', 'hi', ?, ?, '[]', ?, ?)`).run(id, String(id), NOW, NOW, status, changedAt);
}

const dm: NewMention = {
  platform: 'twitter',
  externalId: '900',
  url: null,
  authorHandle: 'kim',
  authorName: null,
  authorId: '7',
  authorFollowers: null,
  text: 'private words',
  lang: null,
  createdAt: NOW + 5000,
  keywords: [],
  inReplyTo: null,
  conversationId: null,
  summonsBrand: true,
  metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 },
  channel: 'dm',
  dmConversationId: '7-10000',
};

describe('migration 013: direct messages', () => {
  it('keeps every row, marks them public, and dates the items already private or resolved', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 12);
    seed(db, 1, 'new', NOW);
    seed(db, 2, 'private', NOW + 1000);
    seed(db, 3, 'resolved', NOW + 2000);
    db.prepare(`INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state) VALUES (2, 'twitter', '50', 'DM us', ?, ?, 'brandwatch', 'sent')`).run(NOW, NOW);
    await migrate(engineOf(db), ':memory:');
    expect(await schemaVersion(engineOf(db))).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT id, channel, private_at, resolved_at, first_private_response_at FROM mentions ORDER BY id').all()).toEqual([
      { id: 1, channel: 'public', private_at: null, resolved_at: null, first_private_response_at: null },
      { id: 2, channel: 'public', private_at: NOW + 1000, resolved_at: null, first_private_response_at: null },
      { id: 3, channel: 'public', private_at: null, resolved_at: NOW + 2000, first_private_response_at: null },
    ]);
    expect(db.prepare('SELECT channel FROM responses').all()).toEqual([{ channel: 'public' }]);
    expect(() => db.prepare("UPDATE mentions SET channel = 'email' WHERE id = 1").run()).toThrow(/CHECK constraint failed/);
  });

  it('a DM is stored once under the same unique key, private from its own time', async () => {
    const db = new Database(':memory:');
    const engine = engineOf(db);
    await migrate(engine, ':memory:');
    expect(await engine.transaction(async (tx) => await insertMentions(tx, 'twitter', [dm, dm], NOW))).toBe(1);
    expect(await engine.transaction(async (tx) => await insertMentions(tx, 'twitter', [dm], NOW + 1))).toBe(0);
    expect(db.prepare('SELECT channel, dm_conversation_id, private_at, text FROM mentions').all()).toEqual([
      { channel: 'dm', dm_conversation_id: '7-10000', private_at: NOW + 5000, text: 'private words' },
    ]);
  });
});
