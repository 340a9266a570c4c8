import type { Db } from './open.js';
import { statement } from './statements.js';
import { appendEvent } from './events.js';
import { changeStatus } from './changes.js';
import { countOpenFollowUpsAfter, openFollowUps } from './threads.js';
import { isOpen } from '../metrics/open.js';
import type { Status } from './mentions.js';
import type { OwnReply } from '../sources/types.js';
import { markAnsweredPrivately, responseChannel, setResponseChannel } from './direct-messages.js';

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
  /** Sent in public or by direct message (migration 013). */
  channel: 'public' | 'dm';
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
  channel?: 'public' | 'dm';
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
    channel: row.channel ?? 'public',
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
  /** When the latest attempt under this row left (epoch ms). */
  attemptedAt: number;
}

interface OpenAttemptRow {
  id: number;
  text: string;
  idempotency_key: string | null;
  state: 'pending' | 'unknown';
  attempted_at: number;
}

const toAttempt = (r: OpenAttemptRow): OpenAttempt => ({ id: r.id, text: r.text, idempotencyKey: r.idempotency_key, state: r.state, attemptedAt: r.attempted_at });

/** Our replies to a mention still pending or of unknown outcome, oldest first. */
export function openAttempts(db: Db, mentionId: number): OpenAttempt[] {
  return statement<[number], OpenAttemptRow>(
    db,
    `SELECT id, text, idempotency_key, state, coalesce(attempted_at, created_at) AS attempted_at FROM responses
     WHERE mention_id = ? AND via = 'brandwatch' AND state IN ('pending', 'unknown') ORDER BY id`,
  )
    .all(mentionId)
    .map(toAttempt);
}

/** A reply on the platform already: ours or the brand's own (native). */
export interface PreviousReply {
  id: number;
  text: string;
  sentAt: number;
  via: ResponseVia;
  externalId: string | null;
}

/** The newest sent reply to a mention, if any. */
export function lastSentReply(db: Db, mentionId: number): PreviousReply | null {
  const row = statement<[number], { id: number; text: string; sent_at: number; via: ResponseVia; external_id: string | null }>(
    db,
    "SELECT id, text, sent_at, via, external_id FROM responses WHERE mention_id = ? AND state = 'sent' ORDER BY sent_at DESC, id DESC LIMIT 1",
  ).get(mentionId);
  return row ? { id: row.id, text: row.text, sentAt: row.sent_at, via: row.via, externalId: row.external_id } : null;
}

/** A native reply (seen by a poll) to the mention with this text, sent at or after `since`: maybe our own attempt. */
export function nativeReplyLike(db: Db, mentionId: number, text: string, since: number): { id: number; externalId: string; sentAt: number } | null {
  const row = statement<[number, string, number], { id: number; external_id: string; sent_at: number }>(
    db,
    "SELECT id, external_id, sent_at FROM responses WHERE mention_id = ? AND via = 'native' AND state = 'sent' AND text = ? AND sent_at >= ? ORDER BY sent_at LIMIT 1",
  ).get(mentionId, text, since);
  return row ? { id: row.id, externalId: row.external_id, sentAt: row.sent_at } : null;
}

export type AttemptClaim =
  | { ok: true; responseId: number; idempotencyKey: string }
  /** Another attempt on this mention is under way (or was just made). */
  | { ok: false; reason: 'in-progress'; attempt: OpenAttempt }
  /** The mention has a sent reply already. */
  | { ok: false; reason: 'replied'; previous: PreviousReply };

export interface ClaimRequest {
  mentionId: number;
  platform: string;
  text: string;
  now: number;
  idempotencyKey: string;
  /** Retry this unknown (or abandoned) attempt under its own key, as it was seen before the claim. */
  reuse: OpenAttempt | null;
  /** Post although the mention has a sent reply. */
  again: boolean;
  /** Post although another attempt is pending: that one is left `unknown`. */
  force: boolean;
}

/**
 * One attempt per mention at a time: in one write transaction, check that no other attempt is pending
 * (and, unless `again`, that the mention has no sent reply), then write this attempt `pending`. The partial
 * unique index `responses_one_pending` enforces the same rule in the database itself.
 */
