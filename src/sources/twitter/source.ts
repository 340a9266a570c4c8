import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import type { Keyword, TwitterSourceConfig } from '../../config/schema.js';
import { policyOf, requestWithPolicy, SourceFailure } from '../request.js';
import { parsePayload } from '../schema.js';
import type { CursorState, FetchedPage, PagingEnvironment, QueryGroup, RateLimitState, ReplyChannel, Source, SourceCheck } from '../types.js';
import { baseUrlPlugin, classifyTwitterError, toRateLimit } from './client.js';
import { lookupResponse, mapOwnReplies, mapSearchPage, searchResponse, type SearchResponse } from './payload.js';
import { TwitterReplies } from './replies.js';
import { planQueries } from './query.js';

const SEARCH_FIELDS = {
  'tweet.fields': 'author_id,conversation_id,created_at,in_reply_to_user_id,lang,public_metrics,referenced_tweets,entities',
  expansions: 'author_id,referenced_tweets.id.author_id',
  'user.fields': 'public_metrics,username,name,verified',
  sort_order: 'recency',
} as const;

const SEVEN_DAYS = 7 * 86_400_000;

/**
 * Where a query group stands. `sinceId` is committed: everything newer than it up to the last
 * completed run is stored. `run` is an unfinished paging run (newest first), resumable after a crash.
 */
export interface TwitterCursor {
  sinceId: string | null;
  run: { newestId: string | null; nextToken: string; sinceId: string | null; startTime: string | null } | null;
}

export interface TwitterSourceOptions {
  config: TwitterSourceConfig;
  keywords: readonly Keyword[];
  ownHandles: readonly string[];
  bearerToken: string;
  /** Replaces the API origin (gateways, test servers); from config or BRANDWATCH_TWITTER_API_URL. */
  apiBaseUrl: string | null;
  /** OAuth 2 user token for replies and posts (from `userTokenEnv`); null when not configured or not set. */
  userToken?: string | null;
  now: () => number;
}

/** Key of the query group that finds the brand's own replies (made on the phone or the web). */
export const OWN_REPLIES_GROUP = 'own-replies';
/** Key of the step that re-reads open mentions' metrics (GET /2/tweets?ids=). */
export const METRICS_GROUP = 'open-metrics';

export class TwitterSource implements Source {
  readonly platform = 'twitter';
  readonly name: string;
  readonly replies: ReplyChannel;
  private readonly client: TwitterApi;

  constructor(private readonly options: TwitterSourceOptions) {
    this.name = options.config.name ?? 'twitter';
    this.client = new TwitterApi(options.bearerToken, {
      plugins: [baseUrlPlugin(options.apiBaseUrl, options.config.timeout)],
    });
    this.replies = new TwitterReplies({
      userToken: options.userToken ?? null,
      userTokenEnv: options.config.userTokenEnv ?? null,
      readClient: this.client,
      ownHandles: options.ownHandles,
      apiBaseUrl: options.apiBaseUrl,
      timeout: options.config.timeout,
      now: options.now,
    });
  }

  groups(): QueryGroup[] {
    const groups = planQueries({
      keywords: this.options.keywords,
      ownHandles: this.options.ownHandles,
      lengthLimit: this.options.config.queryLengthLimit,
    });
    const own = this.options.ownHandles.map((h) => `from:${h}`);
    if (this.options.config.nativeReplies && own.length > 0) {
      // The brand's replies made outside brandwatch: one more request per poll, recorded as native responses.
      const query = `${own.length === 1 ? own[0] : `(${own.join(' OR ')})`} is:reply`;
      groups.push({ key: OWN_REPLIES_GROUP, query, keywords: [] });
    }
    if (this.options.config.refreshMetrics) groups.push({ key: METRICS_GROUP, query: '', keywords: [] });
    return groups;
  }

  check(): Promise<SourceCheck[]> {
    return checkTwitter(this.client, this.groups()[0]?.query ?? this.options.keywords[0]!.term, this.options.now(), this.options.config.bearerTokenEnv);
  }

  midRun(cursor: CursorState): boolean {
    return (cursor as Partial<TwitterCursor>).run != null;
  }

