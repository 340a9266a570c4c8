import type { Db } from './open.js';
import { statement } from './statements.js';
import { appendEvent } from './events.js';
import type { OwnReply } from '../sources/types.js';

export type ResponseState = 'pending' | 'sent' | 'failed' | 'unknown';
export type ResponseVia = 'brandwatch' | 'native';

export interface Response {
  id: number;
  mentionId: number;
  platform: string;
  externalId: string | null;
  text: string;
  createdAt: number;
  sentAt: number | null;
  via: ResponseVia;
  state: ResponseState;
  error: string | null;
}

interface ResponseRow {
  id: number;
  mention_id: number;
  platform: string;
  external_id: string | null;
  text: string;
  created_at: number;
  sent_at: number | null;
  via: ResponseVia;
  state: ResponseState;
  error: string | null;
}

function rowToResponse(row: ResponseRow): Response {
  return {
    id: row.id,
    mentionId: row.mention_id,
    platform: row.platform,
    externalId: row.external_id,
    text: row.text,
    createdAt: row.created_at,
    sentAt: row.sent_at,
    via: row.via,
    state: row.state,
    error: row.error,
  };
}

export function responsesFor(db: Db, mentionId: number): Response[] {
  return statement<[number], ResponseRow>(db, 'SELECT * FROM responses WHERE mention_id = ? ORDER BY created_at, id')
    .all(mentionId)
    .map(rowToResponse);
}

/**
 * A sent response: keeps `first_response_at` on the mention and moves an open mention to `replied`,
 * recording the change in the audit trail. Call inside a transaction.
 */
export function markAnswered(db: Db, mentionId: number, sentAt: number, actor: string): void {
  statement(db, 'UPDATE mentions SET first_response_at = min(coalesce(first_response_at, @sentAt), @sentAt) WHERE id = @mentionId').run({
    sentAt,
    mentionId,
  });
  const row = statement<[number], { status: string; thread_id: number | null }>(db, 'SELECT status, thread_id FROM mentions WHERE id = ?').get(mentionId);
  if (row && (row.status === 'new' || row.status === 'open')) {
    statement(db, "UPDATE mentions SET status = 'replied', status_changed_at = ? WHERE id = ?").run(sentAt, mentionId);
    appendEvent(db, { mentionId, at: sentAt, kind: 'status', oldValue: row.status, newValue: 'replied', actor });
  }
  // A thread is one item: answering any of its mentions answers the item and its waiting follow-ups.
  const root = row?.thread_id ?? mentionId;
  if (row?.thread_id != null) markAnswered(db, root, sentAt, actor);
  else {
    // Follow-ups written after this reply still wait for the next one.
    const waiting = statement<[number, number], { id: number; status: string }>(
      db,
      "SELECT id, status FROM mentions WHERE thread_id = ? AND status IN ('new', 'open') AND created_at <= ?",
    ).all(root, sentAt);
    for (const member of waiting) markAnswered(db, member.id, sentAt, actor);
    // A reply learnt late (e.g. made on the phone) that is older than a stored follow-up leaves the item waiting.
    const later = statement<[number, number], { n: number }>(
      db,
      "SELECT count(*) AS n FROM mentions WHERE thread_id = ? AND status IN ('new', 'open') AND created_at > ?",
    ).get(root, sentAt);
    const item = statement<[number], { status: string }>(db, 'SELECT status FROM mentions WHERE id = ?').get(root);
    if (later && later.n > 0 && item?.status === 'replied') {
      statement(db, "UPDATE mentions SET status = 'open' WHERE id = ?").run(root);
      appendEvent(db, { mentionId: root, at: sentAt, kind: 'status', oldValue: 'replied', newValue: 'open', actor: 'poll (follow-up)' });
    }
  }
}

/**
 * Record the brand's own replies seen by a poll as `native` responses of the mentions they answer.
 * Replies to posts we do not store, and replies already recorded, are skipped. Returns how many were new.
 */
export function recordOwnReplies(db: Db, replies: readonly OwnReply[]): number {
  let recorded = 0;
  for (const reply of replies) {
    const mention = statement<[string, string], { id: number }>(
      db,
      'SELECT id FROM mentions WHERE platform = ? AND external_id = ?',
    ).get(reply.platform, reply.inReplyTo);
    if (!mention) continue;
    const result = statement(
      db,
      `INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state)
       VALUES (?, ?, ?, ?, ?, ?, 'native', 'sent') ON CONFLICT (platform, external_id) DO NOTHING`,
    ).run(mention.id, reply.platform, reply.externalId, reply.text, reply.createdAt, reply.createdAt);
    if (result.changes === 1) {
      recorded++;
      markAnswered(db, mention.id, reply.createdAt, 'poll');
    }
  }
  return recorded;
}
