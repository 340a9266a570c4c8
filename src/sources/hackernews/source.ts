import type { HackerNewsSourceConfig, Keyword } from '../../config/schema.js';
import { classifyHttpError, httpRequest, parseJson } from '../http.js';
import { ReadOnlyReplies } from '../read-only.js';
import { policyOf, requestWithPolicy, type RequestEnvironment } from '../request.js';
import { describeIssue, parsePayload } from '../schema.js';
import type {
  CursorState,
  FetchedPage,
  PagingEnvironment,
  QueryGroup,
  ReplyChannel,
  Source,
  SourceCheck,
} from '../types.js';
import { itemUrl, mapHits, searchResponse, type SearchResponse } from './payload.js';

export const HN_API = 'https://hn.algolia.com';

/**
 * `newest` (seconds) is committed: every hit up to it is stored. `run` is an unfinished paging run, newest
 * first, narrowed by an upper bound (`until`) instead of Algolia's page number, so new hits arriving
 * meanwhile never shift pages and the 1,000-hit pagination cap never applies.
 */
export interface HackerNewsCursor {
  newest: number | null;
  run: { since: number; until: number; newest: number } | null;
}

export interface HackerNewsSourceOptions {
  config: HackerNewsSourceConfig;
  keywords: readonly Keyword[];
  ownHandles: readonly string[];
  now: () => number;
}

/** Hacker News through the Algolia search API: stories and comments by date, one query per keyword; read-only. */
export class HackerNewsSource implements Source {
  readonly platform = 'hackernews';
  readonly name: string;
  readonly readUnit = 'items';
  // No write API: replies are made on the site, and the next poll records them (with ownAccounts.hackernews set).
  readonly replies: ReplyChannel = new ReadOnlyReplies({
    reason: 'Hacker News has no API for replies; answer on the site (with ownAccounts.hackernews set, the next poll records it)',
    webUrl: (target) => itemUrl(target.externalId),
    refusal: (target) => `Hacker News has no API for replies; answer at ${itemUrl(target.externalId)}`,
  });
  private readonly base: string;

  constructor(private readonly options: HackerNewsSourceOptions) {
    this.name = options.config.name ?? 'hackernews';
    this.base = (options.config.apiBaseUrl ?? HN_API).replace(/\/$/, '');
  }

  /** Algolia has no OR between words, so each keyword is its own query; the brand's comments are one more. */
  groups(): QueryGroup[] {
    const groups: QueryGroup[] = this.options.keywords.map((k) => ({ key: `keyword:${k.term}`, query: k.term.replace(/^"|"$/g, ''), keywords: [k] }));
    for (const handle of this.options.ownHandles) groups.push({ key: `own:${handle}`, query: '', keywords: [] });
    return groups;
  }

  private url(group: QueryGroup, filters: string[], hitsPerPage: number): string {
    const own = group.key.startsWith('own:') ? group.key.slice(4) : null;
    const params = new URLSearchParams({
      query: group.query,
      tags: own ? `comment,author_${own}` : `(${this.options.config.tags.join(',')})`,
      numericFilters: filters.join(','),
      hitsPerPage: String(hitsPerPage),
      page: '0',
    });
    return `${this.base}/api/v1/search_by_date?${params}`;
  }

  private async search(url: string, env: RequestEnvironment): Promise<SearchResponse> {
    const body = await requestWithPolicy(
      async () => parseJson((await httpRequest(url, { timeout: this.options.config.timeout })).text),
      (error) => classifyHttpError('Hacker News search', error, env.now()),
      policyOf(this.options.config),
      env,
    );
    return parsePayload(searchResponse, body, 'search', 'Hacker News');
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const { config } = this.options;
    const cursor = (saved as HackerNewsCursor | null) ?? { newest: null, run: null };
    const since = cursor.run
      ? cursor.run.since
      : cursor.newest !== null
        ? cursor.newest - Math.ceil(config.overlap / 1000)
        : Math.floor((env.now() - config.backfill) / 1000);
    let until = cursor.run?.until ?? null;
    let runNewest = cursor.run?.newest ?? null;

    for (;;) {
      const hitsPerPage = await env.allowance(config.hitsPerPage);
      const filters = [`created_at_i>${since}`, ...(until !== null ? [`created_at_i<=${until}`] : [])];
      const page = await this.search(this.url(group, filters, hitsPerPage), env);
      const times = page.hits.map((h) => h.created_at_i);
      if (times.length > 0) runNewest = Math.max(runNewest ?? 0, ...times);
      let more = page.nbPages > 1 && page.hits.length > 0;
      if (more) {
        const oldest = Math.min(...times);
        // A full page inside one second cannot narrow the bound; step past that second rather than loop.
        until = oldest === until ? oldest - 1 : oldest;
        if (until <= since) more = false;
      }
      const next: HackerNewsCursor = more
        ? { newest: cursor.newest, run: { since, until: until!, newest: runNewest ?? since } }
        : { newest: runNewest === null ? cursor.newest : Math.max(cursor.newest ?? runNewest, runNewest), run: null };
      const mapped = mapHits(page, { keywords: group.keywords, ownHandles: this.options.ownHandles });
      yield { ...mapped, cursor: next as unknown as CursorState, postsRead: page.hits.length };
      if (!more) return;
    }
  }

  async check(): Promise<SourceCheck[]> {
    const { config } = this.options;
    const query = this.options.keywords[0]?.term ?? '';
    const url = `${this.base}/api/v1/search_by_date?${new URLSearchParams({ query, tags: 'story', hitsPerPage: '1' })}`;
    try {
      const response = await httpRequest(url, { timeout: config.timeout });
      const parsed = searchResponse.safeParse(parseJson(response.text));
      if (!parsed.success) {
        return [{ name: 'endpoint reachable', status: 'fail', detail: `${this.base} answered, but not like the Algolia HN Search API (${describeIssue(parsed.error.issues)})`, fix: 'check apiBaseUrl' }];
      }
      return [
        { name: 'endpoint reachable', status: 'ok', detail: `${this.base} answered a search (${parsed.data.nbHits} hits for "${query}")` },
        { name: 'credentials', status: 'ok', detail: 'none needed (public API; about 10,000 requests per hour per IP)' },
      ];
    } catch (error) {
      const failure = classifyHttpError('Hacker News search', error, this.options.now());
      return [{ name: 'endpoint reachable', status: 'fail', detail: failure.message, fix: 'check the network and apiBaseUrl' }];
    }
  }
}
