import { randomUUID } from 'node:crypto';
import type { Db } from '../store/open.js';
import { statement } from '../store/statements.js';
import { appendEvent } from '../store/events.js';
import { markAnswered } from '../store/responses.js';
import { rowToMention, type Mention } from '../store/mentions.js';
import { ReplyRefused } from '../sources/reply-refused.js';
import { TemporaryError } from '../errors.js';
import type { ReplyChannel, ReplyTarget, SentReply } from '../sources/types.js';

export type ReplyOutcome =
  | { status: 'sent'; responseId: number; externalId: string; url: string | null; sentAt: number }
  /** An earlier attempt whose outcome was unknown turned out to have been posted: nothing new was sent. */
  | { status: 'already-sent'; responseId: number; externalId: string; url: string | null; sentAt: number; text: string }
  /** The API may not answer this mention; the person can on the web. */
  | { status: 'not-possible'; reason: string; webUrl: string | null }
  | { status: 'refused'; responseId: number; reason: string; retryable: boolean }
  /** Timeout or lost connection after the request left: the next attempt checks the platform first. */
  | { status: 'unknown'; responseId: number; reason: string };

export interface OutboxDeps {
  db: Db;
  now(): number;
  actor: string;
}

export function replyTargetOf(mention: Mention): ReplyTarget {
  return {
    platform: mention.platform,
    externalId: mention.externalId,
    url: mention.url,
    authorHandle: mention.authorHandle,
    conversationId: mention.conversationId,
    inReplyTo: mention.inReplyTo,
    summonsBrand: mention.summonsBrand,
  };
}

/** The mention a reply to an item answers: the customer's newest post in the thread (the item itself when alone). */
export function threadTip(db: Db, item: Mention): Mention {
  const root = item.threadId ?? item.id;
  const row = statement<[number, number], Parameters<typeof rowToMention>[0]>(
    db,
    'SELECT * FROM mentions WHERE id = ? OR thread_id = ? ORDER BY created_at DESC, id DESC LIMIT 1',
  ).get(root, root);
  return row ? rowToMention(row) : item;
}

interface OpenAttempt {
  id: number;
  text: string;
  idempotency_key: string | null;
  state: 'pending' | 'unknown';
}

function recordSent(deps: OutboxDeps, responseId: number, mentionId: number, sent: SentReply): void {
  deps.db.transaction(() => {
    statement(deps.db, "UPDATE responses SET state = 'sent', external_id = ?, sent_at = ?, error = NULL WHERE id = ?").run(sent.externalId, sent.sentAt, responseId);
    appendEvent(deps.db, { mentionId, at: sent.sentAt, kind: 'response', oldValue: null, newValue: sent.externalId, actor: deps.actor });
    markAnswered(deps.db, mentionId, sent.sentAt, deps.actor);
  })();
}

/**
 * DESIGN §7: the response is written `pending` before the call and `sent` with the platform's id after.
 * A timeout leaves it `unknown`; the next attempt on the mention asks the platform for our reply
 * before posting anything, so a reply is never posted twice.
 */
