import type { Migration } from './migration.js';

/**
 * Working as a team. Each item may be assigned to a person (`assign`); a triage session claims the item it
 * has open (one row per item: the primary key is the claim, so of two sessions racing for an item the
 * database lets one win); a reply records the person who sent it, so the report can count each person's
 * first responses; assignments join the audit trail as their own kind of event.
 *
 * The new tables are written in the SQL both engines read (bigint, text). The events table's kind check
 * is rebuilt on SQLite (a CHECK cannot be altered there) and altered in place on PostgreSQL.
 */
export const migration: Migration = {
  version: 12,
  name: 'team',
  up: async (db) => {
    await db.exec(`
      ALTER TABLE mentions ADD COLUMN assigned_to text;
      CREATE INDEX mentions_assigned ON mentions (assigned_to) WHERE assigned_to IS NOT NULL;

      CREATE TABLE claims (
        mention_id bigint PRIMARY KEY REFERENCES mentions(id),
        person text NOT NULL,
        claimed_at bigint NOT NULL,
        active_at bigint NOT NULL
      );

      ALTER TABLE responses ADD COLUMN actor text;
      -- Our replies sent before this version: the person is the actor of the reply's audit event.
      UPDATE responses SET actor = (
        SELECT e.actor FROM events e
        WHERE e.kind = 'response' AND e.mention_id = responses.mention_id AND e.new_value = responses.external_id
        ORDER BY e.id LIMIT 1
      ) WHERE via = 'brandwatch' AND external_id IS NOT NULL;
    `);
    const kinds = "('status','category','note','response','assign')";
    if (db.kind === 'postgres') {
      await db.exec(`
        ALTER TABLE events DROP CONSTRAINT IF EXISTS events_kind_check;
        ALTER TABLE events ADD CONSTRAINT events_kind_check CHECK (kind IN ${kinds});
      `);
      return;
    }
    await db.exec(`
      CREATE TABLE events_new (
        id INTEGER PRIMARY KEY,
        mention_id INTEGER NOT NULL REFERENCES mentions(id),
        at INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ${kinds}),
        old_value TEXT,
        new_value TEXT,
        actor TEXT NOT NULL
      );
      INSERT INTO events_new (id, mention_id, at, kind, old_value, new_value, actor)
        SELECT id, mention_id, at, kind, old_value, new_value, actor FROM events ORDER BY id;
      DROP TABLE events;
      ALTER TABLE events_new RENAME TO events;
      CREATE INDEX events_mention ON events (mention_id, at);
      CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    `);
  },
};
