import type { Keyword, RedditSourceConfig } from '../../config/schema.js';
import { classifyHttpError, HttpError, httpRequest, parseJson } from '../http.js';
import { ReplyRefused } from '../reply-refused.js';
import { policyOf, requestWithPolicy, SourceFailure, type Failure, type RequestEnvironment } from '../request.js';
import { parsePayload, type PayloadSchema } from '../schema.js';
import type { CursorState, FetchedPage, PagingEnvironment, QueryGroup, RateLimitState, ReplyAbility, ReplyChannel, ReplyTarget, SentReply, Source, SourceCheck } from '../types.js';
import { commentListing, commentResponse, linkListing, mapLinks, ownReplies, tokenResponse, type Comment, type Link } from './payload.js';
import { planRedditQueries } from './query.js';

const OWN_GROUP = 'own';
const PAGE = 100;

export interface RedditCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

export interface RedditSourceOptions {
  config: RedditSourceConfig;
  keywords: readonly Keyword[];
  ownHandles: readonly string[];
  /** Null: read-only through the public JSON listings. */
  credentials: RedditCredentials | null;
  now: () => number;
}

/**
 * Listings go newest first and `before` breaks when its item is removed, so the position is a
 * `created_utc` watermark (seconds): everything at or after it up to the last completed run is
 * stored. `run` is an unfinished paging run (`after` fullname), resumable after a crash.
 */
interface RedditCursor {
  watermark: number | null;
  run: { after: string; watermark: number; newest: number | null } | null;
}

interface Answer {
  body: unknown;
  headers: Headers;
}

export class RedditSource implements Source {
  readonly platform = 'reddit';
  readonly name: string;
  readonly replies: ReplyChannel;
  private token: Promise<string> | null = null;
  private tokenReady = false;
  private readonly base: string;
  private readonly own: string[];

