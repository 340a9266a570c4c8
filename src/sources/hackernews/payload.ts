import { z } from 'zod';
import type { Keyword } from '../../config/schema.js';
import { htmlToText } from '../html.js';
import { matchKeywords } from '../keywords.js';
import type { NewMention, OwnReply } from '../types.js';

const hit = z.object({
  objectID: z.string().regex(/^\d+$/),
  author: z.string().nullish(),
  created_at_i: z.number().int().positive(),
  title: z.string().nullish(),
  url: z.string().nullish(),
  points: z.number().nullish(),
  num_comments: z.number().nullish(),
  story_text: z.string().nullish(),
  comment_text: z.string().nullish(),
  story_id: z.number().int().nullish(),
  parent_id: z.number().int().nullish(),
  _tags: z.array(z.string()).default([]),
});

/** GET /api/v1/search_by_date, as far as we rely on it. */
export const searchResponse = z.object({
  hits: z.array(hit),
  nbHits: z.number().int().nonnegative(),
  page: z.number().int().nonnegative(),
  nbPages: z.number().int().nonnegative(),
  hitsPerPage: z.number().int().positive(),
});
export type SearchResponse = z.infer<typeof searchResponse>;
export type Hit = z.infer<typeof hit>;

export function itemUrl(id: string): string {
  return `https://news.ycombinator.com/item?id=${id}`;
}

function hitText(h: Hit): string {
  if (h.comment_text != null) return htmlToText(h.comment_text);
  const parts = [h.title ?? '', h.story_text ? htmlToText(h.story_text) : '', h.url ?? ''];
  return parts.filter((p) => p.length > 0).join('\n\n');
}

export interface MapContext {
  /** The group's keywords: a hit matching one of their excludes is dropped. */
  keywords: readonly Keyword[];
  /** The brand's own HN usernames, as written (HN names are case-sensitive). */
  ownHandles: readonly string[];
}

/** Split a page into mentions (others' stories and comments) and the brand's own replies. */
export function mapHits(page: SearchResponse, ctx: MapContext): { mentions: NewMention[]; ownReplies: OwnReply[] } {
  const mentions: NewMention[] = [];
  const ownReplies: OwnReply[] = [];
  for (const h of page.hits) {
    const text = hitText(h);
    const createdAt = h.created_at_i * 1000;
    const author = h.author ?? 'unknown';
    if (ctx.ownHandles.some((h) => h.toLowerCase() === author.toLowerCase())) {
      if (h.parent_id != null) ownReplies.push({ platform: 'hackernews', externalId: h.objectID, inReplyTo: String(h.parent_id), text, createdAt });
      continue;
    }
    const lower = text.normalize('NFKC').toLowerCase();
    if (ctx.keywords.length > 0 && ctx.keywords.every((k) => k.exclude.some((e) => lower.includes(e.normalize('NFKC').toLowerCase())))) continue;
    const matched = matchKeywords(text, ctx.keywords);
    mentions.push({
      platform: 'hackernews',
      externalId: h.objectID,
      url: itemUrl(h.objectID),
      authorHandle: author,
      authorName: null,
      authorId: author,
      authorFollowers: null,
      text,
      lang: null,
      createdAt,
      // Algolia matches prefixes and typos too: a hit it found counts for the group's keyword.
      keywords: matched.length > 0 ? matched : ctx.keywords.map((k) => k.term),
      inReplyTo: h.parent_id != null ? String(h.parent_id) : null,
      conversationId: h.story_id != null ? String(h.story_id) : h.objectID,
      summonsBrand: false,
      metrics: { likes: h.points ?? 0, reposts: 0, replies: h.num_comments ?? 0, quotes: 0 },
    });
  }
  return { mentions, ownReplies };
}
