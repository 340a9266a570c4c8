import type { Db } from '../store/open.js';
import { statement } from '../store/statements.js';
import { appendEvent } from '../store/events.js';
import type { NewMention } from '../sources/types.js';

/** Statuses a customer's follow-up takes back to the queue. */
const REOPEN: readonly string[] = ['replied', 'private', 'resolved'];

/**
 * DESIGN §4: a customer's follow-up (same conversation and author, or a reply to our reply) joins the
 * item instead of opening a new one, and re-opens an item that was answered. Follow-ups keep their
 * own row (with `thread_id` = the item's first mention) for reports; the queue shows the item.
 * Call inside the page's transaction, after the mentions are stored.
 */
export function linkThreads(db: Db, mentions: readonly NewMention[], at: number): number {
  let linked = 0;
  for (const m of mentions) {
    const isReply = (m.conversationId !== null && m.conversationId !== m.externalId) || m.inReplyTo !== null;
    if (!isReply) continue;
    const row = statement<[string, string], { id: number; thread_id: number | null }>(
      db,
      'SELECT id, thread_id FROM mentions WHERE platform = ? AND external_id = ?',
    ).get(m.platform, m.externalId);
    if (!row || row.thread_id !== null) continue;
    const root = rootFor(db, m, row.id);
    if (root === null || root === row.id) continue;
    statement(db, 'UPDATE mentions SET thread_id = ? WHERE id = ?').run(root, row.id);
    linked++;
    const item = statement<[number], { status: string; status_changed_at: number }>(db, 'SELECT status, status_changed_at FROM mentions WHERE id = ?').get(root);
    // Only what the customer wrote after the item was answered or closed takes it back to the queue.
    if (item && REOPEN.includes(item.status) && m.createdAt > item.status_changed_at) {
      statement(db, "UPDATE mentions SET status = 'open', status_changed_at = ? WHERE id = ?").run(at, root);
      appendEvent(db, { mentionId: root, at, kind: 'status', oldValue: item.status, newValue: 'open', actor: 'poll (follow-up)' });
    }
  }
  return linked;
}

function rootFor(db: Db, m: NewMention, ownId: number): number | null {
  if (m.conversationId !== null) {
    const same = statement<[string, string, string, string, number], { root: number }>(
      db,
      `SELECT coalesce(thread_id, id) AS root FROM mentions
       WHERE platform = ? AND conversation_id = ? AND (author_id = ? OR author_handle = ?) AND id < ?
       ORDER BY id LIMIT 1`,
    ).get(m.platform, m.conversationId, m.authorId ?? '', m.authorHandle, ownId);
    if (same) return same.root;
  }
  if (m.inReplyTo !== null) {
    const ours = statement<[string, string], { root: number }>(
      db,
      `SELECT coalesce(m.thread_id, m.id) AS root FROM responses r JOIN mentions m ON m.id = r.mention_id
       WHERE r.platform = ? AND r.external_id = ?`,
    ).get(m.platform, m.inReplyTo);
    if (ours) return ours.root;
  }
  return null;
}