export function claimReplyAttempt(db: Db, r: ClaimRequest): AttemptClaim {
  const claim = (): AttemptClaim => {
    if (!r.again) {
      const previous = lastSentReply(db, r.mentionId);
      if (previous) return { ok: false, reason: 'replied', previous };
    }
    for (const other of openAttempts(db, r.mentionId)) {
      if (other.state !== 'pending') continue;
      // The row we are about to retry, still as we saw it (an attempt abandoned by a killed process).
      if (r.reuse && other.id === r.reuse.id && other.attemptedAt === r.reuse.attemptedAt) continue;
      if (!r.force) return { ok: false, reason: 'in-progress', attempt: other };
      statement(db, "UPDATE responses SET state = 'unknown', error = 'left for a forced attempt' WHERE id = ?").run(other.id);
    }
    if (r.reuse) {
      const changed = statement(
        db,
        "UPDATE responses SET state = 'pending', attempts = attempts + 1, attempted_at = ? WHERE id = ? AND state IN ('pending', 'unknown')",
      ).run(r.now, r.reuse.id).changes;
      if (changed === 1) return { ok: true, responseId: r.reuse.id, idempotencyKey: r.reuse.idempotencyKey ?? r.idempotencyKey };
    }
    const id = Number(
      statement(
        db,
        `INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state, idempotency_key, attempts, attempted_at)
         VALUES (?, ?, NULL, ?, ?, NULL, 'brandwatch', 'pending', ?, 1, ?)`,
      ).run(r.mentionId, r.platform, r.text, r.now, r.idempotencyKey, r.now).lastInsertRowid,
    );
    return { ok: true, responseId: id, idempotencyKey: r.idempotencyKey };
  };
  try {
    return db.transaction(claim).immediate();
  } catch (error) {
    // The index caught a pending attempt the check did not see: report it as the check would have.
    if (String((error as { code?: string }).code).startsWith('SQLITE_CONSTRAINT') && /responses\.mention_id/.test((error as Error).message)) {
      const pending = openAttempts(db, r.mentionId).find((a) => a.state === 'pending');
      if (pending) return { ok: false, reason: 'in-progress', attempt: pending };
    }
    throw error;
  }
}

/** Written before the network call, so a crash or timeout leaves a trace (DESIGN §7). Returns the response id. */
export function insertPendingResponse(db: Db, r: { mentionId: number; platform: string; text: string; createdAt: number; idempotencyKey: string }): number {
  return Number(
    statement(
      db,
      `INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state, idempotency_key, attempts, attempted_at)
       VALUES (?, ?, NULL, ?, ?, NULL, 'brandwatch', 'pending', ?, 1, ?)`,
    ).run(r.mentionId, r.platform, r.text, r.createdAt, r.idempotencyKey, r.createdAt).lastInsertRowid,
  );
}

/** Another attempt of the same reply, under its idempotency key. */
export function retryResponse(db: Db, id: number, at: number): void {
  statement(db, "UPDATE responses SET state = 'pending', attempts = attempts + 1, attempted_at = ? WHERE id = ?").run(at, id);
}

/** Refused by the platform, or not found there after an unknown outcome. */
export function markResponseFailed(db: Db, id: number, error: string): void {
  statement(db, "UPDATE responses SET state = 'failed', error = ? WHERE id = ?").run(error, id);
}

/** The request left but no answer came: the next attempt checks the platform first. */
export function markResponseUnknown(db: Db, id: number, error: string): void {
  statement(db, "UPDATE responses SET state = 'unknown', error = ? WHERE id = ?").run(error, id);
}

/**
 * The platform took our reply: the response, its event and the mention's answered state, in one transaction.
 * When a poll already recorded the same post as a native reply (the outcome was unknown meanwhile), that row
 * gives way to ours: one response, ours, with the platform's id. Returns false when the post is already another
 * response of ours (this row is then marked failed as a duplicate record).
 */
export function recordResponseSent(db: Db, responseId: number, mentionId: number, sent: { externalId: string; sentAt: number }, actor: string): boolean {
  return db.transaction(() => {
    const platform = statement<[number], { platform: string }>(db, 'SELECT platform FROM responses WHERE id = ?').get(responseId)?.platform;
    const holder = statement<[string, string, number], { id: number; via: ResponseVia }>(
      db,
      'SELECT id, via FROM responses WHERE platform = ? AND external_id = ? AND id <> ?',
    ).get(platform ?? '', sent.externalId, responseId);
    if (holder?.via === 'brandwatch') {
      statement(db, "UPDATE responses SET state = 'failed', error = ? WHERE id = ?").run(`the same post as response ${holder.id}`, responseId);
      return false;
    }
    if (holder) statement(db, 'DELETE FROM responses WHERE id = ?').run(holder.id);
    statement(db, "UPDATE responses SET state = 'sent', external_id = ?, sent_at = ?, error = NULL WHERE id = ?").run(sent.externalId, sent.sentAt, responseId);
    appendEvent(db, { mentionId, at: sent.sentAt, kind: 'response', oldValue: null, newValue: sent.externalId, actor });
    markAnswered(db, mentionId, sent.sentAt, actor);
    if (responseChannel(db, responseId) === 'dm') markAnsweredPrivately(db, mentionId, sent.sentAt);
    return true;
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
      if (reply.channel === 'dm') setResponseChannel(db, Number(result.lastInsertRowid), 'dm');
      markAnswered(db, mention.id, reply.createdAt, 'poll');
      if (reply.channel === 'dm') markAnsweredPrivately(db, mention.id, reply.createdAt);
    }
  }
  return recorded;
}
