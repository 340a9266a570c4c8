import type { Keyword, SampleSourceConfig } from '../../config/schema.js';
import { matchKeywords } from '../keywords.js';
import type {
  CursorState,
  FetchedPage,
  NewMention,
  OwnReply,
  PagingEnvironment,
  QueryGroup,
  ReplyAbility,
  ReplyChannel,
  ReplyTarget,
  SentReply,
  Source,
} from '../types.js';
import { graphemeLength } from '../graphemes.js';
import { sampleItems, SAMPLE_HANDLE, type SampleItem } from './conversation.js';
import { flavouredItems, type Flavour } from './flavours.js';

interface SampleCursor {
  /** Highest item index stored. */
  lastIndex: number;
  /** Brand replies up to this time are stored. */
  repliesUntil: number;
}

/** The bundled offline platform behind `demo`: a source like any other, paging and cursors included. */
export class SampleSource implements Source {
  readonly platform: string;
  readonly name: string;
  readonly replies: ReplyChannel;

  constructor(
    private readonly config: SampleSourceConfig,
    private readonly keywords: readonly Keyword[],
    now: () => number,
  ) {
    this.platform = config.imitates ?? 'sample';
    this.name = config.name ?? 'sample';
    this.replies = new SampleReplies(now, config.imitates);
  }

  /** The demo platforms' items generated so far: a replay polls every 15 minutes, and each poll extends the list rather than regenerating it. */
  private readonly generated: SampleItem[] = [];
  private stream: Iterator<SampleItem> | null = null;
  private ahead: SampleItem | null = null;

  private *items(start: number, now: number): Iterable<SampleItem> {
    const { seed, ratePerHour, imitates } = this.config;
    if (!imitates) return yield* sampleItems(seed, start, ratePerHour, now);
    if (!this.stream) {
      this.stream = flavouredItems(imitates, seed, start, ratePerHour, Infinity);
      this.ahead = this.stream.next().value ?? null;
    }
    while (this.ahead && this.ahead.createdAt <= now) {
      this.generated.push(this.ahead);
      this.ahead = this.stream.next().value ?? null;
    }
    // Replies and follow-ups show once their time has come.
    const visible = <T extends { at: number }>(x: T | null | undefined): T | null => (x && x.at <= now ? x : null);
    for (const item of this.generated) {
      if (item.createdAt > now) return;
      const followUp = visible(item.followUp);
      yield { ...item, reply: visible(item.reply), followUp: followUp && { ...followUp, reply: visible(followUp.reply) } };
    }
  }

  groups(): QueryGroup[] {
    return [{ key: 'all', query: this.keywords.map((k) => k.term).join(' OR '), keywords: [...this.keywords] }];
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const cursor = (saved as SampleCursor | null) ?? { lastIndex: -1, repliesUntil: 0 };
    const now = env.now();
    const start = Date.parse(this.config.start);
    const fresh: NewMention[] = [];
    // Per fresh mention, the highest item index stored once it is: a page's resume point (follow-ups do not move it).
    const reached: number[] = [];
    const replies: OwnReply[] = [];
    let lastIndex = cursor.lastIndex;
    const platform = this.platform;
    for (const item of this.items(start, now)) {
      const keywords = matchKeywords(item.text, group.keywords);
      if (keywords.length === 0) continue;
      if (item.index > cursor.lastIndex) {
        fresh.push(toMention(item, keywords, platform));
        reached.push(item.index);
      }
      if (item.reply && item.reply.at > cursor.repliesUntil) {
        replies.push({ platform, externalId: item.reply.id, inReplyTo: item.id, text: item.reply.text, createdAt: item.reply.at });
      }
      // A follow-up appears when its time comes, like our replies: by time, not by item index.
      const followUp = item.followUp;
      if (followUp && followUp.at > cursor.repliesUntil) {
        const followKeywords = matchKeywords(followUp.text, group.keywords);
        if (followKeywords.length > 0) {
          fresh.push(followUpMention(item, followUp, followKeywords, platform));
          reached.push(reached.at(-1) ?? cursor.lastIndex);
        }
      }
      if (followUp?.reply && followUp.reply.at > cursor.repliesUntil) {
        replies.push({ platform, externalId: followUp.reply.id, inReplyTo: followUp.id, text: followUp.reply.text, createdAt: followUp.reply.at });
      }
      lastIndex = Math.max(lastIndex, item.index);
    }
    const pageSize = this.config.pageSize;
    const pages = Math.max(1, Math.ceil(fresh.length / pageSize));
    for (let page = 0; page < pages; page++) {
      // Each page stands for one request, as on a real platform.
      await env.countRequest();
      const slice = fresh.slice(page * pageSize, (page + 1) * pageSize);
      const last = page === pages - 1;
      const next: SampleCursor = last
        ? { lastIndex, repliesUntil: now }
        : { lastIndex: reached[(page + 1) * pageSize - 1]!, repliesUntil: cursor.repliesUntil };
      yield { mentions: slice, ownReplies: last ? replies : [], cursor: next as unknown as CursorState, postsRead: slice.length };
    }
  }
}

