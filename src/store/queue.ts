/** The queue's queries: open items (src/metrics/open.ts) in priority order, and their stored priority. */
import type { Db } from './open.js';
import { rowToMention, searchConditions, type Mention, type MentionSearch } from './mentions.js';
import { openItemSql } from '../metrics/open.js';

type MentionRow = Parameters<typeof rowToMention>[0];

/** Open items matching the search, most urgent first (oldest first among equals). */
export async function openItemsByPriority(db: Db, options: MentionSearch & { limit: number }): Promise<Mention[]> {
  const { where, params } = searchConditions(db.kind, options);
  const rows = await db.all<MentionRow>(
    `SELECT * FROM mentions m WHERE ${openItemSql('m.')}${where.map((w) => ` AND ${w}`).join('')} ORDER BY m.priority DESC, m.created_at ASC LIMIT ?`,
    [...params, options.limit],
  );
  return rows.map(rowToMention);
}

export async function countOpenItems(db: Db, search: MentionSearch = {}): Promise<number> {
  const { where, params } = searchConditions(db.kind, search);
  return (await db.get<{ n: number }>(`SELECT count(*) AS n FROM mentions m WHERE ${openItemSql('m.')}${where.map((w) => ` AND ${w}`).join('')}`, params))?.n ?? 0;
}

/** Every open item, in id order. */
export async function openItems(db: Db): Promise<Mention[]> {
  return (await db.all<MentionRow>(`SELECT * FROM mentions WHERE ${openItemSql()} ORDER BY id`)).map(rowToMention);
}

/** Store recomputed priorities in one transaction. */
export async function setPriorities(db: Db, changes: readonly { id: number; priority: number }[]): Promise<void> {
  if (changes.length === 0) return;
  if (db.kind === 'postgres') {
    // One statement instead of one network round trip per item: the whole backlog's new priorities as two arrays.
    await db.run('UPDATE mentions SET priority = v.priority FROM unnest(?::bigint[], ?::double precision[]) AS v (id, priority) WHERE mentions.id = v.id', [
      changes.map((c) => c.id),
      changes.map((c) => c.priority),
    ]);
    return;
  }
  await db.transaction(async (tx) => {
    for (const c of changes) await tx.run('UPDATE mentions SET priority = ? WHERE id = ?', [c.priority, c.id]);
  });
}
