/** The queue's queries: open items (src/metrics/open.ts) in priority order, and their stored priority. */
import type { Db } from './open.js';
import { rowToMention, searchConditions, type Mention, type MentionSearch } from './mentions.js';
import { openItemSql } from '../metrics/open.js';
import { newestFollowUpSql } from './threads.js';
import { prepareSearch } from './search-index.js';

type MentionRow = Parameters<typeof rowToMention>[0];

/** Open items matching the search, most urgent first (oldest first among equals). */
export async function openItemsByPriority(db: Db, options: MentionSearch & { limit: number }): Promise<Mention[]> {
  if (options.search !== undefined) await prepareSearch(db);
  const { where, params } = searchConditions(db.kind, options);
  const rows = await db.all<MentionRow>(
    `SELECT * FROM mentions m WHERE ${openItemSql('m.')}${where.map((w) => ` AND ${w}`).join('')} ORDER BY m.priority DESC, m.created_at ASC LIMIT ?`,
    [...params, options.limit],
  );
  return rows.map(rowToMention);
}

export async function countOpenItems(db: Db, search: MentionSearch = {}): Promise<number> {
  if (search.search !== undefined) await prepareSearch(db);
  const { where, params } = searchConditions(db.kind, search);
  return (await db.get<{ n: number }>(`SELECT count(*) AS n FROM mentions m WHERE ${openItemSql('m.')}${where.map((w) => ` AND ${w}`).join('')}`, params))?.n ?? 0;
}

/** An open item whose priority is due, with when the customer last wrote after our first response (null: never). */
export interface DueItem {
  mention: Mention;
  newestFollowUp: number | null;
}

/**
 * The open items whose priority is due at `now` (migration 015: `priority_due_at`), read through their partial
 * index, each with its newest follow-up after our first response in the same statement.
 */
export async function itemsWithDuePriority(db: Db, now: number): Promise<DueItem[]> {
  const rows = await db.all<MentionRow & { newest_follow_up: number | null }>(
    `SELECT m.*, ${newestFollowUpSql('m.id', 'm.first_response_at')} AS newest_follow_up FROM mentions m
     WHERE m.priority_due_at <= CAST(? AS BIGINT) AND ${openItemSql('m.')}`,
    [now],
  );
  return rows.map((r) => ({ mention: rowToMention(r), newestFollowUp: r.newest_follow_up }));
}

/** A recomputed priority; `settled` when it no longer moves with time (the item's due time is cleared). */
export interface PriorityChange {
  id: number;
  priority: number;
  settled: boolean;
}

/** Store recomputed priorities in one transaction; a settled one is not due again until one of its inputs changes. */
export async function setPriorities(db: Db, changes: readonly PriorityChange[]): Promise<void> {
  if (changes.length === 0) return;
  if (db.kind === 'postgres') {
    // One statement instead of one network round trip per item: the new priorities as arrays.
    await db.run(
      `UPDATE mentions SET priority = v.priority, priority_due_at = CASE WHEN v.settled THEN NULL ELSE mentions.priority_due_at END
       FROM unnest(?::bigint[], ?::double precision[], ?::boolean[]) AS v (id, priority, settled) WHERE mentions.id = v.id`,
      [changes.map((c) => c.id), changes.map((c) => c.priority), changes.map((c) => c.settled)],
    );
    return;
  }
  // Only a settled item's due time is written: the due index is left alone while an SLA runs. One batch, one turn.
  await db.batch(
    changes.map((c) =>
      c.settled ? (['UPDATE mentions SET priority = ?, priority_due_at = NULL WHERE id = ?', [c.priority, c.id]] as const) : (['UPDATE mentions SET priority = ? WHERE id = ?', [c.priority, c.id]] as const),
    ),
  );
}

/** The priority config (SLA targets, their clock) the stored priorities were computed with, or null before the first. */
export async function priorityInputs(db: Db): Promise<string | null> {
  return (await db.get<{ config: string }>('SELECT config FROM priority_inputs WHERE id = 1'))?.config ?? null;
}

/** Another priority config: every open item's priority is due, and `config` is the one they are computed with next. */
export async function changePriorityInputs(db: Db, config: string): Promise<void> {
  await db.run(`UPDATE mentions SET priority_due_at = 0 WHERE priority_due_at IS NULL AND ${openItemSql()}`);
  await db.run('INSERT INTO priority_inputs (id, config) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET config = excluded.config', [config]);
}