  constructor(private readonly options: RedditSourceOptions) {
    this.name = options.config.name ?? 'reddit';
    this.base = (options.config.apiBaseUrl ?? (options.credentials ? 'https://oauth.reddit.com' : 'https://www.reddit.com')).replace(/\/$/, '');
    this.own = [...options.ownHandles, ...(options.credentials ? [options.credentials.username] : [])].map((h) => h.replace(/^\/?u\//, '').toLowerCase());
    this.replies = new RedditReplies(this);
  }

  get credentials(): RedditCredentials | null {
    return this.options.credentials;
  }

  groups(): QueryGroup[] {
    const groups = planRedditQueries(this.options.keywords, this.options.config.queryLengthLimit);
    // After the searches, so the posts our replies answer are stored first.
    if (this.own.length > 0) groups.push({ key: OWN_GROUP, query: `u/${this.own[0]}`, keywords: [] });
    return groups;
  }

  /** A listing path: OAuth paths as documented; the public site needs `.json`. */
  path(path: string): string {
    return this.options.credentials ? path : `${path}.json`;
  }

  get now(): () => number {
    return this.options.now;
  }

  /** One HTTP exchange through the shared helper; a body that is not JSON is a (retryable) MalformedBody. */
  async fetchJson(path: string, init: { method?: 'GET' | 'POST'; form?: Record<string, string> } = {}): Promise<Answer> {
    const headers: Record<string, string> = { 'user-agent': this.options.config.userAgent, accept: 'application/json' };
    if (this.options.credentials) headers.authorization = `bearer ${await this.accessToken()}`;
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await httpRequest(`${this.base}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
      timeout: this.options.config.timeout,
    });
    return { body: parseJson(response.text), headers: response.headers };
  }

  /** A script app's password grant, once per process (tokens last an hour; a poll takes seconds). */
  accessToken(): Promise<string> {
    const credentials = this.options.credentials!;
    this.token ??= (async () => {
      const response = await httpRequest(this.options.config.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}`,
          'user-agent': this.options.config.userAgent,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'password', username: credentials.username, password: credentials.password }).toString(),
        timeout: this.options.config.timeout,
      });
      const parsed = tokenResponse.safeParse(parseJson(response.text));
      if (!parsed.success) throw new SourceFailure('unexpected token response from Reddit');
      // Reddit answers a wrong username or password with HTTP 200 and `{"error": "invalid_grant"}`.
      if ('error' in parsed.data) throw new SourceFailure(`Reddit refused the login (${parsed.data.error}); check the script app's username and password variables`);
      this.tokenReady = true;
      return parsed.data.access_token;
    })().catch((error: unknown) => {
      this.token = null;
      throw error;
    });
    return this.token;
  }

  private request<T>(call: () => Promise<T>, env: RequestEnvironment): Promise<T> {
    return requestWithPolicy(call, (error) => classifyRedditError(error, env.now()), policyOf(this.options.config), env);
  }

  midRun(cursor: CursorState): boolean {
    return (cursor as Partial<RedditCursor>).run != null;
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const { config } = this.options;
    // The token request counts as a request too; its failures are sorted like any other.
    if (this.options.credentials && !this.tokenReady) await this.request(() => this.accessToken(), env);
    const cursor: RedditCursor = { watermark: null, run: null, ...((saved as Partial<RedditCursor> | null) ?? {}) };
    const watermark = cursor.run?.watermark ?? cursor.watermark ?? (env.now() - config.backfill) / 1000;
    let after = cursor.run?.after ?? null;
    let newest = cursor.run?.newest ?? null;

    for (;;) {
      const limit = await env.allowance(PAGE);
      const answer = await this.request(() => this.fetchJson(this.listingPath(group, limit, after)), env);
      const rateLimit = rateLimitOf(answer.headers, env.now());
      const listing = group.key === OWN_GROUP ? parse(commentListing, answer.body, 'comments').data : parse(linkListing, answer.body, 'search').data;
      const items: (Link | Comment)[] = listing.children.map((c) => c.data);
      const fresh = items.filter((item) => item.created_utc >= watermark);
      for (const item of fresh) newest = newest === null ? item.created_utc : Math.max(newest, item.created_utc);
      // Newest first: an item older than the watermark means the rest is stored already.
      after = items.length > 0 && fresh.length === items.length ? (listing.after ?? null) : null;
      const next: RedditCursor = after ? { watermark: cursor.watermark, run: { after, watermark, newest } } : { watermark: newest ?? watermark, run: null };
      yield {
        mentions: group.key === OWN_GROUP ? [] : mapLinks(fresh as Link[], { keywords: group.keywords, ownHandles: this.own }),
        ownReplies: group.key === OWN_GROUP ? ownReplies(fresh as Comment[]) : [],
        cursor: next as unknown as CursorState,
        postsRead: items.length,
        ...(rateLimit ? { rateLimit } : {}),
      };
      if (!after) return;
    }
  }

  /** `doctor`: which access this source has, and what works without Reddit's approval. */
  explain(): SourceCheck[] {
    return this.options.credentials
      ? [{ name: 'API access', status: 'ok', detail: 'OAuth script app: search, the account\'s comments and replies, about 100 requests a minute (credentials made since late 2025 work only once Reddit has approved the app)' }]
      : [
          {
            name: 'API access',
            status: 'warn',
            detail:
              'read-only without credentials: public search listings and the account\'s public comments, about 10 requests a minute; no replies. New API credentials need Reddit\'s approval since late 2025 (Responsible Builder Policy)',
            fix: "apply for Data API access with Reddit, then add clientIdEnv, clientSecretEnv, usernameEnv and passwordEnv; until then read-only works",
          },
        ];
  }

  /** `doctor`: the login (with a script app), then one search of one post. */
  async check(signal?: AbortSignal): Promise<SourceCheck[]> {
    const checks: SourceCheck[] = [];
    if (this.options.credentials) {
      try {
        await this.accessToken();
        checks.push({ name: 'login accepted', status: 'ok', detail: `script app logged in as u/${this.options.credentials.username}` });
      } catch (error) {
        return [{ name: 'login accepted', status: 'fail', detail: classifyRedditError(error, this.options.now()).message, fix: 'check the four credential variables at reddit.com/prefs/apps' }];
      }
    } else {
      checks.push({ name: 'login accepted', status: 'warn', detail: 'no script app: read-only through the public listings (lower rate limits; no replies)', fix: 'add clientIdEnv, clientSecretEnv, usernameEnv and passwordEnv to reply from brandwatch' });
    }
    if (signal?.aborted) return checks;
    const group = this.groups()[0]!;
    try {
      const answer = await this.fetchJson(this.listingPath(group, 1, null));
      parse(linkListing, answer.body, 'search');
      const rateLimit = rateLimitOf(answer.headers, this.options.now());
      checks.push({ name: 'search reachable', status: 'ok', detail: `${this.base} answered a search for ${group.query}`, ...(rateLimit ? { rateLimit } : {}) });
    } catch (error) {
      checks.push({ name: 'search reachable', status: 'fail', detail: classifyRedditError(error, this.options.now()).message, fix: 'check apiBaseUrl and userAgent' });
    }
    return checks;
  }

  private listingPath(group: QueryGroup, limit: number, after: string | null): string {
    const params = new URLSearchParams({ sort: 'new', limit: String(limit), raw_json: '1' });
    if (after) params.set('after', after);
    if (group.key === OWN_GROUP) return `${this.path(`/user/${encodeURIComponent(this.own[0]!)}/comments`)}?${params}`;
    params.set('q', group.query);
    params.set('type', 'link');
    const subreddits = this.options.config.subreddits;
    if (subreddits && subreddits.length > 0) {
      params.set('restrict_sr', '1');
      return `${this.path(`/r/${subreddits.join('+')}/search`)}?${params}`;
    }
    return `${this.path('/search')}?${params}`;
  }
}

