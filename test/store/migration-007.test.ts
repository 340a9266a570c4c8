import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { getMention, insertMentions } from '../../src/store/mentions.js';
import { runAlerts } from '../../src/alerts/run.js';
import { configSchema } from '../../src/config/schema.js';
import type { NewMention } from '../../src/sources/types.js';
import { engineOf } from '../helpers/engine.js';

const MIN = 60_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 20, 12, 0);
const READ = NOW - 10 * MIN;

describe('migration 007: one engagement history', () => {
  it('moves the alert snapshots into the mentions\' engagement history and drops the table', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 6);
    expect(await schemaVersion(engineOf(db))).toBe(6);
    const insert = db.prepare(`INSERT INTO mentions (id, platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at,
        likes, reposts, replies, quotes, metrics_updated_at, prev_likes, prev_reposts, prev_replies, prev_quotes, prev_metrics_at, category, priority)
      VALUES (@id, 'twitter', 'twitter', @ext, 'a', 'acme', @createdAt, @createdAt, '["acme"]', 'open', @createdAt,
        @likes, 1, 0, 0, @at, @prevLikes, @prevReposts, 0, 0, @prevAt, 'complaint', 60)`);
    const old = NOW - 10 * DAY;
    // 1: one reading only, and an older snapshot from alerts: the snapshot becomes its previous reading.
    insert.run({ id: 1, ext: '1', createdAt: old, likes: 30, at: READ, prevLikes: null, prevReposts: null, prevAt: null });
    // 2: already has a previous reading: kept as it is.
    insert.run({ id: 2, ext: '2', createdAt: old, likes: 40, at: READ, prevLikes: 2, prevReposts: 1, prevAt: READ - 10 * MIN });
    // 3: no snapshot at all.
    insert.run({ id: 3, ext: '3', createdAt: old, likes: 5, at: READ, prevLikes: null, prevReposts: null, prevAt: null });
    // 4: a snapshot of its only reading: nothing older to keep.
    insert.run({ id: 4, ext: '4', createdAt: old, likes: 7, at: READ, prevLikes: null, prevReposts: null, prevAt: null });
    const snapshot = db.prepare('INSERT INTO engagement_snapshots (mention_id, engagement, at) VALUES (?, ?, ?)');
    snapshot.run(1, 12, READ - 20 * MIN);
    snapshot.run(2, 41, READ);
    snapshot.run(4, 8, READ);
    db.prepare("INSERT INTO alert_state (name, value) VALUES ('last_mention_id', 4)").run();
    const before = db.prepare('SELECT * FROM mentions WHERE id IN (2, 3, 4) ORDER BY id').all();

    await migrate(engineOf(db), ':memory:', 7);
    expect(await schemaVersion(engineOf(db))).toBe(7);
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(7);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'engagement_snapshots'").all()).toEqual([]);
    expect((await getMention(engineOf(db), 1))!.previousEngagement).toEqual({ likes: 12, reposts: 0, replies: 0, quotes: 0, at: READ - 20 * MIN });
    expect(db.prepare('SELECT * FROM mentions WHERE id IN (2, 3, 4) ORDER BY id').all()).toEqual(before);
    // How far alerts had looked at engagement, so readings they judged are not judged again.
    expect(db.prepare('SELECT name, value FROM alert_state ORDER BY name').all()).toEqual([
      { name: 'last_mention_id', value: 4 },
      { name: 'metrics_seen_until', value: READ },
    ]);

    // Alerts carry on from the moved history (on today's schema): nothing judged before is raised again…
    await migrate(engineOf(db), ':memory:');
    const config = configSchema.parse({ brand: 'Acme', keywords: ['acme'], sources: [{ platform: 'twitter', bearerTokenEnv: 'T' }], alerts: { slaMinPriority: 'urgent' } });
    const evaluate = (now: number) => runAlerts({ db: engineOf(db), config, env: {}, now, timeZone: 'UTC', signal: new AbortController().signal, verbose: () => undefined });
    expect((await evaluate(NOW)).raised).toEqual([]);
    // …and the next poll's reading of mention 3 is measured against the one before.
    const seen: NewMention = {
      platform: 'twitter', externalId: '3', url: null, authorHandle: 'a', authorName: null, authorId: null, authorFollowers: null, text: 'acme', lang: null,
      createdAt: old, keywords: ['acme'], inReplyTo: null, conversationId: null, summonsBrand: false, metrics: { likes: 80, reposts: 1, replies: 0, quotes: 0 },
    };
    await engineOf(db).transaction(async (tx) => await insertMentions(tx, 'twitter', [seen], NOW));
    const viral = (await evaluate(NOW)).raised;
    expect(viral.map((a) => [a.kind, a.mentionId, a.payload.details])).toEqual([['viral', 3, { level: 'high', growth: 75, perHour: 450, engagement: 81 }]]);
    db.close();
  });
});
