import type { Db } from './open.js';
import { isConstraintViolation } from './constraints.js';
import { least } from './dialect.js';
import { appendEvent } from './events.js';
import { changeStatus } from './changes.js';
import { countOpenFollowUpsAfter, openFollowUps } from './threads.js';
import { isOpen } from '../metrics/open.js';
import type { Status } from './mentions.js';
import type { OwnReply } from '../sources/types.js';
import { markAnsweredPrivately, responseChannel } from './direct-messages.js';

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
  /** The person who sent it (ours, since team mode); null for replies made on the platform. */
  actor: string | null;
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
  actor?: string | null;
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
    actor: row.actor ?? null,
  };
}

export async function responsesFor(db: Db, mentionId: number): Promise<Response[]> {
  return (await db.all<ResponseRow>('SELECT * FROM responses WHERE mention_id = ? ORDER BY created_at, id', [mentionId])).map(rowToResponse);
}

/**
 * A sent response: keeps `first_response_at` on the mention and moves an open mention to `replied`,
 * recording the change in the audit trail. Call inside a transaction.
 */
export async function markAnswered(db: Db, mentionId: number, sentAt: number, actor: string): Promise<void> {
  // The first response moves the item's waiting-since (src/triage/assess.ts): its priority is due again (migration 015).
  await db.run(`UPDATE mentions SET first_response_at = ${least(db.kind, 'coalesce(first_response_at, @sentAt)', '@sentAt')}, priority_due_at = 0 WHERE id = @mentionId`, { sentAt, mentionId });
  const row = await db.get<{ status: Status; thread_id: number | null }>('SELECT status, thread_id FROM mentions WHERE id = ?', [mentionId]);
  if (row && isOpen(row.status)) await changeStatus(db, mentionId, 'replied', actor, sentAt);
  // A thread is one item: answering any of its mentions answers the item and its waiting follow-ups.
  const root = row?.thread_id ?? mentionId;
  if (row?.thread_id != null) await markAnswered(db, root, sentAt, actor);
  else {
    // Follow-ups written after this reply still wait for the next one.
    for (const member of await openFollowUps(db, root, sentAt)) await markAnswered(db, member.id, sentAt, actor);
    // A reply learnt late (e.g. made on the phone) that is older than a stored follow-up leaves the item waiting.
    const item = await db.get<{ status: Status }>('SELECT status FROM mentions WHERE id = ?', [root]);
    if (item?.status === 'replied' && (await countOpenFollowUpsAfter(db, root, sentAt)) > 0) await changeStatus(db, root, 'open', 'poll (follow-up)', sentAt);
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
export async function openAttempts(db: Db, mentionId: number): Promise<OpenAttempt[]> {
  const rows = await db.all<OpenAttemptRow>(
    `SELECT id, text, idempotency_key, state, coalesce(attempted_at, created_at) AS attempted_at FROM responses
     WHERE mention_id = ? AND via = 'brandwatch' AND state IN ('pending', 'unknown') ORDER BY id`,
    [mentionId],
  );
  return rows.map(toAttempt);
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
export async function lastSentReply(db: Db, mentionId: number): Promise<PreviousReply | null> {
  const row = await db.get<{ id: number; text: string; sent_at: number; via: ResponseVia; external_id: string | null }>(
    "SELECT id, text, sent_at, via, external_id FROM responses WHERE mention_id = ? AND state = 'sent' ORDER BY sent_at DESC, id DESC LIMIT 1",
    [mentionId],
  );
  return row ? { id: row.id, text: row.text, sentAt: row.sent_at, via: row.via, externalId: row.external_id } : null;
}

/** A native reply (seen by a poll) to the mention with this text, sent at or after `since`: maybe our own attempt. */
export async function nativeReplyLike(db: Db, mentionId: number, text: string, since: number): Promise<{ id: number; externalId: string; sentAt: number } | null> {
  const row = await db.get<{ id: number; external_id: string; sent_at: number }>(
    "SELECT id, external_id, sent_at FROM responses WHERE mention_id = ? AND via = 'native' AND state = 'sent' AND text = ? AND sent_at >= ? ORDER BY sent_at LIMIT 1",
    [mentionId, text, since],
  );
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
  /** The channel the answer goes by (migration 013), written with the attempt; public when absent. */
  channel?: 'public' | 'dm';
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
export async function claimReplyAttempt(db: Db, r: ClaimRequest): Promise<AttemptClaim> {
  const claim = async (tx: Db): Promise<AttemptClaim> => {
    if (!r.again) {
      const previous = await lastSentReply(tx, r.mentionId);
      if (previous) return { ok: false, reason: 'replied', previous };
    }
    for (const other of await openAttempts(tx, r.mentionId)) {
      if (other.state !== 'pending') continue;
      // The row we are about to retry, still as we saw it (an attempt abandoned by a killed process).
      if (r.reuse && other.id === r.reuse.id && other.attemptedAt === r.reuse.attemptedAt) continue;
      if (!r.force) return { ok: false, reason: 'in-progress', attempt: other };
      await tx.run("UPDATE responses SET state = 'unknown', error = 'left for a forced attempt' WHERE id = ?", [other.id]);
    }
    if (r.reuse) {
      const { changes } = await tx.run(
        "UPDATE responses SET state = 'pending', attempts = attempts + 1, attempted_at = ? WHERE id = ? AND state IN ('pending', 'unknown')",
        [r.now, r.reuse.id],
      );
      if (changes === 1) return { ok: true, responseId: r.reuse.id, idempotencyKey: r.reuse.idempotencyKey ?? r.idempotencyKey };
    }
    const row = await tx.get<{ id: number }>(
      `INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state, idempotency_key, attempts, attempted_at, channel)
       VALUES (?, ?, NULL, ?, ?, NULL, 'brandwatch', 'pending', ?, 1, ?, ?) RETURNING id`,
      [r.mentionId, r.platform, r.text, r.now, r.idempotencyKey, r.now, r.channel ?? 'public'],
    );
    return { ok: true, responseId: Number(row!.id), idempotencyKey: r.idempotencyKey };
  };
  try {
    return await db.transaction(claim);
  } catch (error) {
    // The index caught a pending attempt the check did not see: report it as the check would have.
    if (isConstraintViolation(error) && /responses\.mention_id|responses_one_pending/.test((error as Error).message)) {
      const pending = (await openAttempts(db, r.mentionId)).find((a) => a.state === 'pending');
      if (pending) return { ok: false, reason: 'in-progress', attempt: pending };
    }
    throw error;
  }
}

/** Written before the network call, so a crash or timeout leaves a trace (DESIGN §7). Returns the response id. */
export async function insertPendingResponse(db: Db, r: { mentionId: number; platform: string; text: string; createdAt: number; idempotencyKey: string }): Promise<number> {
  const row = await db.get<{ id: number }>(
    `INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state, idempotency_key, attempts, attempted_at)
     VALUES (?, ?, NULL, ?, ?, NULL, 'brandwatch', 'pending', ?, 1, ?) RETURNING id`,
    [r.mentionId, r.platform, r.text, r.createdAt, r.idempotencyKey, r.createdAt],
  );
  return Number(row!.id);
}

/** Another attempt of the same reply, under its idempotency key. */
export async function retryResponse(db: Db, id: number, at: number): Promise<void> {
  await db.run("UPDATE responses SET state = 'pending', attempts = attempts + 1, attempted_at = ? WHERE id = ?", [at, id]);
}

/** Refused by the platform, or not found there after an unknown outcome. */
export async function markResponseFailed(db: Db, id: number, error: string): Promise<void> {
  await db.run("UPDATE responses SET state = 'failed', error = ? WHERE id = ?", [error, id]);
}

/** The request left but no answer came: the next attempt checks the platform first. */
export async function markResponseUnknown(db: Db, id: number, error: string): Promise<void> {
  await db.run("UPDATE responses SET state = 'unknown', error = ? WHERE id = ?", [error, id]);
}

/**
 * The platform took our reply: the response, its event and the mention's answered state, in one transaction.
 * When a poll already recorded the same post as a native reply (the outcome was unknown meanwhile), that row
 * gives way to ours: one response, ours, with the platform's id. Returns false when the post is already another
 * response of ours (this row is then marked failed as a duplicate record).
 */
export async function recordResponseSent(
  db: Db,
  responseId: number,
  mentionId: number,
  sent: { externalId: string; sentAt: number },
  actor: string,
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const platform = (await tx.get<{ platform: string }>('SELECT platform FROM responses WHERE id = ?', [responseId]))?.platform;
    const holder = await tx.get<{ id: number; via: ResponseVia }>('SELECT id, via FROM responses WHERE platform = ? AND external_id = ? AND id <> ?', [
      platform ?? '',
      sent.externalId,
      responseId,
    ]);
    if (holder?.via === 'brandwatch') {
      await tx.run("UPDATE responses SET state = 'failed', error = ? WHERE id = ?", [`the same post as response ${holder.id}`, responseId]);
      return false;
    }
    if (holder) await tx.run('DELETE FROM responses WHERE id = ?', [holder.id]);
    await tx.run("UPDATE responses SET state = 'sent', external_id = ?, sent_at = ?, error = NULL, actor = ? WHERE id = ?", [sent.externalId, sent.sentAt, actor, responseId]);
    await appendEvent(tx, { mentionId, at: sent.sentAt, kind: 'response', oldValue: null, newValue: sent.externalId, actor });
    await markAnswered(tx, mentionId, sent.sentAt, actor);
    if ((await responseChannel(tx, responseId)) === 'dm') await markAnsweredPrivately(tx, mentionId, sent.sentAt);
    return true;
  });
}

/**
 * Record the brand's own replies seen by a poll as `native` responses of the mentions they answer.
 * Replies to posts we do not store, and replies already recorded, are skipped. Returns how many were new.
 */
export async function recordOwnReplies(db: Db, replies: readonly OwnReply[]): Promise<number> {
  let recorded = 0;
  for (const reply of replies) {
    const mention = await db.get<{ id: number }>('SELECT id FROM mentions WHERE platform = ? AND external_id = ?', [reply.platform, reply.inReplyTo]);
    if (!mention) continue;
    const channel = reply.channel === 'dm' ? 'dm' : 'public';
    const inserted = await db.get<{ id: number }>(
      `INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state, channel)
       VALUES (?, ?, ?, ?, ?, ?, 'native', 'sent', ?) ON CONFLICT (platform, external_id) DO NOTHING RETURNING id`,
      [mention.id, reply.platform, reply.externalId, reply.text, reply.createdAt, reply.createdAt, channel],
    );
    if (inserted) {
      recorded++;
      await markAnswered(db, mention.id, reply.createdAt, 'poll');
      if (channel === 'dm') await markAnsweredPrivately(db, mention.id, reply.createdAt);
    }
  }
  return recorded;
}