function parse<T>(schema: PayloadSchema<T>, data: unknown, what: string): T {
  return parsePayload(schema, data, what, 'Reddit');
}

/** Reddit's X-Ratelimit-* headers; the reset is seconds from now, not a time. */
export function rateLimitOf(headers: Headers | undefined, now: number): RateLimitState | undefined {
  const remaining = headers?.get('x-ratelimit-remaining');
  if (!headers || remaining === null || remaining === undefined) return undefined;
  const used = Number(headers.get('x-ratelimit-used'));
  const left = Number(remaining);
  const reset = Number(headers.get('x-ratelimit-reset'));
  return {
    limit: Number.isFinite(used) && Number.isFinite(left) ? Math.round(used + left) : null,
    remaining: Number.isFinite(left) ? Math.floor(left) : null,
    resetAt: Number.isFinite(reset) && headers.get('x-ratelimit-reset') !== null ? now + reset * 1000 : null,
  };
}

function describeBody(body: string): string {
  try {
    const data = JSON.parse(body) as { message?: unknown; error?: unknown; reason?: unknown };
    return [data.message, data.reason, typeof data.error === 'string' ? data.error : undefined].filter((p): p is string => typeof p === 'string').join(': ').slice(0, 200);
  } catch {
    return '';
  }
}

/** Sort Reddit's answers as any fetch-based platform's, with Reddit's own error text and rate-limit headers. */
export function classifyRedditError(error: unknown, now: number): Failure {
  return classifyHttpError('Reddit', error, now, {
    detail: describeBody,
    credentials: "check the script app's client id and secret variables and the userAgent",
    rateLimit: rateLimitOf,
  });
}

class RedditReplies implements ReplyChannel {
  constructor(private readonly source: RedditSource) {}

  /** Reddit comments may be 10,000 characters of Markdown. */
  measure(text: string) {
    return { length: Array.from(text).length, limit: 10_000 };
  }

  ability(target: ReplyTarget): ReplyAbility {
    if (!this.source.credentials) {
      return { ok: false, reason: 'this Reddit source is read-only: give it a script app (clientIdEnv, clientSecretEnv, usernameEnv, passwordEnv) to reply', webUrl: this.webReplyUrl(target) };
    }
    return { ok: true };
  }

  webReplyUrl(target: ReplyTarget): string | null {
    return target.url;
  }

  async reply(target: ReplyTarget, text: string): Promise<SentReply> {
    if (!this.source.credentials) throw new ReplyRefused('this Reddit source is read-only (no script app credentials)');
    let answer: Answer;
    try {
      answer = await this.source.fetchJson('/api/comment', { method: 'POST', form: { api_type: 'json', thing_id: target.externalId, text } });
    } catch (error) {
      throw refusalOf(error);
    }
    const parsed = commentResponse.safeParse(answer.body);
    if (!parsed.success) throw new SourceFailure('unexpected comment response from Reddit');
    const [first] = parsed.data.json.errors;
    if (first) {
      const [code, message] = first.map(String);
      throw new ReplyRefused(`Reddit refused the comment (${code}: ${message})`, code === 'RATELIMIT');
    }
    const thing = parsed.data.json.data?.things[0]?.data;
    if (!thing?.name) throw new SourceFailure('Reddit accepted the comment but did not say its id');
    return {
      externalId: thing.name,
      sentAt: thing.created_utc !== undefined ? Math.round(thing.created_utc * 1000) : this.source.now(),
      url: thing.permalink ? `https://www.reddit.com${thing.permalink}` : null,
    };
  }

  async findReply(target: ReplyTarget, text: string): Promise<SentReply | null> {
    const credentials = this.source.credentials;
    if (!credentials) return null;
    let answer: Answer;
    try {
      answer = await this.source.fetchJson(`/user/${encodeURIComponent(credentials.username)}/comments?sort=new&limit=100&raw_json=1`);
    } catch (error) {
      throw refusalOf(error);
    }
    const comments = parse(commentListing, answer.body, 'comments').data.children.map((c) => c.data);
    const wanted = text.replace(/\s+/g, ' ').trim();
    const found = comments.find((c) => c.parent_id === target.externalId && c.body.replace(/\s+/g, ' ').trim() === wanted);
    return found ? { externalId: found.name, sentAt: Math.round(found.created_utc * 1000), url: found.permalink ? `https://www.reddit.com${found.permalink}` : null } : null;
  }
}

/** A definite answer from Reddit becomes a ReplyRefused; timeouts and 5xx stay unknown outcomes. */
function refusalOf(error: unknown): unknown {
  if (error instanceof SourceFailure) return new ReplyRefused(error.message);
  if (!(error instanceof HttpError) || error.status >= 500) return error;
  if (error.status === 429) return new ReplyRefused('Reddit rate limit reached; try again later', true);
  const detail = describeBody(error.body);
  return new ReplyRefused(`Reddit refused the comment (${error.status}${detail ? `: ${detail}` : ''})`);
}
