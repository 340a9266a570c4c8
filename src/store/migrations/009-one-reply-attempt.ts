import type { Migration } from './migration.js';

/**
 * The outbox admits one attempt per mention at a time: at most one `pending` reply of ours per mention,
 * enforced by a partial unique index; and each attempt's time, so a retry can wait out a platform's
 * search index lag. Older databases may hold several pending rows of one mention (two replies raced):
 * all but the newest become `unknown`, so the next attempt looks for them on the platform first.
 */
export const migration: Migration = {
  version: 9,
  name: 'one-reply-attempt',
  up: async (db) => {
    await db.exec(`
      ALTER TABLE responses ADD COLUMN attempted_at INTEGER;
      UPDATE responses SET attempted_at = created_at WHERE via = 'brandwatch';
      UPDATE responses SET state = 'unknown', error = coalesce(error, 'another attempt on this mention ran at the same time')
        WHERE via = 'brandwatch' AND state = 'pending'
          AND id <> (SELECT max(r.id) FROM responses r WHERE r.mention_id = responses.mention_id AND r.via = 'brandwatch' AND r.state = 'pending');
      CREATE UNIQUE INDEX responses_one_pending ON responses (mention_id) WHERE state = 'pending' AND via = 'brandwatch';
    `);
  },
};
