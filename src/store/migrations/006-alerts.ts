import type { Migration } from './migration.js';

/**
 * The alert log, which is also the webhook outbox (a failed delivery stays `failed` and is retried on
 * the next run), the engagement each open mention had when alerts last looked at it (the viral-risk
 * signal compares against it), and the alert evaluator's own position.
 */
export const migration: Migration = {
  version: 6,
  name: 'alerts',
  up: async (db) => {
    await db.exec(`
      CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('new','sla_soon','breach','viral','spike')),
        mention_id INTEGER REFERENCES mentions(id),
        keyword TEXT,
        raised_at INTEGER NOT NULL,
        title TEXT NOT NULL,
        payload TEXT NOT NULL,
        folded_into TEXT,
        quiet INTEGER NOT NULL DEFAULT 0,
        delivery TEXT NOT NULL CHECK (delivery IN ('none','pending','sent','failed','folded')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        delivered_at INTEGER,
        last_error TEXT
      );
      CREATE INDEX alerts_outbox ON alerts (id) WHERE delivery IN ('pending','failed');
      CREATE INDEX alerts_raised ON alerts (raised_at);
      CREATE INDEX alerts_spikes ON alerts (keyword, raised_at) WHERE kind = 'spike';

      CREATE TABLE engagement_snapshots (
        mention_id INTEGER PRIMARY KEY REFERENCES mentions(id),
        engagement INTEGER NOT NULL,
        at INTEGER NOT NULL
      );

      CREATE TABLE alert_state (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
    `);
  },
};
