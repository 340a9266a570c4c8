import type { Keyword } from '../config/schema.js';
import type { BilledRead, PriceTable } from '../metrics/cost.js';

/** Public engagement counters, refreshed while a mention is open. */
export interface Engagement {
  likes: number;
  reposts: number;
  replies: number;
  quotes: number;
}

/** A mention as a source delivers it, normalised across platforms. Ids are strings: some exceed 2^53. */
export interface NewMention {
  platform: string;
  externalId: string;
  url: string | null;
  authorHandle: string;
  authorName: string | null;
  authorId: string | null;
  authorFollowers: number | null;
  text: string;
  lang: string | null;
  /** Platform time, epoch milliseconds UTC. */
  createdAt: number;
  keywords: string[];
  inReplyTo: string | null;
  conversationId: string | null;
  /** The post names or quotes the brand's own account (some platforms allow API replies only then). */
  summonsBrand: boolean;
  metrics: Engagement;
  /** A direct message (a private conversation with the brand) rather than a public post; public when not set. */
  channel?: Channel;
  /** The platform's id of the DM conversation (X's dm_conversation_id, Bluesky's convo id, Mastodon's conversation). */
  dmConversationId?: string | null;
}

/** What every direct message of the queue shares: private, to the brand, no keywords, thread or engagement. */
export function directMessage(
  fields: Pick<NewMention, 'platform' | 'externalId' | 'url' | 'authorHandle' | 'authorName' | 'authorId' | 'authorFollowers' | 'text' | 'createdAt'> &
    Partial<Pick<NewMention, 'lang' | 'dmConversationId'>>,
): NewMention {
  return {
    lang: null,
    dmConversationId: null,
    ...fields,
    keywords: [],
    inReplyTo: null,
    conversationId: null,
    summonsBrand: true,
    metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 },
    channel: 'dm',
  };
}

export type { Channel } from '../metrics/vocabulary.js';
import type { Channel } from '../metrics/vocabulary.js';

/** A post by the brand's own account replying to something, seen by a poll (replies made outside the tool). */
export interface OwnReply {
  platform: string;
  externalId: string;
  /** External id of the post it answers. */
  inReplyTo: string;
  text: string;
  createdAt: number;
  /** A DM the brand sent outside brandwatch (answering the DM `inReplyTo`). */
  channel?: Channel;
}

/** Platform-specific position of a query group, stored as JSON with each page. */
export type CursorState = Record<string, unknown>;

/** One fetched page, stored in one transaction together with the cursor it leads to. */
export interface FetchedPage {
  mentions: NewMention[];
  ownReplies: OwnReply[];
  /** The cursor to save with this page (the committed position, plus the run's progress while paging). */
  cursor: CursorState;
  /** Posts the platform counted as read (billed) for this page. */
  postsRead: number;
  /** The platform's rate-limit state after this page's request, when it says. */
  rateLimit?: RateLimitState;
  /** What the platform bills for this page, resource by resource (de-duplicated per UTC day by the store). */
  billed?: BilledRead[];
  /** Volume buckets the platform counted (X's counts/recent), stored without reading posts. */
  volume?: { start: number; end: number; count: number }[];
  /** What the volume counts, in the keywords' own words ("acme", or "acme OR road" for a group): spikes are judged per key. */
  volumeKey?: string;
  /** Something the poll should tell the person about this page (e.g. a part of the window skipped). */
  notice?: string;
}

/** A set of keywords fetched by one query (platform query length limits decide the grouping). */
export interface QueryGroup {
  /** Stable key of the group: its cursor is stored under it. */
  key: string;
  query: string;
  keywords: Keyword[];
  /** How the group is named to the person when its query is not (X's counts groups: their keywords). */
  label?: string;
  /** The brand's direct messages rather than public posts: the same cursors, pages, budgets and billing. */
  channel?: 'dm';
}

export interface RateLimitState {
  limit: number | null;
  remaining: number | null;
  /** Epoch milliseconds. */
  resetAt: number | null;
}

export type GroupStatus = 'ok' | 'rate_limited' | 'budget_exhausted' | 'failed';

