import { z } from 'zod';
import type { Keyword } from '../../config/schema.js';
import { matchKeywords } from '../keywords.js';
import type { NewMention, OwnReply } from '../types.js';

const fullname = (kind: string) => z.string().regex(new RegExp(`^${kind}_[0-9a-z]+$`));
const count = z.number().int().catch(0);

const link = z.object({
  id: z.string().min(1),
  name: fullname('t3'),
  title: z.string(),
  selftext: z.string().default(''),
  author: z.string(),
  author_fullname: z.string().optional(),
  subreddit: z.string(),
  created_utc: z.number(),
  permalink: z.string().startsWith('/'),
  score: count.optional(),
  num_comments: count.optional(),
  num_crossposts: count.optional(),
  over_18: z.boolean().optional(),
});
export type Link = z.infer<typeof link>;

const comment = z.object({
  id: z.string().min(1),
  name: fullname('t1'),
  body: z.string(),
  author: z.string(),
  parent_id: z.string(),
  link_id: z.string().optional(),
  created_utc: z.number(),
  permalink: z.string().optional(),
});
export type Comment = z.infer<typeof comment>;

const listing = <T extends z.ZodTypeAny>(kind: string, data: T) =>
  z.object({
    kind: z.literal('Listing'),
    data: z.object({
      after: z.string().nullable().optional(),
      before: z.string().nullable().optional(),
      children: z.array(z.object({ kind: z.literal(kind), data })),
    }),
  });

/** `GET /search?sort=new&type=link` (posts only: the API has no comment search). */
export const linkListing = listing('t3', link);
/** `GET /user/<name>/comments`. */
export const commentListing = listing('t1', comment);

/** `POST /api/comment` with `api_type=json`: refusals come as HTTP 200 with `json.errors`. */
export const commentResponse = z.object({
  json: z.object({
    errors: z.array(z.array(z.unknown())),
    data: z.object({ things: z.array(z.object({ kind: z.string(), data: comment.partial({ created_utc: true, parent_id: true }) })) }).optional(),
  }),
});

export const tokenResponse = z.union([
  z.object({ access_token: z.string().min(1), expires_in: z.number().optional(), token_type: z.string().optional() }),
  z.object({ error: z.string() }),
]);

export interface MapContext {
  keywords: readonly Keyword[];
  /** The brand's usernames, lower case, without `u/`. */
  ownHandles: readonly string[];
}

export function mapLinks(links: readonly Link[], ctx: MapContext): NewMention[] {
  return links
    .filter((l) => !ctx.ownHandles.includes(l.author.toLowerCase()))
    .map((l) => {
      const text = l.selftext ? `${l.title}\n\n${l.selftext}` : l.title;
      const lower = text.toLowerCase();
      return {
        platform: 'reddit',
        externalId: l.name,
        url: `https://www.reddit.com${l.permalink}`,
        authorHandle: l.author,
        authorName: null,
        authorId: l.author_fullname ?? null,
        authorFollowers: null,
        text,
        lang: null,
        createdAt: Math.round(l.created_utc * 1000),
        keywords: matchKeywords(text, ctx.keywords),
        inReplyTo: null,
        conversationId: l.name,
        summonsBrand: ctx.ownHandles.some((h) => lower.includes(`u/${h}`)),
        metrics: { likes: l.score ?? 0, reposts: l.num_crossposts ?? 0, replies: l.num_comments ?? 0, quotes: 0 },
      };
    });
}

export function ownReplies(comments: readonly Comment[]): OwnReply[] {
  return comments.map((c) => ({ platform: 'reddit', externalId: c.name, inReplyTo: c.parent_id, text: c.body, createdAt: Math.round(c.created_utc * 1000) }));
}
