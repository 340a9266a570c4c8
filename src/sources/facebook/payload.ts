import { z } from 'zod';
import type { Keyword } from '../../config/schema.js';
import { matchKeywords } from '../keywords.js';
import type { NewMention, OwnReply } from '../types.js';

/** Graph times look like `2026-07-05T15:12:00+0000`. */
const graphTime = z.string().refine((t) => !Number.isNaN(Date.parse(t)), 'is not a Graph API time');
const graphId = z.string().regex(/^[0-9_]+$/, 'is not a Graph API id');
const from = z.object({ id: graphId, name: z.string().optional() }).optional();

const paging = z
  .object({
    cursors: z.object({ before: z.string().optional(), after: z.string().optional() }).optional(),
    next: z.string().optional(),
  })
  .optional();

const post = z.object({
  id: graphId,
  message: z.string().optional(),
  created_time: graphTime,
  updated_time: graphTime.optional(),
  permalink_url: z.string().optional(),
  from,
  comments: z
    .object({
      data: z.array(z.unknown()).optional(),
      summary: z.object({ total_count: z.number().int().nonnegative() }).passthrough().optional(),
    })
    .optional(),
});

/** GET /{page-id}/feed. */
export const feedResponse = z.object({ data: z.array(post), paging });
export type FeedResponse = z.infer<typeof feedResponse>;
export type Post = z.infer<typeof post>;

const comment = z.object({
  id: graphId,
  message: z.string().optional(),
  created_time: graphTime,
  from,
  parent: z.object({ id: graphId }).passthrough().optional(),
  like_count: z.number().int().nonnegative().optional(),
  comment_count: z.number().int().nonnegative().optional(),
  permalink_url: z.string().optional(),
});

/** GET /{object-id}/comments. */
export const commentsResponse = z.object({ data: z.array(comment), paging });
export type CommentsResponse = z.infer<typeof commentsResponse>;
export type Comment = z.infer<typeof comment>;

/** `{"error":{"message","type","code","error_subcode","fbtrace_id"}}` */
export const graphError = z.object({
  error: z.object({ message: z.string().optional(), type: z.string().optional(), code: z.number().int().optional(), error_subcode: z.number().int().optional() }),
});

export function permalink(id: string, given: string | undefined): string {
  return given && /^https:\/\//.test(given) ? given : `https://www.facebook.com/${id}`;
}

export interface MapContext {
  pageId: string;
  keywords: readonly Keyword[];
}

/** A visitor's post on the Page. */
export function postMention(p: Post, ctx: MapContext): NewMention {
  const text = p.message ?? '';
  return {
    platform: 'facebook',
    externalId: p.id,
    url: permalink(p.id, p.permalink_url),
    authorHandle: p.from?.name ?? p.from?.id ?? 'unknown',
    authorName: p.from?.name ?? null,
    authorId: p.from?.id ?? null,
    authorFollowers: null,
    text,
    lang: null,
    createdAt: Date.parse(p.created_time),
    keywords: matchKeywords(text, ctx.keywords),
    inReplyTo: null,
    conversationId: p.id,
    // Posting on the Page addresses the brand directly.
    summonsBrand: true,
    metrics: { likes: 0, reposts: 0, replies: p.comments?.summary?.total_count ?? 0, quotes: 0 },
  };
}

/** A comment on one of the Page's posts: someone else's is a mention, the Page's own is a reply. */
export function mapComment(c: Comment, postId: string, ctx: MapContext): { mention: NewMention } | { ownReply: OwnReply } {
  const text = c.message ?? '';
  const createdAt = Date.parse(c.created_time);
  const inReplyTo = c.parent?.id ?? postId;
  if (c.from?.id === ctx.pageId) return { ownReply: { platform: 'facebook', externalId: c.id, inReplyTo, text, createdAt } };
  return {
    mention: {
      platform: 'facebook',
      externalId: c.id,
      url: permalink(c.id, c.permalink_url),
      authorHandle: c.from?.name ?? c.from?.id ?? 'unknown',
      authorName: c.from?.name ?? null,
      authorId: c.from?.id ?? null,
      authorFollowers: null,
      text,
      lang: null,
      createdAt,
      keywords: matchKeywords(text, ctx.keywords),
      inReplyTo,
      conversationId: postId,
      summonsBrand: true,
      metrics: { likes: c.like_count ?? 0, reposts: 0, replies: c.comment_count ?? 0, quotes: 0 },
    },
  };
}
