import { randomUUID } from 'node:crypto';
import type { Db } from '../store/open.js';
import {
  claimReplyAttempt,
  lastSentReply,
  markResponseFailed,
  markResponseUnknown,
  nativeReplyLike,
  openAttempts,
  recordResponseSent,
  type OpenAttempt,
  type PreviousReply,
} from '../store/responses.js';
import { countUnknownPostsLike, insertPendingPost, markPostSent, markPostUnsent } from '../store/posts.js';
import { newestInThread } from '../store/threads.js';
import type { Mention } from '../store/mentions.js';
import { ReplyRefused } from '../sources/reply-refused.js';
import { RuntimeFailure, TemporaryError } from '../errors.js';
import type { Channel, ReplyChannel, ReplyTarget, SentReply } from '../sources/types.js';
import { lastSentOn, newestDmOf, responseChannel } from '../store/direct-messages.js';

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

/** What the person allowed beyond the safe default. */
export interface ReplyGuards {
  /** Reply although the mention has a sent reply already. */
  again?: boolean;
  /** Post although an earlier attempt is pending, or of unknown outcome and too recent for the platform to show. */
  force?: boolean;
}

/**
 * How long a new post may take to show where `findReply` looks (search indexes), per platform: an attempt
 * of unknown outcome younger than this cannot be told apart from one that failed, so it is not retried.
 */
export const INDEX_LAG_MS: Readonly<Record<string, number>> = {
  twitter: 60_000,
  reddit: 30_000,
  facebook: 30_000,
  bluesky: 15_000,
  mastodon: 15_000,
};
const DEFAULT_INDEX_LAG_MS = 30_000;

export function indexLag(platform: string): number {
  return INDEX_LAG_MS[platform] ?? DEFAULT_INDEX_LAG_MS;
}

/** `12 min`, `40 s`, `3 h`, `2 days`: how long ago, in a person's words. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} days`;
}

function snippet(text: string, max = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The mention has a reply on the platform already: another one only when asked again (`--again`). Nothing was sent. */
export class AlreadyReplied extends RuntimeFailure {
  override name = 'AlreadyReplied';
  constructor(
    readonly previous: PreviousReply,
    now: number,
  ) {
    super(
      `you replied ${ago(now - previous.sentAt)} ago${previous.via === 'native' ? ' (outside brandwatch)' : ''}: “${snippet(previous.text)}”; nothing was sent`,
    );
  }
}

/**
 * Another attempt on the mention is under way, or an earlier one has an unknown outcome and is too recent
 * for the platform to show it: posting now could double the reply. Nothing was sent (`--force` overrides).
 */
export class ReplyHeld extends TemporaryError {
  override name = 'ReplyHeld';
  constructor(
    message: string,
    readonly reason: 'in-progress' | 'index-lag',
    /** When a plain retry can tell (epoch ms). */
    readonly retryAt: number,
  ) {
    super(message);
  }
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
    authorId: mention.authorId,
    dmConversationId: mention.dmConversationId,
  };
}

/** The target of a private answer to an item: its customer, in the DM conversation the thread is in when there is one. */
export async function privateTargetOf(db: Db, tip: Mention): Promise<ReplyTarget> {
  const dm = await newestDmOf(db, tip.threadId ?? tip.id);
  return { ...replyTargetOf(tip), authorId: tip.authorId ?? dm?.authorId ?? null, dmConversationId: tip.dmConversationId ?? dm?.dmConversationId ?? null };
}

/** The mention a reply to an item answers: the customer's newest post in the thread (the item itself when alone). */
export async function threadTip(db: Db, item: Mention): Promise<Mention> {
  return await newestInThread(db, item.threadId ?? item.id) ?? item;
}

/** The newest sent reply to a mention (ours or native), for a caller that asks before replying again. */
export async function previousReply(db: Db, mentionId: number): Promise<PreviousReply | null> {
  return await lastSentReply(db, mentionId);
}

// A native reply this much older than our attempt (clock skew between us and the platform) may still be it.
const CLOCK_SKEW_MS = 5 * 60_000;

function held(attempt: OpenAttempt, platform: string, now: number): ReplyHeld {
  const lag = indexLag(platform);
  const retryAt = attempt.attemptedAt + lag;
  if (attempt.state === 'pending') {
    return new ReplyHeld(`another reply to this mention is being sent right now (started ${ago(now - attempt.attemptedAt)} ago); nothing was sent`, 'in-progress', retryAt);
  }
  return new ReplyHeld(
    `an attempt ${ago(now - attempt.attemptedAt)} ago has an unknown outcome and ${platform} does not show it yet (new posts can take ${ago(lag)} to appear); nothing was sent`,
    'index-lag',
    retryAt,
  );
}

/**
 * DESIGN §7: the response is written `pending` before the call and `sent` with the platform's id after.
 * A timeout leaves it `unknown`; the next attempt on the mention asks the platform for our reply
 * before posting anything, so a reply is never posted twice. One attempt per mention at a time
 * (a second one at the same moment is held); a mention with a sent reply gets another only with `again`.
 */
