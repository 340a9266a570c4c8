/**
 * Direct messages in the queue (migration 013): which item a customer's DM joins, and the private
 * marks an item carries for the report (src/metrics/private.ts).
 */
import type { Db } from './open.js';
import type { Channel } from '../sources/types.js';

/**
 * The item a DM from this author joins: the author's newest earlier item on the platform that is still open,
 * or was taken private (waiting for the customer, or answered in private and not closed since).
 */
export async function privateItemOf(
  db: Db,
  q: { platform: string; authorId: string | null; authorHandle: string; except: number; before: number },
): Promise<number | null> {
  const row = await db.get<{ id: number }>(
    `SELECT id FROM mentions
     WHERE platform = ? AND thread_id IS NULL AND (author_id = ? OR lower(author_handle) = lower(?)) AND id <> ? AND created_at <= ?
       AND (status IN ('new', 'open', 'private') OR (status = 'replied' AND private_at IS NOT NULL))
     ORDER BY created_at DESC, id DESC LIMIT 1`,
    [q.platform, q.authorId ?? '', q.authorHandle, q.except, q.before],
  );
  return row?.id ?? null;
}

/** The item went private at `at` (a DM joined it), unless it already had. */
export async function markItemPrivate(db: Db, id: number, at: number): Promise<void> {
  await db.run('UPDATE mentions SET private_at = coalesce(private_at, ?) WHERE id = ?', [at, id]);
}

export async function responseChannel(db: Db, responseId: number): Promise<Channel> {
  return (await db.get<{ channel: Channel }>('SELECT channel FROM responses WHERE id = ?', [responseId]))?.channel ?? 'public';
}

/** A private answer sent at `sentAt`: the first one is kept on the mention and on its item. Pass the transaction's `tx`. */
export async function markAnsweredPrivately(db: Db, mentionId: number, sentAt: number): Promise<void> {
  await db.run(
    `UPDATE mentions SET first_private_response_at = CASE
         WHEN first_private_response_at IS NULL OR first_private_response_at > @sentAt THEN @sentAt
         ELSE first_private_response_at END
     WHERE id = @mentionId OR id = (SELECT thread_id FROM mentions WHERE id = @mentionId)`,
    { sentAt, mentionId },
  );
}

/** The newest DM of an item's thread, for the conversation to answer in. */
export async function newestDmOf(db: Db, root: number): Promise<{ dmConversationId: string | null; authorId: string | null } | null> {
  const row = await db.get<{ dm_conversation_id: string | null; author_id: string | null }>(
    `SELECT dm_conversation_id, author_id FROM mentions WHERE (id = ? OR thread_id = ?) AND channel = 'dm' ORDER BY created_at DESC, id DESC LIMIT 1`,
    [root, root],
  );
  return row ? { dmConversationId: row.dm_conversation_id, authorId: row.author_id } : null;
}

/** The newest sent response to a mention that went by this channel, if any. */
export async function lastSentOn(
  db: Db,
  mentionId: number,
  channel: Channel,
): Promise<{ id: number; text: string; sentAt: number; via: 'brandwatch' | 'native'; externalId: string | null } | null> {
  const row = await db.get<{ id: number; text: string; sent_at: number; via: 'brandwatch' | 'native'; external_id: string | null }>(
    "SELECT id, text, sent_at, via, external_id FROM responses WHERE mention_id = ? AND state = 'sent' AND channel = ? ORDER BY sent_at DESC, id DESC LIMIT 1",
    [mentionId, channel],
  );
  return row ? { id: row.id, text: row.text, sentAt: row.sent_at, via: row.via, externalId: row.external_id } : null;
}
