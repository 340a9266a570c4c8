import type { FacebookSourceConfig, Keyword } from '../../config/schema.js';
import { classifyHttpError, HttpError, httpRequest, parseJson } from '../http.js';
import { ReplyRefused } from '../reply-refused.js';
import { policyOf, requestWithPolicy, SourceFailure, type Failure, type RequestEnvironment } from '../request.js';
import { parsePayload, type PayloadSchema } from '../schema.js';
import type {
  CursorState,
  FetchedPage,
  NewMention,
  OwnReply,
  PagingEnvironment,
  QueryGroup,
  RateLimitState,
  ReplyAbility,
  ReplyChannel,
  ReplyTarget,
  SentReply,
  Source,
  SourceCheck,
} from '../types.js';
import { commentsResponse, feedResponse, graphError, mapComment, postMention, type Post } from './payload.js';

export const GRAPH_API = 'https://graph.facebook.com';

const FEED_FIELDS = 'id,message,created_time,updated_time,permalink_url,from,comments.filter(stream).limit(0).summary(true)';
const COMMENT_FIELDS = 'id,message,created_time,from,parent,like_count,comment_count,permalink_url';
/** Graph error codes that mean "throttled" (app, user, page and business-use-case limits). */
const THROTTLE_CODES = new Set([4, 17, 32, 613, 80001]);
/** Facebook's limit for a comment. */
const COMMENT_LIMIT = 8000;

/** What the cursor knows of a watched post: its comment count and update time, and the newest comment stored. */
interface WatchedPost {
  created: number;
  count: number;
  updated: string | null;
  newest: number;
}

/**
 * `createdAfter` (epoch ms) is fixed at the first poll: nothing older is ever stored. `posts` holds the
 * Page's recent posts: a post's comments are fetched only when its count or update time moved, and
 * its entry is committed only once all its new comments are stored (an interrupted run refetches that post).
 */
export interface FacebookCursor {
  createdAfter: number;
  posts: Record<string, WatchedPost>;
}

export interface FacebookSourceOptions {
  config: FacebookSourceConfig;
  keywords: readonly Keyword[];
  pageToken: string;
  now: () => number;
}

/** Usage headers as a percentage gauge: limit 100, remaining = 100 − the highest use reported. */
export function graphRateLimit(headers: Headers, now: number): RateLimitState | undefined {
  const percents: number[] = [];
  let regain = 0;
  const app = headers.get('x-app-usage');
  if (app) {
    try {
      const usage = JSON.parse(app) as Record<string, unknown>;
      for (const key of ['call_count', 'total_time', 'total_cputime']) if (typeof usage[key] === 'number') percents.push(usage[key] as number);
    } catch {
      // An unreadable header tells us nothing.
    }
  }
  const business = headers.get('x-business-use-case-usage');
  if (business) {
    try {
      const usage = JSON.parse(business) as Record<string, Record<string, unknown>[]>;
      for (const entries of Object.values(usage)) {
        for (const entry of entries) {
          for (const key of ['call_count', 'total_time', 'total_cputime']) if (typeof entry[key] === 'number') percents.push(entry[key] as number);
          if (typeof entry.estimated_time_to_regain_access === 'number') regain = Math.max(regain, entry.estimated_time_to_regain_access);
        }
      }
    } catch {
      // As above.
    }
  }
  if (percents.length === 0 && regain === 0) return undefined;
  const used = Math.min(100, Math.max(0, ...percents));
  return { limit: 100, remaining: 100 - used, resetAt: regain > 0 ? now + regain * 60_000 : null };
}

