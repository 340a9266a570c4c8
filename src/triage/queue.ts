import type { Db } from '../store/open.js';
import { statement } from '../store/statements.js';
import { rowToMention, type Mention } from '../store/mentions.js';
import { responsesFor, type Response } from '../store/responses.js';

/** The most urgent open item not skipped in this session; the queue lives in the database, so a new session resumes it. */
export function nextItem(db: Db, options: { platform?: string; skipped: ReadonlySet<number> }): Mention | null {
  const rows = statement<[string | null, string | null], Parameters<typeof rowToMention>[0]>(
    db,
    `SELECT * FROM mentions WHERE status IN ('new', 'open') AND thread_id IS NULL AND (? IS NULL OR platform = ?)
     ORDER BY priority DESC, created_at ASC LIMIT 200`,
  ).all(options.platform ?? null, options.platform ?? null);
  for (const row of rows) if (!options.skipped.has(row.id)) return rowToMention(row);
  return null;
}

export function openCount(db: Db, platform?: string): number {
  return (
    statement<[string | null, string | null], { n: number }>(
      db,
      "SELECT count(*) AS n FROM mentions WHERE status IN ('new', 'open') AND thread_id IS NULL AND (? IS NULL OR platform = ?)",
    ).get(platform ?? null, platform ?? null)?.n ?? 0
  );
}

export type ThreadEntry = { kind: 'mention'; at: number; mention: Mention } | { kind: 'response'; at: number; response: Response };

/** The item's whole conversation in time order: the customer's posts and our replies. */
export function threadOf(db: Db, item: Mention): ThreadEntry[] {
  const root = item.threadId ?? item.id;
  const mentions = statement<[number, number], Parameters<typeof rowToMention>[0]>(db, 'SELECT * FROM mentions WHERE id = ? OR thread_id = ? ORDER BY created_at, id')
    .all(root, root)
    .map(rowToMention);
  const entries: ThreadEntry[] = [];
  for (const m of mentions) {
    entries.push({ kind: 'mention', at: m.createdAt, mention: m });
    for (const r of responsesFor(db, m.id)) entries.push({ kind: 'response', at: r.sentAt ?? r.createdAt, response: r });
  }
  return entries.sort((a, b) => a.at - b.at);
}
