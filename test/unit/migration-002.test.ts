import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../../src/store/migrate.js';
import { getMention, insertMentions } from '../../src/store/mentions.js';
import { engineOf } from '../helpers/engine.js';

describe('migration 002 (triage)', () => {
  it('keeps version-1 rows and adds the metrics snapshot, outbox columns and posts', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 1);
    expect(await schemaVersion(engineOf(db))).toBe(1);
    db.prepare(
      `INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, status_changed_at, likes, category, category_manual)
       VALUES ('twitter', 'twitter', '1861234567890123456', 'kim', 'acme is down', 1000, 2000, 2000, 7, 'problem', 1)`,
    ).run();
    db.prepare("INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state) VALUES (1, 'twitter', '99', 'hi', 3000, 3000, 'native', 'sent')").run();

    await migrate(engineOf(db), ':memory:', 2);
    expect(await schemaVersion(engineOf(db))).toBe(2);
    const mention = (await getMention(engineOf(db), 1))!;
    expect(mention).toMatchObject({ externalId: '1861234567890123456', likes: 7, category: 'problem', categoryManual: true, previousEngagement: null });
    expect(db.prepare('SELECT idempotency_key, attempts, state FROM responses').get()).toEqual({ idempotency_key: null, attempts: 0, state: 'sent' });
    expect(db.prepare('SELECT count(*) AS n FROM posts').get()).toEqual({ n: 0 });

    // A later poll (by a brandwatch at the current schema) keeps the old metrics as the previous snapshot; the person's category stays.
    await migrate(engineOf(db), ':memory:');
    const seen = { platform: 'twitter', externalId: '1861234567890123456', url: null, authorHandle: 'kim', authorName: null, authorId: null, authorFollowers: 5, text: 'acme is down', lang: 'en', createdAt: 1000, keywords: ['acme'], inReplyTo: null, conversationId: null, summonsBrand: false, metrics: { likes: 40, reposts: 3, replies: 0, quotes: 0 } };
    db.prepare('UPDATE mentions SET metrics_updated_at = 2000').run();
    await insertMentions(engineOf(db), 'twitter', [seen], 5000, () => ({ category: 'praise', sentiment: 1, priority: 1 }));
    expect(await getMention(engineOf(db), 1)).toMatchObject({ likes: 40, category: 'problem', previousEngagement: { likes: 7, reposts: 0, replies: 0, quotes: 0, at: 2000 }, metricsUpdatedAt: 5000 });
    db.close();
  });
});
