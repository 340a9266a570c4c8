/**
 * Direct messages in the queue (migration 013): which item a customer's DM joins, and the private
 * marks an item carries for the report (src/metrics/private.ts).
 */
import type { Db } from './open.js';
import { statement } from './statements.js';
import type { Channel } from '../sources/types.js';

/**
 * The item a DM from this author joins: the author's newest earlier item on the platform that is still open,
 * or was taken private (waiting for the customer, or answered in private and not closed since).
 */
export function privateItemOf(db: Db, q: { platform: string; authorId: string | null; authorHandle: string; except: number; before: number }): number | null {
  const row = statement<[string, string, string, number, number], { id: number }>(
    db,
    `SELECT id FROM mentions
     WHERE platform = ? AND thread_id IS NULL AND (author_id = ? OR author_handle = ? COLLATE NOCASE) AND id <> ? AND created_at <= ?
       AND (status IN ('new', 'open', 'private') OR (status = 'replied' AND private_at IS NOT NULL))
     ORDER BY created_at DESC, id DESC LIMIT 1`,
  ).get(q.platform, q.authorId ?? '', q.authorHandle, q.except, q.before);
  return row?.id ?? null;
}

/** The item went private at `at` (a DM joined it), unless it already had. */
export function markItemPrivate(db: Db, id: number, at: number): void {
  statement(db, 'UPDATE mentions SET private_at = coalesce(private_at, ?) WHERE id = ?').run(at, id);
}

/** The response went by this channel. */
export function setResponseChannel(db: Db, responseId: number, channel: Channel): void {
  statement(db, 'UPDATE responses SET channel = ? WHERE id = ?').run(channel, responseId);
}

export function responseChannel(db: Db, responseId: number): Channel {
  return statement<[number], { channel: Channel }>(db, 'SELECT channel FROM responses WHERE id = ?').get(responseId)?.channel ?? 'public';
}

/** A private answer sent at `sentAt`: the first one is kept on the mention and on its item. Call inside a transaction. */
export function markAnsweredPrivately(db: Db, mentionId: number, sentAt: number): void {
  statement(
    db,
    `UPDATE mentions SET first_private_response_at = min(coalesce(first_private_response_at, @sentAt), @sentAt)
     WHERE id = @mentionId OR id = (SELECT thread_id FROM mentions WHERE id = @mentionId)`,
  ).run({ sentAt, mentionId });
}

/** The newest DM of an item's thread, for the conversation to answer in. */
export function newestDmOf(db: Db, root: number): { dmConversationId: string | null; authorId: string | null } | null {
  const row = statement<[number, number], { dm_conversation_id: string | null; author_id: string | null }>(
    db,
    `SELECT dm_conversation_id, author_id FROM mentions WHERE (id = ? OR thread_id = ?) AND channel = 'dm' ORDER BY created_at DESC, id DESC LIMIT 1`,
  ).get(root, root);
  return row ? { dmConversationId: row.dm_conversation_id, authorId: row.author_id } : null;
}

/** The newest sent response to a mention that went by this channel, if any. */
export function lastSentOn(db: Db, mentionId: number, channel: Channel): { id: number; text: string; sentAt: number; via: 'brandwatch' | 'native'; externalId: string | null } | null {
  const row = statement<[number, string], { id: number; text: string; sent_at: number; via: 'brandwatch' | 'native'; external_id: string | null }>(
    db,
    "SELECT id, text, sent_at, via, external_id FROM responses WHERE mention_id = ? AND state = 'sent' AND channel = ? ORDER BY sent_at DESC, id DESC LIMIT 1",
  ).get(mentionId, channel);
  return row ? { id: row.id, text: row.text, sentAt: row.sent_at, via: row.via, externalId: row.external_id } : null;
}
