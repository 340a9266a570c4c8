import type { Db } from './open.js';
import { statement } from './statements.js';

/** How far back open mentions still get their metrics refreshed. */
const REFRESH_WINDOW = 7 * 86_400_000;

/**
 * External ids of a source's open mentions (new or seen) from the last week whose metrics were last
 * read before `before`, newest first: the ones a metrics refresh should read again.
 */
export function openMentionsToRefresh(db: Db, source: string, before: number, limit: number): string[] {
  return statement<[string, number, number, number], { external_id: string }>(
    db,
    `SELECT external_id FROM mentions WHERE source = ? AND status IN ('new', 'open') AND created_at >= ?
       AND coalesce(metrics_updated_at, fetched_at) < ? ORDER BY created_at DESC LIMIT ?`,
  )
    .all(source, before - REFRESH_WINDOW, before, limit)
    .map((r) => r.external_id);
}
