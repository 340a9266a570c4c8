/** The queue's queries: open items (src/metrics/open.ts) in priority order, and their stored priority. */
import type { Db } from './open.js';
import { statement } from './statements.js';
import { rowToMention, type Mention } from './mentions.js';
import { openItemSql } from '../metrics/open.js';

type MentionRow = Parameters<typeof rowToMention>[0];

/** Open items, most urgent first (oldest first among equals), optionally of one platform. */
export function openItemsByPriority(db: Db, options: { platform?: string | undefined; limit: number }): Mention[] {
  const platform = options.platform ?? null;
  return statement<[string | null, string | null, number], MentionRow>(
    db,
    `SELECT * FROM mentions WHERE ${openItemSql()} AND (? IS NULL OR platform = ?) ORDER BY priority DESC, created_at ASC LIMIT ?`,
  )
    .all(platform, platform, options.limit)
    .map(rowToMention);
}

export function countOpenItems(db: Db, platform?: string): number {
  const p = platform ?? null;
  return statement<[string | null, string | null], { n: number }>(db, `SELECT count(*) AS n FROM mentions WHERE ${openItemSql()} AND (? IS NULL OR platform = ?)`).get(p, p)?.n ?? 0;
}

/** Every open item, in id order. */
export function openItems(db: Db): Mention[] {
  return statement<[], MentionRow>(db, `SELECT * FROM mentions WHERE ${openItemSql()} ORDER BY id`).all().map(rowToMention);
}

/** Store recomputed priorities in one transaction. */
export function setPriorities(db: Db, changes: readonly { id: number; priority: number }[]): void {
  const update = statement(db, 'UPDATE mentions SET priority = ? WHERE id = ?');
  db.transaction(() => {
    for (const c of changes) update.run(c.priority, c.id);
  })();
}
