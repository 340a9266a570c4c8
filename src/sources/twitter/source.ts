import { ApiPartialResponseError, ApiRequestError, ApiResponseError, TwitterApi, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import type { Keyword, TwitterSourceConfig } from '../../config/schema.js';
import { requestWithPolicy, SourceFailure, type Failure } from '../request.js';
import type { CursorState, GroupOutcome, PollEnvironment, QueryGroup, RateLimitState, ReplyChannel, Source, SourceCheck } from '../types.js';
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
}

/** Key of the query group that finds the brand's own replies (made on the phone or the web). */
export const OWN_REPLIES_GROUP = 'own-replies';
/** Key of the step that re-reads open mentions' metrics (GET /2/tweets?ids=). */
export const METRICS_GROUP = 'open-metrics';

/** Rewrites every request to another HTTPS origin (the client has no base-URL setting). */
export function baseUrlPlugin(apiBaseUrl: string | null, timeout: number): ITwitterApiClientPlugin {
  const base = apiBaseUrl ? new URL(apiBaseUrl) : null;
  return {
    onBeforeRequestConfig: ({ params }) => {
      params.timeout = timeout;
      if (!base) return;
      const original = new URL(params.url.startsWith('http') ? params.url : `https://${params.url}`);
      const prefix = base.pathname.replace(/\/$/, '');
      params.url = `${base.origin}${prefix}${original.pathname}${original.search}`;
    },
  };
}

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
    return checkTwitter(this.client, this.groups()[0]?.query ?? this.options.keywords[0]!.term, Date.now(), this.options.config.bearerTokenEnv);
  }

  /** One lookup of up to 100 open mentions: their metrics now, kept beside the previous snapshot (engagement velocity). */
  private async refreshMetrics(env: PollEnvironment): Promise<GroupOutcome> {
    const readsLeft = env.readsLeft();
    const ids = env.openMentions?.(Math.min(100, readsLeft ?? 100)) ?? [];
    if (ids.length === 0) return { status: 'ok' };
    const { config } = this.options;
    const result = await requestWithPolicy(
      async () => {
        const body = await this.client.v2.tweets(ids, {
          'tweet.fields': SEARCH_FIELDS['tweet.fields'],
          expansions: ['author_id'],
          'user.fields': ['public_metrics', 'username', 'name'],
        });
        return body as unknown;
      },
      classifyTwitterError,
      { attempts: config.retry.attempts, baseDelay: config.retry.baseDelay, rateLimitWait: config.rateLimitWait },
      env,
    );
    const parsed = lookupResponse.safeParse(result);
    if (!parsed.success) throw new SourceFailure(`unexpected lookup response from X (${parsed.error.issues[0]!.path.join('.') || 'body'})`);
    const found = parsed.data.data ?? [];
    env.store({
      mentions: mapSearchPage({ ...parsed.data, meta: { result_count: found.length } }, { keywords: [], ownHandles: this.options.ownHandles }),
      ownReplies: [],
      cursor: {},
      postsRead: found.length,
    });
    return { status: 'ok' };
  }

  async poll(group: QueryGroup, saved: CursorState | null, env: PollEnvironment): Promise<GroupOutcome> {
    if (group.key === METRICS_GROUP) return this.refreshMetrics(env);
    let cursor = (saved as TwitterCursor | null) ?? { sinceId: null, run: null };
    let resuming = cursor.run !== null;
    const { config } = this.options;
    let rateLimit: RateLimitState | undefined;
    // A resumed run continues with its own since_id/start_time and page token.
    let sinceId = cursor.run ? cursor.run.sinceId : cursor.sinceId;
    let startTime = cursor.run
      ? cursor.run.startTime
      : cursor.sinceId
        ? null
        : new Date(env.now() - Math.min(config.backfill, SEVEN_DAYS - 60_000)).toISOString();
    let nextToken: string | null = cursor.run?.nextToken ?? null;
    let newestId: string | null = cursor.run?.newestId ?? null;
    let pageIndex = 0;

    for (;;) {
      if (env.signal.aborted) return { status: 'ok', message: 'interrupted; the next poll resumes here', ...(rateLimit ? { rateLimit } : {}) };
      const readsLeft = env.readsLeft();
      if (readsLeft !== null && readsLeft < 10) {
        return {
          status: 'budget_exhausted',
          message: `monthly read budget of ${config.monthlyReadBudget} posts is used up; raise monthlyReadBudget or wait for next month`,
          ...(rateLimit ? { rateLimit } : {}),
        };
      }
      const maxResults = Math.min(config.maxResults, readsLeft ?? Infinity);
      const params: Record<string, string | number> = { ...SEARCH_FIELDS, max_results: maxResults };
      if (sinceId) params.since_id = sinceId;
      else if (startTime) params.start_time = startTime;
      if (nextToken) params.next_token = nextToken;

      let page: SearchResponse;
      try {
        const result = await requestWithPolicy(
          async () => {
            const paginator = await this.client.v2.search(group.query, params);
            return { body: paginator.data as unknown, rateLimit: paginator.rateLimit };
          },
          classifyTwitterError,
          { attempts: config.retry.attempts, baseDelay: config.retry.baseDelay, rateLimitWait: config.rateLimitWait },
          env,
        );
        rateLimit = toRateLimit(result.rateLimit);
        const parsed = searchResponse.safeParse(result.body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new SourceFailure(`unexpected search response from X (${issue.path.join('.') || 'body'}: ${issue.message})`);
        }
        page = parsed.data;
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

      if (pageIndex === 0 && newestId === null) newestId = page.meta.newest_id ?? null;
      pageIndex++;
      nextToken = page.meta.next_token ?? null;
      const next: TwitterCursor = nextToken
        ? { sinceId: cursor.sinceId, run: { newestId, nextToken, sinceId, startTime } }
        : { sinceId: newestId ?? cursor.sinceId, run: null };
      const own = group.key === OWN_REPLIES_GROUP;
      env.store({
        mentions: own ? [] : mapSearchPage(page, { keywords: group.keywords, ownHandles: this.options.ownHandles }),
        ownReplies: own ? mapOwnReplies(page) : [],
        cursor: next as unknown as CursorState,
        postsRead: page.meta.result_count,
      });
      if (nextToken) continue;
      if (!resuming) return { status: 'ok', ...(rateLimit ? { rateLimit } : {}) };
      // A resumed run covers posts up to its own start; what arrived since needs a fresh run.
      resuming = false;
      cursor = next;
      sinceId = next.sinceId;
      startTime = sinceId ? null : startTime;
      newestId = null;
      pageIndex = 0;
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

function toRateLimit(rateLimit: { limit?: number; remaining?: number; reset?: number } | undefined): RateLimitState | undefined {
  if (!rateLimit || rateLimit.limit === undefined) return undefined;
  return {
    limit: rateLimit.limit ?? null,
    remaining: rateLimit.remaining ?? null,
    resetAt: rateLimit.reset !== undefined ? rateLimit.reset * 1000 : null,
  };
}

/** Sort X's errors into retry, wait-for-reset, or give up; messages never carry request headers or tokens. */
export function classifyTwitterError(error: unknown): Failure {
  if (error instanceof ApiResponseError) {
    const detail = describeBody(error.data);
    if (error.code === 429) {
      const type = (error.data as { type?: unknown } | undefined)?.type;
      if (typeof type === 'string' && type.endsWith('/usage-capped')) {
        return { kind: 'fatal', message: `X refused the request: the app's monthly usage cap is reached (${detail})` };
      }
      return {
        kind: 'rate_limited',
        message: 'X rate limit reached',
        rateLimit: toRateLimit(error.rateLimit) ?? { limit: null, remaining: 0, resetAt: null },
      };
    }
    if (error.code >= 500) return { kind: 'transient', message: `X answered ${error.code}${detail ? ` (${detail})` : ''}` };
    if (error.code === 401 || error.code === 403) {
      return { kind: 'fatal', message: `X refused the token (${error.code}${detail ? `: ${detail}` : ''}); check the bearer token's variable` };
    }
    return { kind: 'fatal', message: `X answered ${error.code}${detail ? `: ${detail}` : ''}` };
  }
  if (error instanceof ApiPartialResponseError) return { kind: 'transient', message: 'X sent an incomplete or malformed response' };
  if (error instanceof ApiRequestError) {
    const cause = (error.requestError as Error | undefined)?.message ?? error.message;
    return { kind: 'transient', message: `cannot reach X (${cause})` };
  }
  return { kind: 'fatal', message: error instanceof Error ? error.message : String(error) };
}

function describeBody(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const body = data as { detail?: unknown; title?: unknown; errors?: { message?: unknown }[] };
  const parts = [body.title, body.detail, body.errors?.[0]?.message].filter((p): p is string => typeof p === 'string');
  return [...new Set(parts)].join(': ').slice(0, 300);
}
