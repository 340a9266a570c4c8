/**
 * Threads (DESIGN §4): a follow-up keeps its own row with `thread_id` = its item's first mention.
 * The queries that find an item's root, join a follow-up to it, and read the item's mentions.
 */
import type { Db } from './open.js';
import { statement } from './statements.js';
import { rowToMention, type Mention } from './mentions.js';
import { openSql } from '../metrics/open.js';

type MentionRow = Parameters<typeof rowToMention>[0];

/** A stored mention's id and thread, by its platform id. */
export function threadRef(db: Db, platform: string, externalId: string): { id: number; threadId: number | null } | null {
  const row = statement<[string, string], { id: number; thread_id: number | null }>(db, 'SELECT id, thread_id FROM mentions WHERE platform = ? AND external_id = ?').get(
    platform,
    externalId,
  );
  return row ? { id: row.id, threadId: row.thread_id } : null;
}

/** The item of the same author's earliest earlier mention in a conversation. */
export function conversationRoot(db: Db, q: { platform: string; conversationId: string; authorId: string | null; authorHandle: string; before: number }): number | null {
  const row = statement<[string, string, string, string, number], { root: number }>(
    db,
    `SELECT coalesce(thread_id, id) AS root FROM mentions
     WHERE platform = ? AND conversation_id = ? AND (author_id = ? OR author_handle = ?) AND id < ?
     ORDER BY id LIMIT 1`,
  ).get(q.platform, q.conversationId, q.authorId ?? '', q.authorHandle, q.before);
  return row?.root ?? null;
}

/** The item one of our responses (by its platform id) answered. */
export function rootAnsweredBy(db: Db, platform: string, responseExternalId: string): number | null {
  const row = statement<[string, string], { root: number }>(
    db,
    `SELECT coalesce(m.thread_id, m.id) AS root FROM responses r JOIN mentions m ON m.id = r.mention_id
     WHERE r.platform = ? AND r.external_id = ?`,
  ).get(platform, responseExternalId);
  return row?.root ?? null;
}

/** Makes a mention a follow-up of the item `root`. */
export function joinThread(db: Db, id: number, root: number): void {
  statement(db, 'UPDATE mentions SET thread_id = ? WHERE id = ?').run(root, id);
}

/** An item's follow-ups still open, optionally only those written by `createdUntil` (inclusive). */
export function openFollowUps(db: Db, root: number, createdUntil = Number.MAX_SAFE_INTEGER): { id: number; createdAt: number }[] {
  return statement<[number, number], { id: number; created_at: number }>(
    db,
    `SELECT id, created_at FROM mentions WHERE thread_id = ? AND ${openSql()} AND created_at <= ? ORDER BY id`,
  )
    .all(root, createdUntil)
    .map((r) => ({ id: r.id, createdAt: r.created_at }));
}

/** How many of an item's open follow-ups were written after `after`. */
export function countOpenFollowUpsAfter(db: Db, root: number, after: number): number {
  return statement<[number, number], { n: number }>(db, `SELECT count(*) AS n FROM mentions WHERE thread_id = ? AND ${openSql()} AND created_at > ?`).get(root, after)?.n ?? 0;
}

/** When the customer last wrote in the item after `after` (any status), or null. */
export function newestFollowUpAfter(db: Db, root: number, after: number): number | null {
  return statement<[number, number], { at: number | null }>(db, 'SELECT max(created_at) AS at FROM mentions WHERE thread_id = ? AND created_at > ?').get(root, after)?.at ?? null;
}

/** The item's mentions, the root first then follow-ups, oldest first. */
export function threadMentions(db: Db, root: number): Mention[] {
  return statement<[number, number], MentionRow>(db, 'SELECT * FROM mentions WHERE id = ? OR thread_id = ? ORDER BY created_at, id').all(root, root).map(rowToMention);
}

/** The item's newest mention (the customer's latest post in it). */
export function newestInThread(db: Db, root: number): Mention | null {
  const row = statement<[number, number], MentionRow>(db, 'SELECT * FROM mentions WHERE id = ? OR thread_id = ? ORDER BY created_at DESC, id DESC LIMIT 1').get(root, root);
  return row ? rowToMention(row) : null;
}
