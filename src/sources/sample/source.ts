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

interface SampleCursor {
  /** Highest item index stored. */
  lastIndex: number;
  /** Brand replies up to this time are stored. */
  repliesUntil: number;
}

/** The bundled offline platform behind `demo`: a source like any other, paging and cursors included. */
export class SampleSource implements Source {
  readonly platform = 'sample';
  readonly name: string;
  readonly replies: ReplyChannel;

  constructor(
    private readonly config: SampleSourceConfig,
    private readonly keywords: readonly Keyword[],
    now: () => number,
  ) {
    this.name = config.name ?? 'sample';
    this.replies = new SampleReplies(now);
  }

  groups(): QueryGroup[] {
    return [{ key: 'all', query: this.keywords.map((k) => k.term).join(' OR '), keywords: [...this.keywords] }];
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const cursor = (saved as SampleCursor | null) ?? { lastIndex: -1, repliesUntil: 0 };
    const now = env.now();
    const start = Date.parse(this.config.start);
    const fresh: NewMention[] = [];
    const replies: OwnReply[] = [];
    let lastIndex = cursor.lastIndex;
    for (const item of sampleItems(this.config.seed, start, this.config.ratePerHour, now)) {
      const keywords = matchKeywords(item.text, group.keywords);
      if (keywords.length === 0) continue;
      if (item.index > cursor.lastIndex) fresh.push(toMention(item, keywords));
      if (item.reply && item.reply.at > cursor.repliesUntil) {
        replies.push({ platform: 'sample', externalId: item.reply.id, inReplyTo: item.id, text: item.reply.text, createdAt: item.reply.at });
      }
      lastIndex = Math.max(lastIndex, item.index);
    }
    const pageSize = this.config.pageSize;
    const pages = Math.max(1, Math.ceil(fresh.length / pageSize));
    for (let page = 0; page < pages; page++) {
      // Each page stands for one request, as on a real platform.
      env.countRequest();
      const slice = fresh.slice(page * pageSize, (page + 1) * pageSize);
      const last = page === pages - 1;
      const next: SampleCursor = last
        ? { lastIndex, repliesUntil: now }
        : { lastIndex: Number(slice.at(-1)!.externalId) - 1_000_000, repliesUntil: cursor.repliesUntil };
      yield { mentions: slice, ownReplies: last ? replies : [], cursor: next as unknown as CursorState, postsRead: slice.length };
    }
  }
}

function toMention(item: SampleItem, keywords: string[]): NewMention {
  return {
    platform: 'sample',
    externalId: item.id,
    url: `https://social.example/@${item.author}/${item.id}`,
    authorHandle: item.author,
    authorName: null,
    authorId: item.author,
    authorFollowers: item.followers,
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
export class SampleReplies implements ReplyChannel {
  constructor(private readonly now: () => number) {}

  measure(text: string) {
    return { length: graphemeLength(text), limit: 500 };
  }

  ability(): ReplyAbility {
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
