import type { Keyword, RssSourceConfig } from '../../config/schema.js';
import { classifyHttpError, httpRequest, MalformedBody, type HttpResponse } from '../http.js';
import { matchKeywords } from '../keywords.js';
import { ReadOnlyReplies } from '../read-only.js';
import { policyOf, requestWithPolicy, type Failure, type RequestEnvironment } from '../request.js';
import type { CursorState, FetchedPage, NewMention, PagingEnvironment, QueryGroup, ReplyChannel, Source, SourceCheck } from '../types.js';
import { NotAFeed, parseFeed, type Feed, type FeedEntry } from './feed.js';

/** How many entry keys (guids and links) the cursor remembers for de-duplication. */
const SEEN_LIMIT = 1000;

/** Validators of the last 200 answer (for a conditional GET) and the keys of the entries already stored. */
export interface RssCursor {
  etag: string | null;
  lastModified: string | null;
  seen: string[];
}

export interface RssSourceOptions {
  config: RssSourceConfig;
  keywords: readonly Keyword[];
  now: () => number;
}

export function isGoogleAlertsFeed(url: string): boolean {
  const { hostname, pathname } = new URL(url);
  return /(^|\.)google\.[a-z.]+$/i.test(hostname) && pathname.startsWith('/alerts/feeds/');
}

/** Any RSS 2.0 or Atom feed, Google Alerts included: one conditional GET per poll; read-only. */
export class RssSource implements Source {
  readonly platform = 'rss';
  readonly name: string;
  readonly readUnit = 'entries';
  // Feeds are read-only: the reply is made on the article's site.
  readonly replies: ReplyChannel = new ReadOnlyReplies({
    reason: 'feed entries cannot be answered through an API; reply on the site if it takes comments',
    webUrl: (target) => target.url,
    refusal: (target) => `feed entries cannot be answered through an API${target.url ? `; open ${target.url}` : ''}`,
  });
  private readonly host: string;
  private readonly filterByKeywords: boolean;

  constructor(private readonly options: RssSourceOptions) {
    this.name = options.config.name ?? 'rss';
    this.host = new URL(options.config.url).host;
    this.filterByKeywords = options.config.filterByKeywords ?? !isGoogleAlertsFeed(options.config.url);
  }

  groups(): QueryGroup[] {
    return [{ key: 'feed', query: this.options.config.url, keywords: [...this.options.keywords] }];
  }

  private classify(error: unknown, now: number): Failure {
    if (error instanceof MalformedBody) return { kind: 'transient', message: `the feed at ${this.host} is ${error.message}` };
    return classifyHttpError(`the feed at ${this.host}`, error, now);
  }

  private async fetchFeed(cursor: RssCursor, env: RequestEnvironment): Promise<{ response: HttpResponse; feed: Feed | null }> {
    const { config } = this.options;
    const headers: Record<string, string> = { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5' };
    if (cursor.etag) headers['if-none-match'] = cursor.etag;
    if (cursor.lastModified) headers['if-modified-since'] = cursor.lastModified;
    return requestWithPolicy(
      async () => {
        const response = await httpRequest(config.url, { timeout: config.timeout, headers });
        return { response, feed: response.status === 304 ? null : parseFeed(response.text) };
      },
      (error) => (error instanceof NotAFeed ? { kind: 'fatal', message: `${config.url} is ${error.message}` } : this.classify(error, env.now())),
      policyOf(config),
      env,
    );
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const { config } = this.options;
    const cursor = (saved as RssCursor | null) ?? { etag: null, lastModified: null, seen: [] };
    // A feed comes whole: the allowance only decides whether it may be read at all.
    await env.allowance(Number.POSITIVE_INFINITY);
    const { response, feed } = await this.fetchFeed(cursor, env);
    if (!feed) {
      env.verbose('feed not modified (304)');
      return;
    }
    const now = env.now();
    const oldest = now - config.backfill;
    const seen = new Set(cursor.seen);
    const mentions: NewMention[] = [];
    const keys: string[] = [];
    for (const entry of feed.entries) {
      const entryKeys = [entry.guid, entry.link].filter((k): k is string => k !== null);
      if (entryKeys.length === 0) continue;
      keys.push(...entryKeys);
      // An entry whose guid or link was stored before is the same entry, even if the other changed.
      if (entryKeys.some((k) => seen.has(k))) continue;
      entryKeys.forEach((k) => seen.add(k));
      if (entry.published !== null && entry.published < oldest) continue;
      const mention = toMention(entry, feed, group.keywords, now, this.host);
      if (this.filterByKeywords && mention.keywords.length === 0) continue;
      mentions.push(mention);
    }
    const next: RssCursor = {
      etag: response.headers.get('etag'),
      lastModified: response.headers.get('last-modified'),
      seen: [...new Set([...keys, ...cursor.seen])].slice(0, SEEN_LIMIT),
    };
    yield { mentions, ownReplies: [], cursor: next as unknown as CursorState, postsRead: feed.entries.length };
  }

  async check(): Promise<SourceCheck[]> {
    const { config } = this.options;
    try {
      const response = await httpRequest(config.url, { timeout: config.timeout });
      const feed = parseFeed(response.text);
      const validators = response.headers.get('etag') || response.headers.get('last-modified');
      return [
        { name: 'feed reachable', status: 'ok', detail: `"${feed.title}" with ${feed.entries.length} entries` },
        validators
          ? { name: 'conditional requests', status: 'ok', detail: 'the server sends ETag/Last-Modified: unchanged polls cost no download' }
          : { name: 'conditional requests', status: 'warn', detail: 'the server sends neither ETag nor Last-Modified: every poll downloads the whole feed' },
      ];
    } catch (error) {
      const message = error instanceof NotAFeed || error instanceof MalformedBody ? `${config.url} is ${error.message}` : this.classify(error, this.options.now()).message;
      return [{ name: 'feed reachable', status: 'fail', detail: message, fix: 'check the url (open it in a browser; Google Alerts: "Deliver to: RSS feed")' }];
    }
  }
}

function toMention(entry: FeedEntry, feed: Feed, keywords: readonly Keyword[], now: number, feedHost: string): NewMention {
  const text = [entry.title, entry.summary].filter((p) => p.length > 0).join('\n\n');
  let site = feedHost;
  if (entry.link) {
    try {
      site = new URL(entry.link).hostname.replace(/^www\./, '');
    } catch {
      // A relative or broken link: the feed's host stands in.
    }
  }
  return {
    platform: 'rss',
    externalId: entry.link ?? entry.guid!,
    url: entry.link && /^https?:\/\//i.test(entry.link) ? entry.link : null,
    // Web mentions have a site rather than a person; the entry's author, when given, is its name.
    authorHandle: site,
    authorName: entry.author,
    authorId: null,
    authorFollowers: null,
    text,
    lang: feed.language,
    createdAt: entry.published ?? now,
    keywords: matchKeywords(text, keywords),
    inReplyTo: null,
    conversationId: null,
    summonsBrand: false,
    metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 },
  };
}
