import type { Migration } from './migration.js';

/**
 * One engagement history: the current and the previous poll's counters on `mentions` (migration 002)
 * serve priority and alerts alike, so the alerts' own `engagement_snapshots` table goes. What it knew
 * moves first: how far alerts had looked (the newest snapshot's time, as alert state), and a snapshot
 * older than a mention's only reading becomes its previous reading — snapshots kept a sum, and the one
 * engagement formula is that sum, so it lands in `prev_likes` with the other previous counters at 0.
 */
export const migration: Migration = {
  version: 7,
  name: 'engagement-history',
  up: async (db) => {
    await db.exec(`
      UPDATE mentions SET prev_likes = s.engagement, prev_reposts = 0, prev_replies = 0, prev_quotes = 0, prev_metrics_at = s.at
      FROM engagement_snapshots s
      WHERE s.mention_id = mentions.id AND mentions.prev_metrics_at IS NULL AND s.at < coalesce(mentions.metrics_updated_at, 0);

      INSERT INTO alert_state (name, value)
      SELECT 'metrics_seen_until', max(at) FROM engagement_snapshots HAVING max(at) IS NOT NULL
      ON CONFLICT (name) DO NOTHING;

      DROP TABLE engagement_snapshots;
    `);
  },
};
