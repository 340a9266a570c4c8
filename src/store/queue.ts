/** The queue's queries: open items (src/metrics/open.ts) in priority order, and their stored priority. */
import type { Db } from './open.js';
import { statement } from './statements.js';
import { rowToMention, searchConditions, type Mention, type MentionSearch } from './mentions.js';
import { openItemSql } from '../metrics/open.js';

type MentionRow = Parameters<typeof rowToMention>[0];

/** Open items matching the search, most urgent first (oldest first among equals). */
export function openItemsByPriority(db: Db, options: MentionSearch & { limit: number }): Mention[] {
  const { where, params } = searchConditions(options);
  return statement<unknown[], MentionRow>(
    db,
    `SELECT * FROM mentions m WHERE ${openItemSql('m.')}${where.map((w) => ` AND ${w}`).join('')} ORDER BY m.priority DESC, m.created_at ASC LIMIT ?`,
  )
    .all(...params, options.limit)
    .map(rowToMention);
}

export function countOpenItems(db: Db, search: MentionSearch = {}): number {
  const { where, params } = searchConditions(search);
  return statement<unknown[], { n: number }>(db, `SELECT count(*) AS n FROM mentions m WHERE ${openItemSql('m.')}${where.map((w) => ` AND ${w}`).join('')}`).get(...params)?.n ?? 0;
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
