import { randomUUID } from 'node:crypto';
import type { Db } from '../store/open.js';
import {
  insertPendingResponse,
  markResponseFailed,
  markResponseUnknown,
  openAttempts,
  recordResponseSent,
  retryResponse,
  type OpenAttempt,
} from '../store/responses.js';
import { countUnknownPostsLike, insertPendingPost, markPostSent, markPostUnsent } from '../store/posts.js';
import { newestInThread } from '../store/threads.js';
import type { Mention } from '../store/mentions.js';
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
  return newestInThread(db, item.threadId ?? item.id) ?? item;
}

function recordSent(deps: OutboxDeps, responseId: number, mentionId: number, sent: SentReply): void {
  recordResponseSent(deps.db, responseId, mentionId, sent, deps.actor);
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

  for (const attempt of openAttempts(db, mention.id)) {
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
      markResponseFailed(db, attempt.id, 'not found on the platform after an unknown outcome');
    }
  }

  const ability = channel.ability(target);
  if (!ability.ok) return { status: 'not-possible', reason: ability.reason, webUrl: channel.webReplyUrl(target, text) ?? ability.webUrl };

  const key = reuse?.idempotencyKey ?? randomUUID();
  let responseId: number;
  if (reuse) {
    retryResponse(db, reuse.id);
    responseId = reuse.id;
  } else {
    responseId = insertPendingResponse(db, { mentionId: mention.id, platform: mention.platform, text, createdAt: deps.now(), idempotencyKey: key });
  }

  let sent: SentReply;
  try {
    sent = await channel.reply(target, text, { idempotencyKey: key });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof ReplyRefused) {
      markResponseFailed(db, responseId, reason);
      return { status: 'refused', responseId, reason, retryable: error.retryable };
    }
    markResponseUnknown(db, responseId, reason);
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
  const postId = insertPendingPost(deps.db, { platform, source, text, createdAt: deps.now(), idempotencyKey: key });
  try {
    const sent = await channel.post(text, { idempotencyKey: key });
    markPostSent(deps.db, postId, sent);
    return { status: 'sent', postId, externalId: sent.externalId, url: sent.url };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const refused = error instanceof ReplyRefused;
    markPostUnsent(deps.db, postId, refused ? 'failed' : 'unknown', reason);
    return { status: refused ? 'refused' : 'unknown', postId, reason, retryable: refused ? error.retryable : false };
  }
}

/** Posts of a platform whose outcome is unknown, with the same text: posting again might double it. */
export function unknownPostsLike(db: Db, platform: string, text: string): number {
  return countUnknownPostsLike(db, platform, text);
}