  /** One lookup of up to 100 open mentions: their metrics now, kept beside the previous snapshot (engagement velocity). */
  private async *refreshMetrics(env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    // A spent budget reads nothing here rather than stop the source: this is a refresh, not news.
    const ids = env.openMentions?.(env.allowance(100, 0)) ?? [];
    if (ids.length === 0) return;
    const body = await requestWithPolicy(
      async () =>
        (await this.client.v2.tweets(ids, {
          'tweet.fields': SEARCH_FIELDS['tweet.fields'],
          expansions: ['author_id'],
          'user.fields': ['public_metrics', 'username', 'name'],
        })) as unknown,
      classifyTwitterError,
      policyOf(this.options.config),
      env,
    );
    const found = parsePayload(lookupResponse, body, 'lookup', 'X');
    const posts = found.data ?? [];
    yield {
      mentions: mapSearchPage({ ...found, meta: { result_count: posts.length } }, { keywords: [], ownHandles: this.options.ownHandles }),
      ownReplies: [],
      cursor: {},
      postsRead: posts.length,
    };
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    if (group.key === METRICS_GROUP) return yield* this.refreshMetrics(env);
    const cursor = (saved as TwitterCursor | null) ?? { sinceId: null, run: null };
    const { config } = this.options;
    // A resumed run continues with its own since_id/start_time and page token.
    let sinceId = cursor.run ? cursor.run.sinceId : cursor.sinceId;
    let startTime = cursor.run
      ? cursor.run.startTime
      : cursor.sinceId
        ? null
        : new Date(env.now() - Math.min(config.backfill, SEVEN_DAYS - 60_000)).toISOString();
    let nextToken: string | null = cursor.run?.nextToken ?? null;
    let newestId: string | null = cursor.run?.newestId ?? null;
    let first = true;

    for (;;) {
      // X's max_results cannot go below 10.
      const params: Record<string, string | number> = { ...SEARCH_FIELDS, max_results: env.allowance(config.maxResults, 10) };
      if (sinceId) params.since_id = sinceId;
      else if (startTime) params.start_time = startTime;
      if (nextToken) params.next_token = nextToken;

      let page: SearchResponse;
      let rateLimit: RateLimitState | undefined;
      try {
        const result = await requestWithPolicy(
          async () => {
            const paginator = await this.client.v2.search(group.query, params);
            return { body: paginator.data as unknown, rateLimit: paginator.rateLimit };
          },
          classifyTwitterError,
          policyOf(config),
          env,
        );
        rateLimit = toRateLimit(result.rateLimit);
        page = parsePayload(searchResponse, result.body, 'search', 'X');
      } catch (error) {
        if (error instanceof SourceFailure && sinceId && /since_id/i.test(error.message) && !nextToken) {
          // since_id older than the 7-day window: fall back to the oldest start_time allowed.
          env.verbose('since_id is older than 7 days; searching from the start of the window instead');
          sinceId = null;
          startTime = new Date(env.now() - SEVEN_DAYS + 60_000).toISOString();
          continue;
        }
        throw error;
      }

      if (first && newestId === null) newestId = page.meta.newest_id ?? null;
      first = false;
      nextToken = page.meta.next_token ?? null;
      const next: TwitterCursor = nextToken
        ? { sinceId: cursor.sinceId, run: { newestId, nextToken, sinceId, startTime } }
        : { sinceId: newestId ?? cursor.sinceId, run: null };
      const own = group.key === OWN_REPLIES_GROUP;
      yield {
        mentions: own ? [] : mapSearchPage(page, { keywords: group.keywords, ownHandles: this.options.ownHandles }),
        ownReplies: own ? mapOwnReplies(page) : [],
        cursor: next as unknown as CursorState,
        postsRead: page.meta.result_count,
        ...(rateLimit ? { rateLimit } : {}),
      };
      if (!nextToken) return;
    }
  }
}

/**
 * `doctor`'s probe: one search for the first query over the last minute (at most 10 posts, usually none, so
 * it costs next to nothing) shows reachability, whether the bearer token is accepted, and the rate-limit window.
 */
export async function checkTwitter(client: TwitterApi, query: string, now: number, tokenEnv: string): Promise<SourceCheck[]> {
  try {
    const paginator = await client.v2.search(query, { max_results: 10, start_time: new Date(now - 60_000).toISOString() });
    const rateLimit = toRateLimit(paginator.rateLimit);
    const checks: SourceCheck[] = [
      { name: 'endpoint reachable', status: 'ok', detail: 'recent search answered' },
      { name: 'token accepted', status: 'ok', detail: `the bearer token in ${tokenEnv} is accepted` },
    ];
    if (rateLimit && rateLimit.remaining !== null && rateLimit.limit !== null) {
      const low = rateLimit.remaining < Math.max(1, rateLimit.limit / 10);
      checks.push({
        name: 'rate limit',
        status: low ? 'warn' : 'ok',
        detail: `${rateLimit.remaining}/${rateLimit.limit} search requests left in this window`,
        ...(low ? { fix: 'poll less often; the window resets within 15 minutes' } : {}),
        rateLimit,
      });
    }
    return checks;
  } catch (error) {
    const failure = classifyTwitterError(error);
    if (failure.kind === 'rate_limited') {
      return [
        { name: 'endpoint reachable', status: 'ok', detail: 'recent search answered' },
        { name: 'rate limit', status: 'warn', detail: `${failure.message}; polls wait or stop until the reset`, fix: 'poll less often', rateLimit: failure.rateLimit },
      ];
    }
    if (error instanceof ApiResponseError && (error.code === 401 || error.code === 403)) {
      return [
        { name: 'endpoint reachable', status: 'ok', detail: 'recent search answered' },
        { name: 'token accepted', status: 'fail', detail: failure.message, fix: `put a valid app bearer token in ${tokenEnv}` },
      ];
    }
    return [{ name: 'endpoint reachable', status: 'fail', detail: failure.message, fix: 'check the network and apiBaseUrl; retry later if X is down' }];
  }
}
