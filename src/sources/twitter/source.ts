import { ApiResponseError, TwitterApi } from 'twitter-api-v2';
import type { Keyword, TwitterSourceConfig } from '../../config/schema.js';
import { formatMoney, X_PRICES, type BilledRead, type PriceTable } from '../../metrics/cost.js';
import { policyOf, requestWithPolicy, SourceFailure } from '../request.js';
import { parsePayload } from '../schema.js';
import type { CursorState, FetchedPage, PagingEnvironment, QueryGroup, RateLimitState, ReplyChannel, Source, SourceCheck } from '../types.js';
import { baseUrlPlugin, classifyTwitterError, toRateLimit } from './client.js';
import { countsResponse, lookupResponse, mapOwnReplies, mapSearchPage, meResponse, searchResponse, type SearchResponse } from './payload.js';
import { TwitterReplies } from './replies.js';
import { billedDms, DM_EVENT_FIELDS, dmEventsResponse, mapDmEvents, mapOwnDms, TwitterDirectMessages } from './direct-messages.js';
import { planQueries } from './query.js';
import { edgeFromRefusal, idBefore, snowflakeTime, windowEdge } from './window.js';
import { estimateDay } from './estimate.js';

const TWEET_FIELDS = 'author_id,conversation_id,created_at,in_reply_to_user_id,lang,public_metrics,referenced_tweets,entities';
const SEARCH_FIELDS = {
  'tweet.fields': TWEET_FIELDS,
  expansions: 'author_id,referenced_tweets.id.author_id',
  'user.fields': 'public_metrics,username,name,verified',
  sort_order: 'recency',
} as const;
/** The user timelines take the same fields, without sort_order. */
const TIMELINE_FIELDS = { 'tweet.fields': TWEET_FIELDS, expansions: 'author_id,referenced_tweets.id.author_id', 'user.fields': 'public_metrics,username,name,verified' } as const;

/**
 * Where a query group stands. `sinceId` is committed: everything newer than it up to the last
 * completed run is stored. `run` is an unfinished paging run (newest first), resumable after a crash.
 * `userId` is the brand account's id (mention and own timelines), looked up once.
 */
export interface TwitterCursor {
  sinceId: string | null;
  run: { newestId: string | null; nextToken: string; sinceId: string | null; startTime: string | null } | null;
  userId?: string;
}

export interface TwitterSourceOptions {
  config: TwitterSourceConfig;
  keywords: readonly Keyword[];
  ownHandles: readonly string[];
  bearerToken: string;
  /** Replaces the API origin (gateways, test servers); from config or BRANDWATCH_TWITTER_API_URL. */
  apiBaseUrl: string | null;
  /** OAuth 2 user token of the brand account (from `userTokenEnv`): replies, posts, and the owned timelines. */
  userToken?: string | null;
  now: () => number;
}

/** Key of the query group that finds the brand's own replies (made on the phone or the web). */
export const OWN_REPLIES_GROUP = 'own-replies';
/** Key of the step that re-reads open mentions' metrics (GET /2/tweets?ids=). */
export const METRICS_GROUP = 'open-metrics';
/** Key of the brand account's mention timeline (GET /2/users/:id/mentions). */
export const MENTIONS_GROUP = 'mentions';
/** Key of the brand's direct messages (GET /2/dm_events). */
export const DM_GROUP = 'dm';
/** DM events the first page of a caught-up run asks for: what a quiet poll re-reads (and X re-bills once a day). */
const QUIET_DM_PAGE = 1;
/** Prefix of the counts groups (GET /2/tweets/counts/recent), one per search group. */
export const COUNTS_PREFIX = 'counts:';

type Endpoint = 'search' | 'mentions' | 'own';

/** Which path a keyword takes on X, for `doctor`. */
export interface KeywordPath {
  keyword: string;
  path: 'mention timeline' | 'recent search';
  group: string;
}

export class TwitterSource implements Source {
  readonly platform = 'twitter';
  readonly name: string;
  readonly replies: ReplyChannel;
  readonly prices: PriceTable;
  private readonly client: TwitterApi;
  private readonly userClient: TwitterApi | null;
  private readonly plan: { search: QueryGroup[]; mentionKeywords: Keyword[] };
  /** The brand account's id once known (one users/me per process at most). */
  private brandId: string | null = null;