export async function sendReply(deps: OutboxDeps, channel: ReplyChannel, mention: Mention, text: string): Promise<ReplyOutcome> {
  const { db } = deps;
  const target = replyTargetOf(mention);
  let reuse: OpenAttempt | null = null;

  const open = statement<[number], OpenAttempt>(
    db,
    "SELECT id, text, idempotency_key, state FROM responses WHERE mention_id = ? AND via = 'brandwatch' AND state IN ('pending', 'unknown') ORDER BY id",
  ).all(mention.id);
  for (const attempt of open) {
    let found: SentReply | null;
    try {
      found = await channel.findReply(target, attempt.text);
    } catch (error) {
      // The platform cannot be asked now: the outcome stays unknown and nothing is posted.
      throw new TemporaryError(
        `an earlier reply to this mention has an unknown outcome and ${mention.platform} could not be checked (${error instanceof Error ? error.message : String(error)}); nothing was sent — try again later`,
      );
    }
    if (found) {
      recordSent(deps, attempt.id, mention.id, found);
      return { status: 'already-sent', responseId: attempt.id, externalId: found.externalId, url: found.url, sentAt: found.sentAt, text: attempt.text };
    }
    if (attempt.text === text && reuse === null) reuse = attempt;
    else {
      statement(db, "UPDATE responses SET state = 'failed', error = ? WHERE id = ?").run('not found on the platform after an unknown outcome', attempt.id);
    }
  }

  const ability = channel.ability(target);
  if (!ability.ok) return { status: 'not-possible', reason: ability.reason, webUrl: channel.webReplyUrl(target, text) ?? ability.webUrl };

  const key = reuse?.idempotency_key ?? randomUUID();
  let responseId: number;
  if (reuse) {
    statement(db, "UPDATE responses SET state = 'pending', attempts = attempts + 1 WHERE id = ?").run(reuse.id);
    responseId = reuse.id;
  } else {
    responseId = Number(
      statement(
        db,
        `INSERT INTO responses (mention_id, platform, external_id, text, created_at, sent_at, via, state, idempotency_key, attempts)
         VALUES (?, ?, NULL, ?, ?, NULL, 'brandwatch', 'pending', ?, 1)`,
      ).run(mention.id, mention.platform, text, deps.now(), key).lastInsertRowid,
    );
  }

  let sent: SentReply;
  try {
    sent = await channel.reply(target, text, { idempotencyKey: key });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof ReplyRefused) {
      statement(db, "UPDATE responses SET state = 'failed', error = ? WHERE id = ?").run(reason, responseId);
      return { status: 'refused', responseId, reason, retryable: error.retryable };
    }
    statement(db, "UPDATE responses SET state = 'unknown', error = ? WHERE id = ?").run(reason, responseId);
    return { status: 'unknown', responseId, reason };
  }
  recordSent(deps, responseId, mention.id, sent);
  return { status: 'sent', responseId, externalId: sent.externalId, url: sent.url, sentAt: sent.sentAt };
}

export type PostOutcome =
  | { status: 'sent'; postId: number; externalId: string; url: string | null }
  | { status: 'refused' | 'unknown'; postId: number; reason: string; retryable: boolean };

/** A proactive post (e.g. an outage notice), through the same pending → sent | unknown states. */
export async function sendPost(deps: OutboxDeps, channel: ReplyChannel, platform: string, source: string, text: string): Promise<PostOutcome> {
  if (!channel.post) throw new ReplyRefused(`${source} cannot publish posts`);
  const key = randomUUID();
  const postId = Number(
    statement(deps.db, "INSERT INTO posts (platform, source, text, created_at, state, idempotency_key, attempts) VALUES (?, ?, ?, ?, 'pending', ?, 1)").run(
      platform,
      source,
      text,
      deps.now(),
      key,
    ).lastInsertRowid,
  );
  try {
    const sent = await channel.post(text, { idempotencyKey: key });
    statement(deps.db, "UPDATE posts SET state = 'sent', external_id = ?, url = ?, sent_at = ? WHERE id = ?").run(sent.externalId, sent.url, sent.sentAt, postId);
    return { status: 'sent', postId, externalId: sent.externalId, url: sent.url };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const refused = error instanceof ReplyRefused;
    statement(deps.db, 'UPDATE posts SET state = ?, error = ? WHERE id = ?').run(refused ? 'failed' : 'unknown', reason, postId);
    return { status: refused ? 'refused' : 'unknown', postId, reason, retryable: refused ? error.retryable : false };
  }
}

/** Posts of a platform whose outcome is unknown, with the same text: posting again might double it. */
export function unknownPostsLike(db: Db, platform: string, text: string): number {
  return (statement(db, "SELECT count(*) AS n FROM posts WHERE platform = ? AND text = ? AND state IN ('pending', 'unknown')").get(platform, text) as { n: number }).n;
}
