import { z } from 'zod';
import type { Keyword } from '../../config/schema.js';
import { matchKeywords } from '../keywords.js';
import type { NewMention, OwnReply } from '../types.js';

/** Digits only: X ids exceed 2^53 and must stay strings. */
const id = z.string().regex(/^\d{1,19}$/);

const publicMetrics = z
  .object({
    retweet_count: z.number().default(0),
    reply_count: z.number().default(0),
    like_count: z.number().default(0),
    quote_count: z.number().default(0),
  })
  .partial()
  .optional();

export const tweet = z.object({
  id,
  text: z.string(),
  author_id: id.optional(),
  created_at: z.string().datetime({ offset: true }),
  conversation_id: id.optional(),
  lang: z.string().optional(),
  in_reply_to_user_id: id.optional(),
  public_metrics: publicMetrics,
  referenced_tweets: z.array(z.object({ type: z.string(), id })).optional(),
  entities: z
    .object({
      mentions: z.array(z.object({ username: z.string() })).optional(),
    })
    .passthrough()
    .optional(),
});

const user = z.object({
  id,
  name: z.string().optional(),
  username: z.string(),
  public_metrics: z.object({ followers_count: z.number().optional() }).partial().optional(),
});

/** GET /2/tweets/search/recent, as far as we rely on it. */
export const searchResponse = z.object({
  data: z.array(tweet).optional(),
  includes: z
    .object({
      users: z.array(user).optional(),
      /** Referenced posts (expansions=referenced_tweets.id.author_id): tells whether a quote quotes the brand. */
      tweets: z.array(z.object({ id, author_id: id.optional() }).passthrough()).optional(),
    })
    .passthrough()
    .optional(),
  meta: z.object({
    result_count: z.number().int().nonnegative(),
    newest_id: id.optional(),
    oldest_id: id.optional(),
    next_token: z.string().min(1).optional(),
  }),
});
export type SearchResponse = z.infer<typeof searchResponse>;

/** One line of the filtered stream (GET /2/tweets/search/stream): a post, its expansions, and the rules it matched. */
export const streamedPost = z.object({
  data: tweet,
  includes: searchResponse.shape.includes,
  matching_rules: z.array(z.object({ id: id, tag: z.string().optional() }).passthrough()).default([]),
});
export type StreamedPost = z.infer<typeof streamedPost>;

/** GET /2/tweets/search/stream/rules: the app's rules (no `data` when there are none). */
export const streamRules = z.object({
  data: z.array(z.object({ id, value: z.string(), tag: z.string().optional() })).optional(),
  meta: z.object({ result_count: z.number().int().nonnegative().optional() }).passthrough().optional(),
});

/** GET /2/users/me: the authenticated account. */
export const meResponse = z.object({ data: z.object({ id, username: z.string(), name: z.string().optional() }) });

/** GET /2/tweets/counts/recent: one bucket per minute/hour/day; an empty window may omit `data`. */
export const countsResponse = z.object({
  data: z.array(z.object({ start: z.string().datetime({ offset: true }), end: z.string().datetime({ offset: true }), tweet_count: z.number().int().nonnegative() })).optional(),
  meta: z.object({ total_tweet_count: z.number().int().nonnegative() }).partial().optional(),
});

/** GET /2/tweets?ids=…: the posts still visible (deleted ones come back in `errors`). */
export const lookupResponse = searchResponse.omit({ meta: true }).extend({ errors: z.array(z.unknown()).optional() });
export type Tweet = z.infer<typeof tweet>;

export interface MapContext {
  keywords: readonly Keyword[];
  /** The brand's own usernames on X, lower case, without `@`. */
  ownHandles: readonly string[];
}

/**
 * X sends post text HTML-escaped: `&amp;`, `&lt;` and `&gt;` only. Decode those three, once, in one pass,
 * so a literal `&amp;` the author typed (sent as `&amp;amp;`) stays `&amp;` as X intends.
 */
export function decodeXText(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

/** Normalise one page of search results; authors come from `includes.users`. */
export function mapSearchPage(page: SearchResponse, ctx: MapContext): NewMention[] {
  const users = new Map((page.includes?.users ?? []).map((u) => [u.id, u]));
  const referenced = new Map((page.includes?.tweets ?? []).map((t) => [t.id, t]));
  const quotesBrand = (t: Tweet) =>
    (t.referenced_tweets ?? []).some((r) => {
      if (r.type !== 'quoted') return false;
      const authorId = referenced.get(r.id)?.author_id;
      const username = authorId ? users.get(authorId)?.username.toLowerCase() : undefined;
      return username !== undefined && ctx.ownHandles.includes(username);
    });
  return (page.data ?? []).map((t) => {
    const text = decodeXText(t.text);
    const author = t.author_id ? users.get(t.author_id) : undefined;
    const handle = author?.username ?? t.author_id ?? 'unknown';
    const mentioned = (t.entities?.mentions ?? []).map((m) => m.username.toLowerCase());
    return {
      platform: 'twitter',
      externalId: t.id,
      url: `https://x.com/${author ? author.username : 'i/web'}/status/${t.id}`,
      authorHandle: handle,
      authorName: author?.name ?? null,
      authorId: t.author_id ?? null,
      authorFollowers: author?.public_metrics?.followers_count ?? null,
      text,
      lang: t.lang ?? null,
      createdAt: Date.parse(t.created_at),
      keywords: matchKeywords(text, ctx.keywords),
      inReplyTo: t.referenced_tweets?.find((r) => r.type === 'replied_to')?.id ?? null,
      conversationId: t.conversation_id ?? null,
      // X lets apps reply only when the post mentions the brand's account or quotes one of its posts.
      summonsBrand: mentioned.some((m) => ctx.ownHandles.includes(m)) || quotesBrand(t),
      metrics: {
        likes: t.public_metrics?.like_count ?? 0,
        reposts: t.public_metrics?.retweet_count ?? 0,
        replies: t.public_metrics?.reply_count ?? 0,
        quotes: t.public_metrics?.quote_count ?? 0,
      },
    };
  });
}

/** The brand's own replies in a page of `from:<own> is:reply` results. */
export function mapOwnReplies(page: SearchResponse): OwnReply[] {
  const replies: OwnReply[] = [];
  for (const t of page.data ?? []) {
    const inReplyTo = t.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;
    if (inReplyTo) replies.push({ platform: 'twitter', externalId: t.id, inReplyTo, text: decodeXText(t.text), createdAt: Date.parse(t.created_at) });
  }
  return replies;
}