  constructor(private readonly options: TwitterSourceOptions) {
    this.name = options.config.name ?? 'twitter';
    this.prices = { ...X_PRICES, ...options.config.prices };
    const plugins = [baseUrlPlugin(options.apiBaseUrl, options.config.timeout)];
    this.client = new TwitterApi(options.bearerToken, { plugins });
    this.userClient = options.userToken ? new TwitterApi(options.userToken, { plugins }) : null;
    // Planned once, at load: a keyword too long for X's query limit is a configuration error, not a poll failure.
    this.plan = this.planGroups();
    this.replies = new TwitterReplies({
      userToken: options.userToken ?? null,
      userTokenEnv: options.config.userTokenEnv ?? null,
      readClient: this.client,
      ownHandles: options.ownHandles,
      apiBaseUrl: options.apiBaseUrl,
      timeout: options.config.timeout,
      now: options.now,
      prices: this.prices,
      ...(this.readsDirectMessages
        ? { directMessages: new TwitterDirectMessages({ userToken: options.userToken ?? null, userTokenEnv: options.config.userTokenEnv ?? null, plugins, now: options.now, prices: this.prices }) }
        : {}),
    });
  }

  /** The brand's DMs are read and answered: `directMessages: true` and a user token (dm.read, dm.write). */
  get readsDirectMessages(): boolean {
    return this.options.config.directMessages && this.userClient !== null;
  }

  /** Whether @mentions of the brand come from the mention timeline (a user token of the brand account is set). */
  get usesMentionTimeline(): boolean {
    return this.userClient !== null && this.options.config.mentionTimeline && this.options.ownHandles.length > 0;
  }

  private planGroups(): { search: QueryGroup[]; mentionKeywords: Keyword[] } {
    const own = new Set(this.options.ownHandles.map((h) => `@${h.toLowerCase()}`));
    const mentionKeywords = this.usesMentionTimeline
      ? this.options.keywords.filter((k) => k.exclude.length === 0 && own.has(k.term.trim().toLowerCase()))
      : [];
    const searched = this.options.keywords.filter((k) => !mentionKeywords.includes(k));
    const search =
      searched.length === 0
        ? []
        : planQueries({
            keywords: searched,
            ownHandles: this.options.ownHandles,
            lengthLimit: this.options.config.queryLengthLimit,
            // Posts naming the account come from the mention timeline at the owned-read price: search skips them.
            ...(this.usesMentionTimeline ? { skipMentionsOf: this.options.ownHandles } : {}),
          });
    return { search, mentionKeywords };
  }

  /** `doctor`: the path each keyword takes. */
  keywordPaths(): KeywordPath[] {
    return [
      ...this.plan.mentionKeywords.map((k) => ({ keyword: k.term, path: 'mention timeline' as const, group: MENTIONS_GROUP })),
      ...this.plan.search.flatMap((g) => g.keywords.map((k) => ({ keyword: k.term, path: 'recent search' as const, group: g.key }))),
    ];
  }

  groups(): QueryGroup[] {
    const groups: QueryGroup[] = [];
    if (this.options.config.counts) {
      // First: volume reads no posts, so a spent read budget still leaves it. keywords stay empty (a counts
      // page stores no mentions); the group's terms name its volume.
      for (const g of this.plan.search) groups.push({ key: `${COUNTS_PREFIX}${g.key}`, query: g.query, keywords: [], label: g.keywords.map((k) => k.term).join(' OR ') });
    }
    if (this.usesMentionTimeline) groups.push({ key: MENTIONS_GROUP, query: '', keywords: [...this.options.keywords] });
    groups.push(...this.plan.search.map((g) => ({ ...g, keywords: [...g.keywords] })));
    const own = this.options.ownHandles.map((h) => `from:${h}`);
    if (this.options.config.nativeReplies && own.length > 0) {
      // The brand's replies made outside brandwatch: one more request per poll, recorded as native responses.
      const query = `${own.length === 1 ? own[0] : `(${own.join(' OR ')})`} is:reply`;
      groups.push({ key: OWN_REPLIES_GROUP, query, keywords: [] });
    }
    // After the public groups: a DM joins the item of a post stored in the same poll.
    if (this.readsDirectMessages) groups.push({ key: DM_GROUP, query: '', keywords: [], channel: 'dm' });
    if (this.options.config.refreshMetrics) groups.push({ key: METRICS_GROUP, query: '', keywords: [] });
    return groups;
  }

