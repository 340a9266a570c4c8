import { z } from 'zod';
import type { Keyword } from '../../config/schema.js';
import { matchKeywords } from '../keywords.js';
import type { NewMention, OwnReply } from '../types.js';

const strongRef = z.object({ uri: z.string().startsWith('at://'), cid: z.string().min(1) });
const count = z.number().int().nonnegative().catch(0);

/** app.bsky.feed.defs#postView, as far as we rely on it. */
export const postView = z.object({
  uri: z.string().startsWith('at://'),
  cid: z.string().min(1),
  author: z.object({ did: z.string().startsWith('did:'), handle: z.string().min(1), displayName: z.string().optional() }),
  record: z
    .object({
      text: z.string(),
      createdAt: z.string().datetime({ offset: true }),
      langs: z.array(z.string()).optional(),
      reply: z.object({ root: strongRef, parent: strongRef }).optional(),
      facets: z
        .array(z.object({ features: z.array(z.object({ $type: z.string(), did: z.string().optional() }).passthrough()) }).passthrough())
        .optional(),
    })
    .passthrough(),
  replyCount: count.optional(),
  repostCount: count.optional(),
  likeCount: count.optional(),
  quoteCount: count.optional(),
  indexedAt: z.string().datetime({ offset: true }),
});
export type PostView = z.infer<typeof postView>;

export const searchOutput = z.object({ posts: z.array(postView), cursor: z.string().min(1).optional(), hitsTotal: z.number().optional() });
export const authorFeedOutput = z.object({
  feed: z.array(z.object({ post: postView, reason: z.object({ $type: z.string() }).passthrough().optional() }).passthrough()),
  cursor: z.string().min(1).optional(),
});
export const postsOutput = z.object({ posts: z.array(postView) });
export const profilesOutput = z.object({ profiles: z.array(z.object({ did: z.string(), followersCount: z.number().int().nonnegative().optional() }).passthrough()) });

/** When the search index sorts a post: the earlier of its claimed and indexed times (a future `createdAt` cannot jump the queue). */
export function sortAt(post: PostView): number {
  return Math.min(Date.parse(post.record.createdAt), Date.parse(post.indexedAt));
}

/** `https://bsky.app/profile/<handle>/post/<rkey>` for an `at://` post URI. */
export function webUrl(post: Pick<PostView, 'uri' | 'author'>): string {
  return `https://bsky.app/profile/${post.author.handle}/post/${post.uri.split('/').pop()}`;
}

export interface MapContext {
  keywords: readonly Keyword[];
  /** The brand's handles (lower case) and the logged-in account's DID. */
  ownHandles: readonly string[];
  ownDid: string | null;
}

export function isOwn(post: PostView, ctx: MapContext): boolean {
  return post.author.did === ctx.ownDid || ctx.ownHandles.includes(post.author.handle.toLowerCase());
}

export function ownReply(post: PostView): OwnReply | null {
  const parent = post.record.reply?.parent.uri;
  return parent ? { platform: 'bluesky', externalId: post.uri, inReplyTo: parent, text: post.record.text, createdAt: Date.parse(post.record.createdAt) } : null;
}

/** Split a search page into mentions and our own replies; keyword excludes are applied here (search has no negation). */
export function mapPosts(posts: readonly PostView[], ctx: MapContext): { mentions: NewMention[]; ownReplies: OwnReply[] } {
  const mentions: NewMention[] = [];
  const ownReplies: OwnReply[] = [];
  for (const post of posts) {
    if (isOwn(post, ctx)) {
      const reply = ownReply(post);
      if (reply) ownReplies.push(reply);
      continue;
    }
    const text = post.record.text;
    const keywords = matchKeywords(text, ctx.keywords);
    const excluded = ctx.keywords.some((k) => k.exclude.some((e) => matchKeywords(text, [{ term: e, exclude: [] }]).length > 0));
    if (keywords.length === 0 && excluded) continue;
    const lower = text.toLowerCase();
    const summons =
      ctx.ownHandles.some((h) => lower.includes(`@${h}`)) ||
      (post.record.facets ?? []).some((f) => f.features.some((feature) => feature.did !== undefined && feature.did === ctx.ownDid));
    mentions.push({
      platform: 'bluesky',
      externalId: post.uri,
      url: webUrl(post),
      authorHandle: post.author.handle,
      authorName: post.author.displayName || null,
      authorId: post.author.did,
      authorFollowers: null,
      text,
      lang: post.record.langs?.[0] ?? null,
      createdAt: Date.parse(post.record.createdAt),
      keywords,
      inReplyTo: post.record.reply?.parent.uri ?? null,
      conversationId: post.record.reply?.root.uri ?? post.uri,
      summonsBrand: summons,
      metrics: { likes: post.likeCount ?? 0, reposts: post.repostCount ?? 0, replies: post.replyCount ?? 0, quotes: post.quoteCount ?? 0 },
    });
  }
  return { mentions, ownReplies };
}