export async function sendReply(
  deps: OutboxDeps,
  channel: ReplyChannel,
  mention: Mention,
  text: string,
  guards: ReplyGuards = {},
  via: Channel = 'public',
): Promise<ReplyOutcome> {
  const { db } = deps;
  const target = via === 'dm' ? await privateTargetOf(db, mention) : replyTargetOf(mention);
  // A private answer after a public one (the "please DM us") is no second reply: only a DM already sent is.
  if (via === 'dm' && !(await lastSentOn(db, mention.id, 'dm'))) guards = { ...guards, again: true };
  let reuse: OpenAttempt | null = null;
  // Only attempts by the same channel can be looked for there (a public one stays as it is when a DM goes).
  const ours = async (list: OpenAttempt[]) => {
    const kept: OpenAttempt[] = [];
    for (const a of list) if ((await responseChannel(db, a.id)) === via) kept.push(a);
    return kept;
  };
  const attempts = await ours(await openAttempts(db, mention.id));

  // A poll may have recorded our attempt as a native reply meanwhile: that is the same post, adopt it.
  for (const attempt of attempts) {
    const native = await nativeReplyLike(db, mention.id, attempt.text, attempt.attemptedAt - CLOCK_SKEW_MS);
    if (native && await recordResponseSent(db, attempt.id, mention.id, { externalId: native.externalId, sentAt: native.sentAt }, deps.actor)) {
      return { status: 'already-sent', responseId: attempt.id, externalId: native.externalId, url: null, sentAt: native.sentAt, text: attempt.text };
    }
  }
  if (!guards.again) {
    const previous = await lastSentReply(db, mention.id);
    if (previous) throw new AlreadyReplied(previous, deps.now());
  }

  for (const attempt of await ours(await openAttempts(db, mention.id))) {
    let found: SentReply | null;
    try {
      found = await channel.findReply(target, attempt.text);
    } catch (error) {
      // The platform cannot be asked now: the outcome stays unknown and nothing is posted.
      throw new TemporaryError(
        `an earlier reply to this mention has an unknown outcome and ${mention.platform} could not be checked (${error instanceof Error ? error.message : String(error)}); nothing was sent — try again later`,
      );
    }
    if (found && await recordResponseSent(db, attempt.id, mention.id, found, deps.actor)) {
      return { status: 'already-sent', responseId: attempt.id, externalId: found.externalId, url: found.url, sentAt: found.sentAt, text: attempt.text };
    }
    if (found) continue;
    // Too recent to be sure it is not there: the platform may not show it yet.
    const now = deps.now();
    if (!guards.force && now - attempt.attemptedAt < indexLag(mention.platform)) throw held(attempt, mention.platform, now);
    if (attempt.text === text && reuse === null) reuse = attempt;
    else await markResponseFailed(db, attempt.id, 'not found on the platform after an unknown outcome');
  }

  const ability = channel.ability(target);
  if (!ability.ok) return { status: 'not-possible', reason: ability.reason, webUrl: channel.webReplyUrl(target, text) ?? ability.webUrl };

  const now = deps.now();
  const claim = await claimReplyAttempt(db, {
    mentionId: mention.id,
    platform: mention.platform,
    text,
    now,
    idempotencyKey: randomUUID(),
    channel: via,
    reuse,
    again: guards.again === true,
    force: guards.force === true,
  });
  if (!claim.ok) {
    if (claim.reason === 'replied') throw new AlreadyReplied(claim.previous, now);
    throw held(claim.attempt, mention.platform, now);
  }
  const { responseId, idempotencyKey: key } = claim;

  let sent: SentReply;
  try {
    sent = await channel.reply(target, text, { idempotencyKey: key });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (error instanceof ReplyRefused) {
      await markResponseFailed(db, responseId, reason);
      return { status: 'refused', responseId, reason, retryable: error.retryable };
    }
    await markResponseUnknown(db, responseId, reason);
    return { status: 'unknown', responseId, reason };
  }
  await recordResponseSent(db, responseId, mention.id, sent, deps.actor);
  return { status: 'sent', responseId, externalId: sent.externalId, url: sent.url, sentAt: sent.sentAt };
}

export type PostOutcome =
  | { status: 'sent'; postId: number; externalId: string; url: string | null }
  | { status: 'refused' | 'unknown'; postId: number; reason: string; retryable: boolean };

/** A proactive post (e.g. an outage notice), through the same pending → sent | unknown states. */
export async function sendPost(deps: OutboxDeps, channel: ReplyChannel, platform: string, source: string, text: string): Promise<PostOutcome> {
  if (!channel.post) throw new ReplyRefused(`${source} cannot publish posts`);
  const key = randomUUID();
  const postId = await insertPendingPost(deps.db, { platform, source, text, createdAt: deps.now(), idempotencyKey: key });
  try {
    const sent = await channel.post(text, { idempotencyKey: key });
    await markPostSent(deps.db, postId, sent);
    return { status: 'sent', postId, externalId: sent.externalId, url: sent.url };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const refused = error instanceof ReplyRefused;
    await markPostUnsent(deps.db, postId, refused ? 'failed' : 'unknown', reason);
    return { status: refused ? 'refused' : 'unknown', postId, reason, retryable: refused ? error.retryable : false };
  }
}

/** Posts of a platform whose outcome is unknown, with the same text: posting again might double it. */
export async function unknownPostsLike(db: Db, platform: string, text: string): Promise<number> {
  return await countUnknownPostsLike(db, platform, text);
}