  /** `doctor`: the path each keyword takes, the overlap window, and what a quiet and a busy day cost. */
  explain(): SourceCheck[] {
    const { config } = this.options;
    const paths = this.keywordPaths();
    const checks: SourceCheck[] = [
      {
        name: 'keyword paths',
        status: 'ok',
        detail: paths.map((p) => `"${p.keyword}" → ${p.path}${p.path === 'mention timeline' ? ` (owned reads, ${formatMoney(this.prices.ownedRead)} a post)` : ` (${formatMoney(this.prices.postRead)} a post)`}`).join('; '),
      },
    ];
    if (!this.usesMentionTimeline && this.options.ownHandles.length > 0) {
      checks.push({
        name: 'mention timeline',
        status: 'warn',
        detail: `@${this.options.ownHandles[0]} mentions come through recent search at ${formatMoney(this.prices.postRead)} a post; the mention timeline would read them at ${formatMoney(this.prices.ownedRead)}`,
        fix: this.userClient ? 'set mentionTimeline: true' : "set userTokenEnv to a user token of the brand's account (the app's owner) and export it",
      });
    }
    const overlap = config.overlap / 1000;
    checks.push({
      name: 'overlap window',
      status: 'ok',
      detail:
        overlap > 0
          ? `each search re-reads the last ${overlap}s below the newest stored post, so posts X indexes late are not lost: about 1 re-read per group per poll, billed nothing the same UTC day (X bills a post once a day)`
          : 'off (overlap: 0s): posts X indexes late, with ids below the cursor, are lost',
    });
    const shape = (searchPosts: number, mentionPosts: number) => ({
      pollEvery: 5,
      searchPosts: this.usesMentionTimeline ? searchPosts : searchPosts + mentionPosts,
      mentionPosts: this.usesMentionTimeline ? mentionPosts : 0,
      searchGroups: this.plan.search.length,
      mentionTimeline: this.usesMentionTimeline,
      ownReplies: config.nativeReplies && this.options.ownHandles.length > 0,
      counts: config.counts,
      refreshMetrics: config.refreshMetrics,
      overlap,
    });
    const quiet = estimateDay(this.prices, shape(20, 10));
    const busy = estimateDay(this.prices, shape(700, 300));
    const line = (d: { requests: number; reads: number; dollars: number }) => `${d.requests.toLocaleString('en')} requests, ${d.reads.toLocaleString('en')} reads, ${formatMoney(d.dollars)}`;
    checks.push({
      name: 'daily cost',
      status: 'ok',
      detail: `polling every 5 minutes: a quiet day (30 new posts) ≈ ${line(quiet)}; a busy day (1,000 new) ≈ ${line(busy)}; a month of quiet days ≈ ${formatMoney(quiet.dollars * 30)}`,
    });
    if (config.monthlyBudget === undefined) {
      checks.push({ name: 'money budget', status: 'ok', detail: 'no monthlyBudget: polls read whatever comes (set monthlyBudget in dollars to cap the spend)' });
    }
    return checks;
  }

  check(): Promise<SourceCheck[]> {
    const query = this.plan.search[0]?.query ?? this.options.keywords[0]!.term;
    return checkTwitter(this.client, query, this.options.now(), this.options.config.bearerTokenEnv);
  }

  midRun(cursor: CursorState): boolean {
    return (cursor as Partial<TwitterCursor>).run != null;
  }

  endRun(cursor: CursorState): CursorState {
    const c = cursor as unknown as TwitterCursor;
    if (!c.run) return cursor;
    return { ...c, sinceId: c.run.newestId ?? c.sinceId, run: null } as unknown as CursorState;
  }