/** What a source may use while paging: the clock, sleeping, the read allowance, request accounting. */
export interface PagingEnvironment {
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * Posts the next page may read: `max`, or fewer when the monthly read budget is nearly spent. When fewer
   * than `min` (default 1) are left, the poll stops the source (`budget_exhausted`) instead of answering.
   * `unitCost` is what one read costs in dollars (default: the source's post-read price), for `monthlyBudget`.
   * `readsPosts: false` for a request billed per call that reads no posts (X's counts): only the money budget applies.
   */
  allowance(max: number, min?: number, unitCost?: number, readsPosts?: boolean): Promise<number>;
  /** Count one HTTP request (successful or not) against the source's usage. */
  countRequest(): Promise<void>;
  verbose(message: string): void;
  /** Fires when the poll is being stopped: a request in flight ends at once. */
  signal?: AbortSignal;
  /**
   * External ids of this source's open mentions whose metrics predate this poll, newest first: a
   * source may fetch them again (as a page of already-stored mentions) to refresh their metrics.
   */
  openMentions?(limit: number): Promise<string[]>;
}

export interface Source {
  /** Name from config (defaults to the platform). */
  readonly name: string;
  readonly platform: string;
  /** What one read is called in messages ("posts" when not set). */
  readonly readUnit?: string;
  groups(): QueryGroup[];
  /**
   * The pages newer than the cursor, in the platform's paging order, each with the cursor to store beside
   * it. A page is fetched only when the poll asks for it; the poll owns stopping, budgets and storing.
   */
  pages(group: QueryGroup, cursor: CursorState | null, env: PagingEnvironment): AsyncIterable<FetchedPage>;
  /** The cursor is partway through a paging run (an interrupted poll): once it is finished, a fresh run catches up. */
  midRun?(cursor: CursorState): boolean;
  /**
   * The cursor as if the paging run it is in had finished: what was stored is committed and the rest of the
   * run is given up (the poll calls it when a platform repeats its page token or serves nothing new).
   */
  endRun?(cursor: CursorState): CursorState;
  /** What the platform bills, when it bills in money (X); money figures are shown only for such sources. */
  readonly prices?: PriceTable;
  /** Writing to the platform, when the source supports it (read-only platforms say why and give a web link). */
  readonly replies?: ReplyChannel;
  /** `doctor`: reach the platform cheaply and report whether the credentials work and the rate-limit state. */
  check?(signal: AbortSignal): Promise<SourceCheck[]>;
  /** `doctor`: what the source will do and what it costs, from the config alone (no network). */
  explain?(): SourceCheck[];
}

/** One line of `doctor` about a source. */
export interface SourceCheck {
  /** What was checked, e.g. "endpoint reachable", "token accepted". */
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  /** What to do about it, when not ok. */
  fix?: string;
  rateLimit?: RateLimitState;
}

/** What a reply needs to know about the mention it answers. */
export interface ReplyTarget {
  platform: string;
  externalId: string;
  url: string | null;
  authorHandle: string;
  conversationId: string | null;
  inReplyTo: string | null;
  summonsBrand: boolean;
  /** The author's platform id (a DM goes to the person by id on X). */
  authorId?: string | null;
  /** The DM conversation this item's private thread is in, when known. */
  dmConversationId?: string | null;
}

export interface SentReply {
  externalId: string;
  /** Epoch ms, the platform's time when known. */
  sentAt: number;
  url: string | null;
}

/** Whether the API may answer a mention; when not, the web link where the person can. */
export type ReplyAbility = { ok: true } | { ok: false; reason: string; webUrl: string | null };

/** Writing to a platform: replies (and proactive posts where supported). Optional per source. */
export interface ReplyChannel {
  /** Length of a text under the platform's rule, and its limit (X: weighted 280; Bluesky: 300 graphemes; Mastodon: 500). */
  measure(text: string): { length: number; limit: number };
  ability(target: ReplyTarget): ReplyAbility;
  /** The web link that opens a reply to the mention with the text filled in, when the platform has one. */
  webReplyUrl(target: ReplyTarget, text: string): string | null;
  reply(target: ReplyTarget, text: string, options: { idempotencyKey: string }): Promise<SentReply>;
  /** After an unknown outcome (timeout): our reply to the target on the platform, if it exists — never post twice. */
  findReply(target: ReplyTarget, text: string): Promise<SentReply | null>;
  post?(text: string, options: { idempotencyKey: string }): Promise<SentReply>;
  /**
   * What sending this text costs on a platform that bills writes (X), with the usual price and, when it costs
   * more than usual, why; null where writes are free. `target` is null for a proactive post.
   */
  sendCost?(text: string, target: ReplyTarget | null): { cost: number; usual: number; why: string | null } | null;
  /** Answering by direct message, where the platform and the credentials allow it. */
  readonly directMessages?: DirectMessageChannel;
}

/**
 * Writing a direct message to the author of an item. The outbox treats it as it treats replies: pending
 * before the call, sent with the platform's id after, and after an unknown outcome it looks for our
 * message in the conversation (`findMessage`) before sending again.
 */
export interface DirectMessageChannel {
  measure(text: string): { length: number; limit: number };
  /** Whether a DM can go to the target's author; when not, why. */
  ability(target: ReplyTarget): ReplyAbility;
  send(target: ReplyTarget, text: string, options: { idempotencyKey: string }): Promise<SentReply>;
  /** Our message with this text in the conversation with the target's author, if it exists. */
  findMessage(target: ReplyTarget, text: string): Promise<SentReply | null>;
  /** What sending costs where the platform bills writes (X). */
  sendCost?(text: string): { cost: number; usual: number; why: string | null } | null;
}
