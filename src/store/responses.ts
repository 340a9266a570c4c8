import type { Db } from './open.js';
import { statement } from './statements.js';
import { appendEvent } from './events.js';
import { changeStatus } from './changes.js';
import { countOpenFollowUpsAfter, openFollowUps } from './threads.js';
import { isOpen } from '../metrics/open.js';
import type { Status } from './mentions.js';
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
  const row = statement<[number], { status: Status; thread_id: number | null }>(db, 'SELECT status, thread_id FROM mentions WHERE id = ?').get(mentionId);
  if (row && isOpen(row.status)) changeStatus(db, mentionId, 'replied', actor, sentAt);
  // A thread is one item: answering any of its mentions answers the item and its waiting follow-ups.
  const root = row?.thread_id ?? mentionId;
  if (row?.thread_id != null) markAnswered(db, root, sentAt, actor);
  else {
    // Follow-ups written after this reply still wait for the next one.
    for (const member of openFollowUps(db, root, sentAt)) markAnswered(db, member.id, sentAt, actor);
    // A reply learnt late (e.g. made on the phone) that is older than a stored follow-up leaves the item waiting.
    const item = statement<[number], { status: Status }>(db, 'SELECT status FROM mentions WHERE id = ?').get(root);
    if (item?.status === 'replied' && countOpenFollowUpsAfter(db, root, sentAt) > 0) changeStatus(db, root, 'open', 'poll (follow-up)', sentAt);
  }
}

/** An attempt of ours whose outcome is not known yet. */
export interface OpenAttempt {
  id: number;
  text: string;
  idempotencyKey: string | null;
  state: 'pending' | 'unknown';
}

/** Our replies to a mention still pending or of unknown outcome, oldest first. */
export function openAttempts(db: Db, mentionId: number): OpenAttempt[] {
  return statement<[number], { id: number; text: string; idempotency_key: string | null; state: 'pending' | 'unknown' }>(
    db,
    "SELECT id, text, idempotency_key, state FROM responses WHERE mention_id = ? AND via = 'brandwatch' AND state IN ('pending', 'unknown') ORDER BY id",
  )
    .all(mentionId)
    .map((r) => ({ id: r.id, text: r.text, idempotencyKey: r.idempotency_key, state: r.state }));
}

/** Written before the network call, so a crash or timeout leaves a trace (DESIGN §7). Returns the response id. */
export function insertPendingResponse(db: Db, r: { mentionId: number; platform: string; text: string; createdAt: number; idempotencyKey: string }): number {
  return Number(
    statement(
      db,
      `INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state, idempotency_key, attempts)
       VALUES (?, ?, NULL, ?, ?, NULL, 'brandwatch', 'pending', ?, 1)`,
    ).run(r.mentionId, r.platform, r.text, r.createdAt, r.idempotencyKey).lastInsertRowid,
  );
}

/** Another attempt of the same reply, under its idempotency key. */
export function retryResponse(db: Db, id: number): void {
  statement(db, "UPDATE responses SET state = 'pending', attempts = attempts + 1 WHERE id = ?").run(id);
}

/** Refused by the platform, or not found there after an unknown outcome. */
export function markResponseFailed(db: Db, id: number, error: string): void {
  statement(db, "UPDATE responses SET state = 'failed', error = ? WHERE id = ?").run(error, id);
}

/** The request left but no answer came: the next attempt checks the platform first. */
export function markResponseUnknown(db: Db, id: number, error: string): void {
  statement(db, "UPDATE responses SET state = 'unknown', error = ? WHERE id = ?").run(error, id);
}

/** The platform took our reply: the response, its event and the mention's answered state, in one transaction. */
export function recordResponseSent(db: Db, responseId: number, mentionId: number, sent: { externalId: string; sentAt: number }, actor: string): void {
  db.transaction(() => {
    statement(db, "UPDATE responses SET state = 'sent', external_id = ?, sent_at = ?, error = NULL WHERE id = ?").run(sent.externalId, sent.sentAt, responseId);
    appendEvent(db, { mentionId, at: sent.sentAt, kind: 'response', oldValue: null, newValue: sent.externalId, actor });
    markAnswered(db, mentionId, sent.sentAt, actor);
  })();
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