/** Links in each platform's shape, on example domains (nothing real is opened). */
function urlOf(platform: string, author: string, id: string): string {
  switch (platform) {
    case 'twitter':
      return `https://x.sample.example/${author}/status/${id}`;
    case 'mastodon':
      return `https://mastodon.sample.example/@${author}/${id}`;
    case 'bluesky':
      return `https://bsky.sample.example/profile/${author}.bsky.social/post/${id}`;
    case 'rss':
      return `https://${author}/articles/${id}`;
    default:
      return `https://social.example/@${author}/${id}`;
  }
}

function followUpMention(item: SampleItem, followUp: NonNullable<SampleItem['followUp']>, keywords: string[], platform: string): NewMention {
  return {
    ...toMention({ ...item, id: followUp.id, text: followUp.text, createdAt: followUp.at, likes: 0, reposts: 0, replies: 0 }, keywords, platform),
    inReplyTo: item.reply?.id ?? item.id,
    conversationId: item.id,
  };
}

function toMention(item: SampleItem, keywords: string[], platform = 'sample'): NewMention {
  return {
    platform,
    externalId: item.id,
    url: urlOf(platform, item.author, item.id),
    authorHandle: item.author,
    authorName: null,
    authorId: item.author,
    authorFollowers: platform === 'rss' ? null : item.followers,
    text: item.text,
    lang: 'en',
    createdAt: item.createdAt,
    keywords,
    inReplyTo: null,
    conversationId: item.id,
    summonsBrand: item.text.toLowerCase().includes(`@${SAMPLE_HANDLE}`),
    metrics: { likes: item.likes, reposts: item.reposts, replies: item.replies, quotes: 0 },
  };
}

/**
 * Replies on the sample platform are accepted at once and go nowhere: the demo can be worked to the
 * end with keys alone. Ids derive from the idempotency key, so a repeated attempt is the same post.
 */
/** Each imitated platform's reply limit (graphemes; X's own weighting lives with the real X source). */
const LIMITS: Record<Flavour, number> = { twitter: 280, mastodon: 500, bluesky: 300, rss: 0 };

export class SampleReplies implements ReplyChannel {
  constructor(
    private readonly now: () => number,
    private readonly imitates?: Flavour,
  ) {}

  measure(text: string) {
    return { length: graphemeLength(text), limit: this.imitates ? LIMITS[this.imitates] : 500 };
  }

  ability(target?: ReplyTarget): ReplyAbility {
    if (this.imitates === 'rss') {
      return { ok: false, reason: 'a Google Alerts result is a page on the web, not a post: answer there, or mark it resolved', webUrl: target?.url ?? null };
    }
    return { ok: true };
  }

  webReplyUrl(target: ReplyTarget): string | null {
    return target.url;
  }

  async reply(_target: ReplyTarget, _text: string, options: { idempotencyKey: string }): Promise<SentReply> {
    return { externalId: `bw-${options.idempotencyKey}`, sentAt: this.now(), url: null };
  }

  async findReply(): Promise<SentReply | null> {
    return null;
  }

  async post(_text: string, options: { idempotencyKey: string }): Promise<SentReply> {
    return { externalId: `bw-${options.idempotencyKey}`, sentAt: this.now(), url: null };
  }
}
