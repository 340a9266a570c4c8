import type { Db } from './open.js';
import { REFRESH_MAX_AGE, REFRESH_SCHEDULE } from '../metrics/refresh.js';

// Typed parameters: PostgreSQL cannot tell the type of `@now - @maxAge` from the values alone.
/** The schedule of src/metrics/refresh.ts as SQL: the re-read interval for a mention's age (`:now - created_at`). */
const INTERVAL_SQL = `CASE ${REFRESH_SCHEDULE.map(([maxAge, every]) => `WHEN CAST(@now AS BIGINT) - created_at < ${maxAge} THEN ${every}`).join(' ')} END`;

/**
 * External ids of a source's open mentions (new or seen) due a metrics refresh by their age's schedule,
 * youngest first (the likeliest to go viral): never past a day, never once handled.
 */
export async function openMentionsToRefresh(db: Db, source: string, now: number, limit: number): Promise<string[]> {
  const rows = await db.all<{ external_id: string }>(
    `SELECT external_id FROM mentions WHERE source = @source AND status IN ('new', 'open') AND created_at > CAST(@now AS BIGINT) - CAST(@maxAge AS BIGINT)
       AND coalesce(metrics_updated_at, fetched_at) <= CAST(@now AS BIGINT) - (${INTERVAL_SQL}) ORDER BY created_at DESC LIMIT @limit`,
    { source, now, maxAge: REFRESH_MAX_AGE, limit },
  );
  return rows.map((r) => r.external_id);
}
