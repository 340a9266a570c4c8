/** The queue's queries: open items (src/metrics/open.ts) in priority order, and their stored priority. */
import type { Db } from './open.js';
import { rowToMention, searchConditions, type Category, type Mention, type MentionSearch } from './mentions.js';
import { openItemSql } from '../metrics/open.js';
import { newestFollowUpSql } from './threads.js';
import { prepareSearch } from './search-index.js';
import type { Channel } from '../metrics/vocabulary.js';

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

/** What a stored item's priority is computed from (the recompute reads only these). */
export type PriorityFacts = Pick<
  Mention,
  | 'id'
  | 'platform'
  | 'channel'
  | 'category'
  | 'sentiment'
  | 'authorFollowers'
  | 'likes'
  | 'reposts'
  | 'replies'
  | 'quotes'
  | 'metricsUpdatedAt'
  | 'previousEngagement'
  | 'createdAt'
  | 'firstResponseAt'
  | 'statusChangedAt'
  | 'priority'
>;

/** An open item whose priority is due, with when the customer last wrote after our first response (null: never). */
export interface DueItem {
  mention: PriorityFacts;
  newestFollowUp: number | null;
}

/** The columns a priority is computed from, in PriorityFacts' order (the recompute reads every due item). */
const PRIORITY_COLUMNS = `m.id, m.platform, m.channel, m.category, m.sentiment, m.author_followers, m.likes, m.reposts, m.replies, m.quotes,
  m.metrics_updated_at, m.prev_likes, m.prev_reposts, m.prev_replies, m.prev_quotes, m.prev_metrics_at, m.created_at, m.first_response_at,
  m.status_changed_at, m.priority`;

type PriorityRow = [
  id: number,
  platform: string,
  channel: Channel,
  category: Category | null,
  sentiment: number | null,
  authorFollowers: number | null,
  likes: number,
  reposts: number,
  replies: number,
  quotes: number,
  metricsUpdatedAt: number | null,
  prevLikes: number | null,
  prevReposts: number | null,
  prevReplies: number | null,
  prevQuotes: number | null,
  prevMetricsAt: number | null,
  createdAt: number,
  firstResponseAt: number | null,
  statusChangedAt: number,
  priority: number,
  newestFollowUp: number | null,
];

/**
 * The open items whose priority is due at `now` (migration 015: `priority_due_at`), read through their partial
 * index, each with its newest follow-up after our first response in the same statement; only the columns a
 * priority reads, as arrays (every due item is read: after a large poll, every new one).
 */
export async function itemsWithDuePriority(db: Db, now: number): Promise<DueItem[]> {
  const rows = await db.rows<PriorityRow>(
    `SELECT ${PRIORITY_COLUMNS}, ${newestFollowUpSql('m.id', 'm.first_response_at')} AS newest_follow_up FROM mentions m
     WHERE m.priority_due_at <= CAST(? AS BIGINT) AND ${openItemSql('m.')}`,
    [now],
  );
  return rows.map((r) => ({
    mention: {
      id: r[0],
      platform: r[1],
      channel: r[2],
      category: r[3],
      sentiment: r[4],
      authorFollowers: r[5],
      likes: r[6],
      reposts: r[7],
      replies: r[8],
      quotes: r[9],
      metricsUpdatedAt: r[10],
      previousEngagement: r[15] != null ? { likes: r[11] ?? 0, reposts: r[12] ?? 0, replies: r[13] ?? 0, quotes: r[14] ?? 0, at: r[15] } : null,
      createdAt: r[16],
      firstResponseAt: r[17],
      statusChangedAt: r[18],
      priority: r[19],
    },
    newestFollowUp: r[20],
  }));
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
