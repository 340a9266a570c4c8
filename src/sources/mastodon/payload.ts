import { z } from 'zod';
import type { Keyword } from '../../config/schema.js';
import { matchKeywords } from '../keywords.js';
import { directMessage, type NewMention, type OwnReply } from '../types.js';
import { htmlToText } from '../html.js';

/** Mastodon ids are strings (snowflakes above 2^53 on Mastodon, ULIDs on some other servers). */
const id = z.string().min(1).max(64);
const count = z.number().int().nonnegative().catch(0);

const account = z.object({
  id,
  username: z.string(),
  acct: z.string().min(1),
  displayName: z.string().nullish(),
  url: z.string().nullish(),
  followersCount: z.number().int().nullish(),
});

/** A status as masto delivers it (keys in camelCase), as far as we rely on it. */
export const status = z.object({
  id,
  createdAt: z.string().datetime({ offset: true }),
  inReplyToId: id.nullish(),
  inReplyToAccountId: id.nullish(),
  visibility: z.string().optional(),
  language: z.string().nullish(),
  url: z.string().nullish(),
  uri: z.string(),
  content: z.string(),
  spoilerText: z.string().nullish(),
  repliesCount: count.optional(),
  reblogsCount: count.optional(),
  favouritesCount: count.optional(),
  /** Since Mastodon 4.5 (quote posts). */
  quotesCount: count.optional(),
  reblog: z.unknown().nullish(),
  account,
  mentions: z.array(z.object({ acct: z.string(), username: z.string() }).passthrough()).default([]),
  tags: z.array(z.object({ name: z.string() }).passthrough()).default([]),
});
export type Status = z.infer<typeof status>;
export const statusList = z.array(status);

export const lookedUpAccount = account;

/** `GET /api/v1/notifications?types[]=mention`: a mention carries the status that names the account. */
export const notificationList = z.array(z.object({ id, type: z.string(), createdAt: z.string().datetime({ offset: true }), status: status.nullish() }));

export interface MapContext {
  /** The instance's host: local accounts' `acct` has no domain, so we add it. */
  instanceHost: string;
  /** The brand's own accounts as `user@host`, lower case. */
  ownAccounts: readonly string[];
  /** The group's hashtag (lower case, no `#`) → the keyword it stands for. */
  tags: ReadonlyMap<string, Keyword>;
  /** The group's keywords, matched against the text. */
  keywords: readonly Keyword[];
  /** Direct-visibility statuses to the brand are direct messages for the queue (`directMessages: true`). */
  directMessages?: boolean;
}

/** `GET /api/v1/conversations`: direct-visibility conversations, each with its participants and last status. */
export const conversationList = z.array(z.object({ id, unread: z.boolean().optional(), accounts: z.array(account), lastStatus: status.nullish() }));

/** `user@host` for any account, local ones included. */
export function fullAcct(acct: string, instanceHost: string): string {
  const bare = acct.replace(/^@/, '').toLowerCase();
  return bare.includes('@') ? bare : `${bare}@${instanceHost.toLowerCase()}`;
}

export function isOwn(s: Status, ctx: Pick<MapContext, 'instanceHost' | 'ownAccounts'>): boolean {
  return ctx.ownAccounts.includes(fullAcct(s.account.acct, ctx.instanceHost));
}

function plainText(s: Status): string {
  const body = htmlToText(s.content);
  return s.spoilerText ? `CW: ${s.spoilerText}\n\n${body}` : body;
}

/**
 * Split one timeline page into mentions and the brand's own replies. Reblogs are skipped; a status
 * counts for a keyword when it carries the keyword's hashtag and none of its excluded words.
 */
export function mapStatuses(statuses: readonly Status[], ctx: MapContext): { mentions: NewMention[]; ownReplies: OwnReply[] } {
  const mentions: NewMention[] = [];
  const ownReplies: OwnReply[] = [];
  for (const s of statuses) {
    if (s.visibility === 'direct' && ctx.directMessages && !s.reblog) {
      if (!isOwn(s, ctx)) mentions.push(directStatus(s, ctx));
      continue;
    }
    // Reblogs are not mentions; followers-only and direct posts are private, never answered in public.
    if (s.reblog || s.visibility === 'private' || s.visibility === 'direct') continue;
    const text = plainText(s);
    if (isOwn(s, ctx)) {
      if (s.inReplyToId) ownReplies.push(ownReply(s, text));
      continue;
    }
    const tagged = [...new Set(s.tags.map((t) => t.name.toLowerCase()))].flatMap((t) => {
      const keyword = ctx.tags.get(t);
      return keyword ? [keyword] : [];
    });
    // Excludes are words, which hashtag timelines cannot filter: check them here.
    const keywords = tagged.filter((k) => !k.exclude.some((e) => matchKeywords(text, [{ term: e, exclude: [] }]).length > 0));
    if (tagged.length > 0 && keywords.length === 0) continue;
    const mentioned = s.mentions.map((m) => fullAcct(m.acct, ctx.instanceHost));
    mentions.push({
      platform: 'mastodon',
      externalId: s.id,
      url: s.url ?? s.uri,
      authorHandle: fullAcct(s.account.acct, ctx.instanceHost),
      authorName: s.account.displayName || null,
      authorId: s.account.id,
      authorFollowers: s.account.followersCount ?? null,
      text,
      lang: s.language ?? null,
      createdAt: Date.parse(s.createdAt),
      keywords: [...new Set([...keywords.map((k) => k.term), ...matchKeywords(text, ctx.keywords)])],
      inReplyTo: s.inReplyToId ?? null,
      conversationId: null,
      summonsBrand: mentioned.some((m) => ctx.ownAccounts.includes(m)),
      metrics: { likes: s.favouritesCount ?? 0, reposts: s.reblogsCount ?? 0, replies: s.repliesCount ?? 0, quotes: s.quotesCount ?? 0 },
    });
  }
  return { mentions, ownReplies };
}

/** A direct-visibility status to the brand: a DM of the queue, answered with a direct status. */
function directStatus(s: Status, ctx: Pick<MapContext, 'instanceHost'>): NewMention {
  return directMessage({
    platform: 'mastodon',
    externalId: s.id,
    url: s.url ?? s.uri,
    authorHandle: fullAcct(s.account.acct, ctx.instanceHost),
    authorName: s.account.displayName || null,
    authorId: s.account.id,
    authorFollowers: s.account.followersCount ?? null,
    text: plainText(s),
    lang: s.language ?? null,
    createdAt: Date.parse(s.createdAt),
  });
}

export function ownReply(s: Status, text = plainText(s)): OwnReply {
  return { platform: 'mastodon', externalId: s.id, inReplyTo: s.inReplyToId!, text, createdAt: Date.parse(s.createdAt), ...(s.visibility === 'direct' ? { channel: 'dm' as const } : {}) };
}