/** Sort Graph API failures: throttling arrives as HTTP 400/403 with codes 4, 17, 32, 613 or 80001. */
export function classifyGraphError(error: unknown, now: number, tokenEnv: string): Failure {
  if (error instanceof HttpError) {
    const parsed = graphError.safeParse(safeJson(error.body));
    if (parsed.success) {
      const { code, message, error_subcode: subcode } = parsed.data.error;
      const detail = `${code ?? error.status}${message ? `: ${message.slice(0, 200)}` : ''}`;
      if (code !== undefined && THROTTLE_CODES.has(code)) {
        const state = graphRateLimit(error.headers, now) ?? { limit: 100, remaining: 0, resetAt: null };
        return { kind: 'rate_limited', message: `Facebook throttled the app (${detail})`, rateLimit: { ...state, remaining: 0 } };
      }
      if (code === 190 || code === 102) {
        return { kind: 'fatal', message: `Facebook refused the page token (${detail}); get a new Page access token and export it in ${tokenEnv}` };
      }
      if (code === 10 || (code !== undefined && code >= 200 && code < 300)) {
        return {
          kind: 'fatal',
          message: `Facebook refused the request for lack of permission (${detail}); the token needs pages_read_engagement, pages_read_user_content and pages_manage_engagement`,
        };
      }
      if (code === 1 || code === 2 || subcode === 99 || error.status >= 500) return { kind: 'transient', message: `Facebook answered ${error.status} (${detail})` };
      return { kind: 'fatal', message: `Facebook answered ${error.status} (${detail})` };
    }
  }
  return classifyHttpError('Facebook', error, now);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/** A Facebook Page through the Graph API: visitors' posts and comments on the Page's recent posts; replies to them. */
export class FacebookSource implements Source {
  readonly platform = 'facebook';
  readonly name: string;
  readonly readUnit = 'items';
  readonly replies: FacebookReplies;
  private readonly graph: GraphClient;

  constructor(private readonly options: FacebookSourceOptions) {
    this.name = options.config.name ?? 'facebook';
    this.graph = new GraphClient(options.config, options.pageToken, options.now);
    this.replies = new FacebookReplies(this.graph, options.config.pageId, options.config.pageTokenEnv, options.now);
  }

  groups(): QueryGroup[] {
    return [{ key: `page:${this.options.config.pageId}`, query: this.options.config.pageId, keywords: [...this.options.keywords] }];
  }

  private async get<T>(path: string, params: Record<string, string>, schema: PayloadSchema<T>, env: RequestEnvironment, what: string) {
    const { config } = this.options;
    const { body, rateLimit } = await requestWithPolicy(
      () => this.graph.get(path, params),
      (error) => classifyGraphError(error, env.now(), config.pageTokenEnv),
      policyOf(config),
      env,
    );
    return { data: parsePayload(schema, body, what, 'Facebook'), rateLimit };
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const { config } = this.options;
    const now = env.now();
    const windowStart = now - config.watchPostsFor;
    const previous = saved as FacebookCursor | null;
    const createdAfter = previous?.createdAfter ?? now - config.backfill;
    // Posts that left the watch window are forgotten.
    const posts: Record<string, WatchedPost> = {};
    for (const [id, state] of Object.entries(previous?.posts ?? {})) if (state.created >= windowStart) posts[id] = state;
    const cursor = (): CursorState => ({ createdAfter, posts: { ...posts } }) satisfies FacebookCursor as unknown as CursorState;
    const ctx = { pageId: config.pageId, keywords: group.keywords };
    let after: string | null = null;

    for (;;) {
      // Graph pages are 100 whatever the budget; the allowance decides whether another may be read.
      await env.allowance(100);
      const params: Record<string, string> = { fields: FEED_FIELDS, since: String(Math.floor(windowStart / 1000)), limit: '100' };
      if (after) params.after = after;
      const feed = await this.get(`${config.pageId}/feed`, params, feedResponse, env, 'feed');
      const rateLimit = feed.rateLimit;

      for (const post of feed.data.data) yield* this.commentPages(post, posts, createdAfter, ctx, cursor, env);
      const visitorPosts = feed.data.data.filter((p) => p.from !== undefined && p.from.id !== config.pageId && Date.parse(p.created_time) > createdAfter);
      yield { mentions: visitorPosts.map((p) => postMention(p, ctx)), ownReplies: [], cursor: cursor(), postsRead: feed.data.data.length, ...(rateLimit ? { rateLimit } : {}) };
      // Paging cursors come on every page; only `paging.next` means there is more.
      after = feed.data.paging?.next ? (feed.data.paging.cursors?.after ?? null) : null;
      if (!after) return;
    }
  }

  /** A post's comments newest first, down to the newest one stored. */
  private async *commentPages(
    post: Post,
    posts: Record<string, WatchedPost>,
    createdAfter: number,
    ctx: { pageId: string; keywords: readonly Keyword[] },
    cursor: () => CursorState,
    env: PagingEnvironment,
  ): AsyncGenerator<FetchedPage> {
    const total = post.comments?.summary?.total_count ?? 0;
    const updated = post.updated_time ?? null;
    const known = posts[post.id];
    const created = Date.parse(post.created_time);
    if (known && known.count === total && known.updated === updated) return;
    if (!known && total === 0) {
      posts[post.id] = { created, count: 0, updated, newest: createdAfter };
      return;
    }
    const floor = Math.max(known?.newest ?? createdAfter, createdAfter);
    let newest = floor;
    let after: string | null = null;
    for (;;) {
      await env.allowance(100);
      const params: Record<string, string> = { fields: COMMENT_FIELDS, filter: 'stream', order: 'reverse_chronological', limit: '100' };
      if (after) params.after = after;
      const { data: page, rateLimit } = await this.get(`${post.id}/comments`, params, commentsResponse, env, 'comments');
      const mentions: NewMention[] = [];
      const ownReplies: OwnReply[] = [];
      let reachedStored = false;
      for (const comment of page.data) {
        const at = Date.parse(comment.created_time);
        // Graph times have whole seconds: comments in the newest stored second are read again (the store ignores repeats).
        if (at < floor) {
          reachedStored = true;
          continue;
        }
        newest = Math.max(newest, at);
        const mapped = mapComment(comment, post.id, ctx);
        if ('mention' in mapped) mentions.push(mapped.mention);
        else ownReplies.push(mapped.ownReply);
      }
      const next = reachedStored || !page.paging?.next ? null : (page.paging.cursors?.after ?? null);
      if (!next) posts[post.id] = { created, count: total, updated, newest };
      yield { mentions, ownReplies, cursor: cursor(), postsRead: page.data.length, ...(rateLimit ? { rateLimit } : {}) };
      if (!next) return;
      after = next;
    }
  }

  async check(): Promise<SourceCheck[]> {
    const { config } = this.options;
    try {
      const { body, rateLimit } = await this.graph.get(config.pageId, { fields: 'id,name' });
      const name = (body as { name?: unknown }).name;
      const checks: SourceCheck[] = [
        { name: 'endpoint reachable', status: 'ok', detail: `${this.graph.base} answered` },
        { name: 'token accepted', status: 'ok', detail: `the page token reads the Page${typeof name === 'string' ? ` "${name}"` : ''} (${config.pageId})` },
      ];
      if (rateLimit) {
        const used = 100 - (rateLimit.remaining ?? 100);
        checks.push({
          name: 'rate limit',
          status: used >= 90 ? 'warn' : 'ok',
          detail: `${used}% of the app's Graph API allowance used`,
          ...(used >= 90 ? { fix: 'poll less often until usage falls' } : {}),
          rateLimit,
        });
      }
      return checks;
    } catch (error) {
      const failure = classifyGraphError(error, this.options.now(), config.pageTokenEnv);
      if (error instanceof HttpError) {
        if (failure.kind === 'rate_limited') {
          return [
            { name: 'endpoint reachable', status: 'ok', detail: `${this.graph.base} answered` },
            { name: 'rate limit', status: 'warn', detail: failure.message, fix: 'wait; poll less often', rateLimit: failure.rateLimit },
          ];
        }
        return [
          { name: 'endpoint reachable', status: 'ok', detail: `${this.graph.base} answered` },
          { name: 'token accepted', status: 'fail', detail: failure.message, fix: `check pageId and the token in ${config.pageTokenEnv}` },
        ];
      }
      return [{ name: 'endpoint reachable', status: 'fail', detail: failure.message, fix: 'check the network and apiBaseUrl' }];
    }
  }
}

/** The Graph API over `fetch`; the token travels in the Authorization header, never in a URL. */
export class GraphClient {
  readonly base: string;

  constructor(
    private readonly config: FacebookSourceConfig,
    private readonly token: string,
    private readonly now: () => number,
  ) {
    this.base = `${(config.apiBaseUrl ?? GRAPH_API).replace(/\/$/, '')}/${config.apiVersion}`;
  }

  async get(path: string, params: Record<string, string>): Promise<{ body: unknown; rateLimit: RateLimitState | undefined }> {
    const response = await httpRequest(`${this.base}/${path}?${new URLSearchParams(params)}`, {
      timeout: this.config.timeout,
      headers: { authorization: `Bearer ${this.token}` },
    });
    return { body: parseJson(response.text), rateLimit: graphRateLimit(response.headers, this.now()) };
  }

  async post(path: string, form: Record<string, string>): Promise<unknown> {
    const response = await httpRequest(`${this.base}/${path}`, {
      method: 'POST',
      timeout: this.config.timeout,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return parseJson(response.text);
  }
}

/**
 * Replies as the Page: `POST /{id}/comments`. One attempt only (the Graph API has no idempotency key):
 * a refusal throws ReplyRefused; a timeout, dropped connection or 5xx throws anything else (outcome
 * unknown — call findReply before trying again).
 */
export class FacebookReplies implements ReplyChannel {
  constructor(
    private readonly graph: GraphClient,
    private readonly pageId: string,
    private readonly tokenEnv: string,
    private readonly now: () => number,
  ) {}

  measure(text: string): { length: number; limit: number } {
    return { length: Array.from(text).length, limit: COMMENT_LIMIT };
  }

  ability(target: ReplyTarget): ReplyAbility {
    if (target.platform !== 'facebook') return { ok: false, reason: `not a Facebook mention (${target.platform})`, webUrl: null };
    return { ok: true };
  }

  webReplyUrl(target: ReplyTarget): string | null {
    return target.url;
  }

  async reply(target: ReplyTarget, text: string): Promise<SentReply> {
    const { length } = this.measure(text);
    if (length > COMMENT_LIMIT) throw new ReplyRefused(`the reply is ${length} characters; Facebook takes ${COMMENT_LIMIT} at most`);
    let body: unknown;
    try {
      body = await this.graph.post(`${target.externalId}/comments`, { message: text });
    } catch (error) {
      if (error instanceof HttpError) {
        const failure = classifyGraphError(error, this.now(), this.tokenEnv);
        // A 5xx may have posted: that stays an unknown outcome (findReply before any retry).
        if (failure.kind !== 'transient') throw new ReplyRefused(failure.message, failure.kind === 'rate_limited');
      }
      throw error;
    }
    const id = (body as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') throw new SourceFailure('Facebook answered the reply without an id; check the comment on Facebook');
    return { externalId: id, sentAt: this.now(), url: `https://www.facebook.com/${id}` };
  }

  async findReply(target: ReplyTarget, text: string): Promise<SentReply | null> {
    const { body } = await this.graph.get(`${target.externalId}/comments`, {
      fields: 'id,message,created_time,from',
      filter: 'stream',
      order: 'reverse_chronological',
      limit: '100',
    });
    const ours = parsePayload(commentsResponse, body, 'comments', 'Facebook').data.find((c) => c.from?.id === this.pageId && (c.message ?? '').trim() === text.trim());
    return ours ? { externalId: ours.id, sentAt: Date.parse(ours.created_time), url: `https://www.facebook.com/${ours.id}` } : null;
  }
}
