import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { claimReplyAttempt, insertPendingResponse, openAttempts } from '../../src/store/responses.js';
import { engineOf } from '../helpers/engine.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0);

async function withMention(version?: number): Promise<Database.Database> {
  const db = new Database(':memory:');
  await migrate(engineOf(db), ':memory:', version);
  db.prepare(`INSERT INTO mentions (id, platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at)
    VALUES (1, 'twitter', 'twitter', '100', 'kim', '@acme_help hi', ?, ?, '[]', 'new', ?)`).run(NOW, NOW, NOW);
  return db;
}

describe('migration 009: one reply attempt per mention at a time', () => {
  it('keeps the newest of several pending attempts of a mention and leaves the others unknown, then enforces one', async () => {
    const db = await withMention(7);
    const insert = db.prepare(`INSERT INTO responses (mention_id, platform, text, created_at, via, state, idempotency_key, attempts)
      VALUES (1, 'twitter', ?, ?, 'brandwatch', 'pending', ?, 1)`);
    insert.run('first', NOW, 'k1');
    insert.run('second', NOW + 1000, 'k2');
    db.prepare(`INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state) VALUES (1, 'twitter', '200', 'phone', ?, ?, 'native', 'sent')`).run(NOW, NOW);
    await migrate(engineOf(db), ':memory:');
    expect(await schemaVersion(engineOf(db))).toBe(SCHEMA_VERSION);
    expect(db.prepare('SELECT text, state, attempted_at FROM responses ORDER BY id').all()).toEqual([
      { text: 'first', state: 'unknown', attempted_at: NOW },
      { text: 'second', state: 'pending', attempted_at: NOW + 1000 },
      { text: 'phone', state: 'sent', attempted_at: null },
    ]);
    await expect(insertPendingResponse(engineOf(db), { mentionId: 1, platform: 'twitter', text: 'third', createdAt: NOW, idempotencyKey: 'k3' })).rejects.toThrow(
      /UNIQUE constraint failed: responses\.mention_id/,
    );
  });

  it('a claim while another attempt is pending is refused in the same transaction; --force leaves the other unknown', async () => {
    const db = await withMention();
    const request = { mentionId: 1, platform: 'twitter', text: 'hi', now: NOW, reuse: null, again: false, force: false };
    const first = await claimReplyAttempt(engineOf(db), { ...request, idempotencyKey: 'a' });
    expect(first).toMatchObject({ ok: true });
    expect(await claimReplyAttempt(engineOf(db), { ...request, idempotencyKey: 'b' })).toMatchObject({ ok: false, reason: 'in-progress', attempt: { state: 'pending' } });
    expect(await claimReplyAttempt(engineOf(db), { ...request, idempotencyKey: 'c', force: true })).toMatchObject({ ok: true });
    expect((await openAttempts(engineOf(db), 1)).map((a) => a.state)).toEqual(['unknown', 'pending']);
  });
});