  /** One lookup of up to 100 open mentions due a refresh: their metrics now, kept beside the previous snapshot (engagement velocity). */
  private async *refreshMetrics(env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    // A spent budget reads nothing here rather than stop the source: this is a refresh, not news.
    const ids = (await env.openMentions?.(await env.allowance(100, 0))) ?? [];
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
      billed: billedOf(found, 'post'),
    };
  }

  /** The brand account's id: from the cursor, else GET /2/users/me once (a user read). */
  private async userId(cursor: TwitterCursor, env: PagingEnvironment): Promise<{ id: string; billed: BilledRead[] }> {
    if (cursor.userId) return { id: (this.brandId = cursor.userId), billed: [] };
    if (this.brandId) return { id: this.brandId, billed: [] };
    const body = await requestWithPolicy(async () => (await this.userClient!.v2.get('users/me')) as unknown, classifyTwitterError, policyOf(this.options.config), env);
    const me = parsePayload(meResponse, body, 'users/me', 'X');
    this.brandId = me.data.id;
    return { id: me.data.id, billed: [{ kind: 'user', id: me.data.id }] };
  }

  /**
   * The brand's DMs, newest first (GET /2/dm_events has no since_id): page until an event at or below the
   * stored newest id, or past the backfill edge on the first run. The cursor is the timelines' own: `sinceId`
   * the newest event stored, `run` an unfinished run with the id it stops at. A quiet poll asks for one event
   * (X bills each event and user returned, once per UTC day: a larger first page would re-bill old events every
   * day); when that one is new, the run pages on by `maxResults`.
   */
  private async *directMessagePages(saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const cursor: TwitterCursor = { sinceId: null, run: null, ...((saved as Partial<TwitterCursor> | null) ?? {}) };
    const { config } = this.options;
    const me = await this.userId(cursor, env);
    let billedUser = me.billed;
    const stopAt = cursor.run ? cursor.run.sinceId : cursor.sinceId;
    const edge = cursor.run?.startTime ?? (stopAt === null ? new Date(env.now() - config.backfill).toISOString() : null);
    let nextToken = cursor.run?.nextToken ?? null;
    let newestId = cursor.run?.newestId ?? null;
    let pageSize = stopAt === null || nextToken ? config.maxResults : QUIET_DM_PAGE;
    for (;;) {
      const params: Record<string, string | number> = {
        'dm_event.fields': DM_EVENT_FIELDS,
        event_types: 'MessageCreate',
        expansions: 'sender_id',
        'user.fields': 'username,name',
        max_results: await env.allowance(pageSize, 1, this.prices.dmEventRead),
      };
      if (nextToken) params.pagination_token = nextToken;
      const result = await requestWithPolicy(async () => await this.userClient!.v2.get('dm_events', params, { fullResponse: true }), classifyTwitterError, policyOf(config), env);
      const rateLimit = toRateLimit(result.rateLimit);
      const page = parsePayload(dmEventsResponse, result.data as unknown, 'dm_events', 'X');
      const events = page.data ?? [];
      const fresh = events.filter((e) => (stopAt === null || BigInt(e.id) > BigInt(stopAt)) && (edge === null || !e.created_at || e.created_at >= edge));
      if (newestId === null && events.length > 0) newestId = maxId(events[0]!.id, null);
      const caughtUp = fresh.length < events.length || !page.meta.next_token;
      const next: TwitterCursor = caughtUp
        ? { userId: me.id, sinceId: maxId(newestId, cursor.sinceId), run: null }
        : { userId: me.id, sinceId: cursor.sinceId, run: { newestId, nextToken: page.meta.next_token!, sinceId: stopAt, startTime: edge } };
      yield {
        mentions: mapDmEvents({ ...page, data: fresh }, me.id),
        ownReplies: mapOwnDms(page, me.id),
        cursor: next as unknown as CursorState,
        postsRead: events.length,
        billed: [...billedUser, ...billedDms(page)],
        ...(rateLimit ? { rateLimit } : {}),
      };
      billedUser = [];
      if (caughtUp) return;
      nextToken = page.meta.next_token!;
      pageSize = config.maxResults;
    }
  }

  /** One volume request per search group: counts/recent per minute since the last complete bucket, no post reads. */
  private async *counts(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const now = env.now();
    const last = (saved as { until?: number } | null)?.until;
    const start = Math.max(last ?? now - 3_600_000, windowEdge(now));
    const end = now - 30_000;
    if (end - start < 60_000) return;
    // Billed per request whatever the volume: the money budget must allow one more (the read budget does not apply).
    await env.allowance(1, 1, this.prices.countsRequest, false);
    const result = await requestWithPolicy(
      async () =>
        await this.client.v2.get(
          'tweets/counts/recent',
          { query: group.query, granularity: 'minute', start_time: new Date(start).toISOString(), end_time: new Date(end).toISOString() },
          { fullResponse: true },
        ),
      classifyTwitterError,
      policyOf(this.options.config),
      env,
    );
    const body = parsePayload(countsResponse, result.data as unknown, 'counts', 'X');
    const buckets = (body.data ?? []).map((b) => ({ start: Date.parse(b.start), end: Date.parse(b.end), count: b.tweet_count }));
    // The last bucket may still be filling: the next request starts at it again.
    const complete = buckets.filter((b) => b.end <= end);
    const until = complete.length > 0 ? Math.max(...complete.map((b) => b.end)) : start;
    const rateLimit = toRateLimit(result.rateLimit);
    yield {
      mentions: [],
      ownReplies: [],
      cursor: { until } as CursorState,
      postsRead: 0,
      billed: [{ kind: 'counts', id: `${group.key}@${now}` }],
      volume: buckets,
      volumeKey: group.label ?? group.query,
      ...(rateLimit ? { rateLimit } : {}),
    };
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    if (group.key === METRICS_GROUP) return yield* this.refreshMetrics(env);
    if (group.key.startsWith(COUNTS_PREFIX)) return yield* this.counts(group, saved, env);
    if (group.channel === 'dm') return yield* this.directMessagePages(saved, env);
    const cursor: TwitterCursor = { sinceId: null, run: null, ...((saved as Partial<TwitterCursor> | null) ?? {}) };
    const endpoint: Endpoint = group.key === MENTIONS_GROUP ? 'mentions' : group.key === OWN_REPLIES_GROUP && this.userClient ? 'own' : 'search';
    const { config } = this.options;
    const now = env.now();
    const edge = windowEdge(now);
    let billedUser: BilledRead[] = [];
    let userId: string | undefined;
    if (endpoint !== 'search') {
      const me = await this.userId(cursor, env);
      userId = me.id;
      billedUser = me.billed;
    }
    const overlap = endpoint === 'own' ? 0 : config.overlap;
    let notice: string | undefined;

    // A resumed run continues with its own since_id/start_time and page token — unless its start has left
    // the 7-day window since (X would refuse every page): then it restarts at the window's edge.
    let run = cursor.run;
    if (run) {
      const from = run.startTime ? Date.parse(run.startTime) : run.sinceId ? snowflakeTime(run.sinceId) : null;
      if (from !== null && from < edge) {
        notice = skippedNotice(from, edge);
        run = null;
      }
    }
    let sinceId = run ? run.sinceId : cursor.sinceId ? idBefore(cursor.sinceId, overlap) : null;
    let startTime = run ? run.startTime : null;
    if (!run) {
      if (sinceId && snowflakeTime(sinceId) < edge) {
        notice ??= skippedNotice(snowflakeTime(sinceId), edge);
        sinceId = null;
      }
      if (!sinceId) startTime = new Date(cursor.sinceId || notice ? edge : Math.max(now - config.backfill, edge)).toISOString();
    }
    let nextToken: string | null = run?.nextToken ?? null;
    let newestId: string | null = run?.newestId ?? null;
    let first = true;
    let restarted = false;

    for (;;) {
      const unitCost = endpoint === 'search' ? this.prices.postRead : this.prices.ownedRead;
      // X's max_results cannot go below 10 on search, 5 on the user timelines.
      const params: Record<string, string | number> = {
        ...(endpoint === 'search' ? SEARCH_FIELDS : TIMELINE_FIELDS),
        max_results: await env.allowance(config.maxResults, endpoint === 'search' ? 10 : 5, unitCost),
      };
      if (sinceId) params.since_id = sinceId;
      else if (startTime) params.start_time = startTime;
      if (nextToken) params[endpoint === 'search' ? 'next_token' : 'pagination_token'] = nextToken;
      if (endpoint === 'own') params.exclude = 'retweets';

      let page: SearchResponse;
      let rateLimit: RateLimitState | undefined;
      try {
        const path = endpoint === 'search' ? 'tweets/search/recent' : endpoint === 'mentions' ? `users/${userId}/mentions` : `users/${userId}/tweets`;
        const client = endpoint === 'search' ? this.client : this.userClient!;
        if (endpoint === 'search') params.query = group.query;
        const result = await requestWithPolicy(async () => await client.v2.get(path, params, { fullResponse: true }), classifyTwitterError, policyOf(config), env);
        rateLimit = toRateLimit(result.rateLimit);
        page = parsePayload(searchResponse, result.data as unknown, endpoint === 'search' ? 'search' : 'timeline', 'X');
      } catch (error) {
        const refusedEdge = error instanceof SourceFailure && !restarted ? edgeFromRefusal(error.message) : null;
        if (refusedEdge !== null || (error instanceof SourceFailure && !restarted && sinceId && /since_id/i.test(error.message))) {
          // The start left X's 7-day window (or our clock is behind X's): restart at the edge X names.
          restarted = true;
          const at = Math.max(refusedEdge ?? edge, edge);
          notice = skippedNotice(sinceId ? snowflakeTime(sinceId) : startTime ? Date.parse(startTime) : at, at);
          env.verbose(notice);
          sinceId = null;
          startTime = new Date(at).toISOString();
          nextToken = null;
          newestId = null;
          first = true;
          continue;
        }
        throw error;
      }

      if (first && newestId === null) newestId = page.meta.newest_id ?? null;
      first = false;
      nextToken = page.meta.next_token ?? null;
      const base = { ...(userId ? { userId } : {}) };
      const next: TwitterCursor = nextToken
        ? { ...base, sinceId: cursor.sinceId, run: { newestId, nextToken, sinceId, startTime } }
        : { ...base, sinceId: maxId(newestId, cursor.sinceId), run: null };
      const own = group.key === OWN_REPLIES_GROUP;
      const billed = [...billedUser, ...billedOf(page, endpoint === 'search' ? 'post' : 'owned')];
      billedUser = [];
      const mentions = own ? [] : mapSearchPage(page, { keywords: group.keywords, ownHandles: this.options.ownHandles });
      // An @mention that names no keyword still names the account: file it under the handle.
      if (endpoint === 'mentions') for (const m of mentions) if (m.keywords.length === 0) m.keywords = [`@${this.options.ownHandles[0]}`];
      yield {
        mentions,
        ownReplies: own ? mapOwnReplies(page) : [],
        cursor: next as unknown as CursorState,
        postsRead: page.meta.result_count,
        billed,
        ...(notice ? { notice } : {}),
        ...(rateLimit ? { rateLimit } : {}),
      };
      notice = undefined;
      if (!nextToken) return;
    }
  }
}

function maxId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return BigInt(a) > BigInt(b) ? a : b;
}

function skippedNotice(from: number, edge: number): string {
  const at = (t: number) => new Date(t).toISOString().slice(0, 16).replace('T', ' ');
  return `the run's start (${at(from)} UTC) is past X's 7-day search window; restarted at its edge (${at(edge)} UTC) — posts before that cannot be fetched and were skipped`;
}

/** What X bills for a page: each post (at the given kind's price) and each user object it returned. */
function billedOf(page: { data?: { id: string }[] | undefined; includes?: { users?: { id: string }[] | undefined; tweets?: { id: string }[] | undefined } | undefined }, kind: 'post' | 'owned'): BilledRead[] {
  return [
    ...(page.data ?? []).map((t) => ({ kind, id: t.id })),
    ...(page.includes?.tweets ?? []).map((t) => ({ kind: 'post' as const, id: t.id })),
    ...(page.includes?.users ?? []).map((u) => ({ kind: 'user' as const, id: u.id })),
  ];
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
