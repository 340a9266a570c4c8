/**
 * Threads (DESIGN §4): a follow-up keeps its own row with `thread_id` = its item's first mention.
 * The queries that find an item's root, join a follow-up to it, and read the item's mentions.
 */
import type { Db } from './open.js';
import { rowToMention, type Mention, type Status } from './mentions.js';
import { openSql } from '../metrics/open.js';

type MentionRow = Parameters<typeof rowToMention>[0];

/** A stored mention's id and thread, by its platform id. */
export async function threadRef(db: Db, platform: string, externalId: string): Promise<{ id: number; threadId: number | null } | null> {
  const row = await db.get<{ id: number; thread_id: number | null }>('SELECT id, thread_id FROM mentions WHERE platform = ? AND external_id = ?', [platform, externalId]);
  return row ? { id: row.id, threadId: row.thread_id } : null;
}

/** The status (and when it last changed) of a few mentions by id, in one statement: what re-opening an item weighs. */
export async function statusesOf(db: Db, ids: readonly number[]): Promise<Map<number, { status: Status; statusChangedAt: number }>> {
  const rows = await db.all<{ id: number; status: Status; status_changed_at: number }>(
    `SELECT id, status, status_changed_at FROM mentions WHERE id IN (${ids.map(() => '?').join(', ')})`,
    [...ids],
  );
  return new Map(rows.map((r) => [r.id, { status: r.status, statusChangedAt: r.status_changed_at }]));
}

/**
 * The item of the same author's earliest earlier mention in a conversation: the conversation's first post
 * (its own id is the conversation, found by the unique key) or another of its posts (migration 020's index of
 * the mentions whose conversation is another post's). Between them they are every mention of the conversation.
 */
export async function conversationRoot(
  db: Db,
  q: { platform: string; conversationId: string; authorId: string | null; authorHandle: string; before: number },
): Promise<number | null> {
  const author = '(author_id = @authorId OR author_handle = @authorHandle) AND id < @before';
  const row = await db.get<{ root: number }>(
    `SELECT coalesce(thread_id, id) AS root FROM mentions WHERE id = (
       SELECT min(id) FROM (
         SELECT id FROM mentions WHERE platform = @platform AND external_id = @conversation AND conversation_id = @conversation AND ${author}
         UNION ALL
         SELECT id FROM mentions
           WHERE platform = @platform AND conversation_id = @conversation AND conversation_id IS NOT NULL AND conversation_id <> external_id AND ${author}
       ) AS earlier
     )`,
    { platform: q.platform, conversation: q.conversationId, authorId: q.authorId ?? '', authorHandle: q.authorHandle, before: q.before },
  );
  return row?.root ?? null;
}

/** The item one of our responses (by its platform id) answered. */
export async function rootAnsweredBy(db: Db, platform: string, responseExternalId: string): Promise<number | null> {
  const row = await db.get<{ root: number }>(
    `SELECT coalesce(m.thread_id, m.id) AS root FROM responses r JOIN mentions m ON m.id = r.mention_id
     WHERE r.platform = ? AND r.external_id = ?`,
    [platform, responseExternalId],
  );
  return row?.root ?? null;
}

/** Makes a mention a follow-up of the item `root`, whose priority is due again (its customer may wait since the follow-up). */
export async function joinThread(db: Db, id: number, root: number): Promise<void> {
  // One statement for both rows: a page links many follow-ups, and on PostgreSQL each statement is a round trip.
  await db.run(
    `UPDATE mentions SET thread_id = CASE WHEN id = @id THEN @root ELSE thread_id END,
       priority_due_at = CASE WHEN id = @root THEN 0 ELSE priority_due_at END
     WHERE id IN (@id, @root)`,
    { id, root },
  );
}

/** An item's follow-ups still open, optionally only those written by `createdUntil` (inclusive). */
export async function openFollowUps(db: Db, root: number, createdUntil = Number.MAX_SAFE_INTEGER): Promise<{ id: number; createdAt: number }[]> {
  const rows = await db.all<{ id: number; created_at: number }>(
    `SELECT id, created_at FROM mentions WHERE thread_id = ? AND ${openSql()} AND created_at <= ? ORDER BY id`,
    [root, createdUntil],
  );
  return rows.map((r) => ({ id: r.id, createdAt: r.created_at }));
}

/** How many of an item's open follow-ups were written after `after`. */
export async function countOpenFollowUpsAfter(db: Db, root: number, after: number): Promise<number> {
  return (await db.get<{ n: number }>(`SELECT count(*) AS n FROM mentions WHERE thread_id = ? AND ${openSql()} AND created_at > ?`, [root, after]))?.n ?? 0;
}

/** newestFollowUpAfter as a scalar subquery over SQL expressions for the root's id and the time (null when `after` is NULL). */
export function newestFollowUpSql(root: string, after: string): string {
  return `(SELECT max(f.created_at) FROM mentions f WHERE f.thread_id = ${root} AND f.created_at > ${after})`;
}

/** When the customer last wrote in the item after `after` (any status), or null. */
export async function newestFollowUpAfter(db: Db, root: number, after: number): Promise<number | null> {
  return (await db.get<{ at: number | null }>(`SELECT ${newestFollowUpSql('?', '?')} AS at`, [root, after]))?.at ?? null;
}

/** The item's mentions, the root first then follow-ups, oldest first. */
export async function threadMentions(db: Db, root: number): Promise<Mention[]> {
  return (await db.all<MentionRow>('SELECT * FROM mentions WHERE id = ? OR thread_id = ? ORDER BY created_at, id', [root, root])).map(rowToMention);
}

/** The item's newest mention (the customer's latest post in it). */
export async function newestInThread(db: Db, root: number): Promise<Mention | null> {
  const row = await db.get<MentionRow>('SELECT * FROM mentions WHERE id = ? OR thread_id = ? ORDER BY created_at DESC, id DESC LIMIT 1', [root, root]);
  return row ? rowToMention(row) : null;
}
