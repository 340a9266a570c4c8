import { documentedInstance } from './fixtures/mastodon.js';
import { mastodonTimeline } from '../fixtures/documented.js';
import type { ServerResponse } from 'node:http';
import { FakePlatform, type RecordedRequest, type Reply } from './server.js';

/** A status as the fake instance holds it, in Mastodon's wire format (snake_case, HTML content). */
export interface FakeStatus {
  id: string;
  created_at: string;
  in_reply_to_id: string | null;
  in_reply_to_account_id: string | null;
  visibility: string;
  language: string | null;
  url: string;
  uri: string;
  content: string;
  spoiler_text: string;
  replies_count: number;
  reblogs_count: number;
  favourites_count: number;
  reblog: null;
  account: FakeAccount;
  mentions: { id: string; username: string; acct: string; url: string }[];
  tags: { name: string; url: string }[];
}

export interface FakeAccount {
  id: string;
  username: string;
  acct: string;
  display_name: string;
  url: string;
  followers_count: number;
}

/** Snowflake-like ids above 2^53, growing with time, as Mastodon's. */
const BASE_ID = 113_456_789_012_345_678n;

function compare(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * A Mastodon instance over HTTP on 127.0.0.1: hashtag timelines (`any[]`, `local`, `limit` ≤ 40,
 * `min_id`/`max_id`/`since_id`, Link headers), account lookup and statuses, verify_credentials, and
 * posting with an Idempotency-Key. Rate-limit headers use ISO 8601 resets, as Mastodon's do.
 */
export class FakeMastodon extends FakePlatform {
  readonly statuses: FakeStatus[] = [];
  readonly accounts = new Map<string, FakeAccount>();
  rateLimit: { limit: number; remaining: number; reset: Date };
  private nextId = BASE_ID;
  private readonly idempotency = new Map<string, FakeStatus>();
  readonly host = 'social.example';
  /** `configuration.timelines_access.hashtag_feeds` of GET /api/v2/instance (Mastodon 4.5). */
  hashtagFeeds: { local: string; remote: string } = { local: 'public', remote: 'public' };

  /** Answer the next hashtag timeline read with Mastodon's documented Status (test/fixtures/mastodon), dated `at`. */
  serveDocumented(at = Date.now()): this {
    this.server.inject({ kind: 'status', status: 200, body: mastodonTimeline(at) }, /^\/api\/v1\/timelines\/tag\//);
    return this;
  }

  constructor(readonly token = 'test-mastodon-token') {
    super(false);
    this.rateLimit = { limit: 300, remaining: 300, reset: new Date(Date.now() + 300_000) };
    this.server
      .route('GET', /^\/api\/v1\/timelines\/tag\/[^/]+$/, (r) => this.tagTimeline(r))
      .route('GET', /^\/api\/v2\/instance$/, () => ({ status: 200, body: documentedInstance(this.hashtagFeeds) }))
      .route('GET', /^\/api\/v1\/accounts\/lookup$/, (r) => this.lookup(r))
      .route('GET', /^\/api\/v1\/accounts\/verify_credentials$/, (r) => this.verify(r))
      .route('GET', /^\/api\/v1\/accounts\/[^/]+\/statuses$/, (r) => this.accountStatuses(r))
      .route('GET', /^\/api\/v1\/notifications$/, (r) => this.notifications(r))
      .route('GET', /^\/api\/v1\/conversations$/, (r) => this.conversations(r))
      .route('POST', /^\/api\/v1\/statuses$/, (r) => this.post(r))
      .route('GET', /^\/api\/v1\/streaming\/hashtag(\/local)?$/, (r) => this.stream(r, 'hashtag'))
      .route('GET', /^\/api\/v1\/streaming\/user\/notification$/, (r) => this.stream(r, 'notification'));
  }

  /** Open server-sent-event streams: a hashtag's (its tag) or the token account's notifications (null). */
  private readonly streams = new Map<ServerResponse, string | null>();
  /** Mastodon's streaming server writes a `:thump` comment every 15 s; tests make it quick. */
  heartbeatMs = 15_000;
  /** While true, open streams send nothing, not even heartbeats. */
  stalled = false;

  get streamRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/api\/v1\/streaming\//);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /** GET /api/v1/streaming/hashtag?tag=… and /user/notification: text/event-stream, a token required (Mastodon 4.2). */
  private stream(request: RecordedRequest, kind: 'hashtag' | 'notification'): Reply {
    if (!this.authorised(request)) return { status: 401, body: { error: 'Missing access token' } };
    const tag = kind === 'hashtag' ? (request.query.get('tag') ?? '').toLowerCase() : null;
    if (kind === 'hashtag' && !tag) return { status: 400, body: { error: 'Missing tag name parameter' } };
    return {
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'private, no-store' },
      stream: (res) => {
        this.streams.set(res, tag);
        res.write(':)\n');
        const timer = setInterval(() => {
          if (!this.stalled && !res.destroyed) res.write(':thump\n');
        }, this.heartbeatMs);
        res.on('close', () => {
          clearInterval(timer);
          this.streams.delete(res);
        });
      },
    };
  }

  /** A status appears: stored (timelines show it) and sent on the streams that carry it. */
  postLive(html: string, options: Parameters<FakeMastodon['addStatus']>[1] = {}): FakeStatus {
    const status = this.addStatus(html, options);
    this.publish(status);
    return status;
  }

  /** Send a status on the open streams: `update` on its hashtags' streams, a mention `notification` when it names the token's account. */
  publish(status: FakeStatus): void {
    const me = this.tokenAccount;
    for (const [res, tag] of this.streams) {
      if (this.stalled || res.destroyed) continue;
      if (tag !== null && status.tags.some((t) => t.name === tag)) {
        // Events the client has no use for come on the same stream (a deletion of some other status).
        res.write(`event: delete\ndata: 1234\n\n`);
        res.write(`event: update\ndata: ${JSON.stringify(status)}\n\n`);
      }
      if (tag === null && me && status.mentions.some((m) => m.id === me.id)) {
        const notification = { id: String(this.statuses.indexOf(status) + 1), type: 'mention', created_at: status.created_at, account: status.account, status };
        res.write(`event: notification\ndata: ${JSON.stringify(notification)}\n\n`);
      }
    }
  }

  /** Cut every open stream. */
  dropStreams(): void {
    for (const res of this.streams.keys()) res.destroy();
  }

  get timelineRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/api\/v1\/timelines\/tag\//);
  }

  addAccount(username: string, options: { remote?: string; followers?: number } = {}): FakeAccount {
    const acct = options.remote ? `${username}@${options.remote}` : username;
    const existing = [...this.accounts.values()].find((a) => a.acct === acct);
    if (existing) return existing;
    const account = {
      id: String(1000 + this.accounts.size),
      username,
      acct,
      display_name: username.replace(/_/g, ' '),
      url: `https://${options.remote ?? this.host}/@${username}`,
      followers_count: options.followers ?? 10 + this.accounts.size * 7,
    };
    this.accounts.set(account.id, account);
    return account;
  }

  /** Add a status; `tags` are hashtag names; ids grow, so later statuses are newer. */
  addStatus(
    html: string,
    options: { author?: string; tags?: string[]; inReplyTo?: FakeStatus; mentions?: string[]; createdAt?: Date; visibility?: string } = {},
  ): FakeStatus {
    const account = this.addAccount(options.author ?? `user${this.statuses.length % 5}`);
    const id = String(this.nextId);
    this.nextId += 65_536n * BigInt(1 + (this.statuses.length % 3));
    const mentions = (options.mentions ?? []).map((acct) => {
      const a = this.addAccount(acct);
      return { id: a.id, username: a.username, acct: a.acct, url: a.url };
    });
    const status: FakeStatus = {
      id,
      created_at: (options.createdAt ?? new Date()).toISOString(),
      in_reply_to_id: options.inReplyTo?.id ?? null,
      in_reply_to_account_id: options.inReplyTo?.account.id ?? null,
      visibility: options.visibility ?? 'public',
      language: 'en',
      url: `https://${this.host}/@${account.username}/${id}`,
      uri: `https://${this.host}/users/${account.username}/statuses/${id}`,
      content: html,
      spoiler_text: '',
      replies_count: 0,
      reblogs_count: this.statuses.length % 4,
      favourites_count: this.statuses.length % 6,
      reblog: null,
      account,
      mentions,
      tags: (options.tags ?? []).map((name) => ({ name: name.toLowerCase(), url: `https://${this.host}/tags/${name.toLowerCase()}` })),
    };
    this.statuses.push(status);
    return status;
  }

  /** `count` statuses tagged `#tag`, oldest first, a second apart up to now. */
  addTagged(count: number, tag = 'acme'): FakeStatus[] {
    const now = Date.now();
    return Array.from({ length: count }, (_, i) =>
      this.addStatus(`<p>Status ${this.statuses.length + 1} about <a href="https://${this.host}/tags/${tag}" class="mention hashtag" rel="tag">#<span>${tag}</span></a> &amp; more</p>`, {
        tags: [tag],
        createdAt: new Date(now - (count - i) * 1000),
      }),
    );
  }

  private headers(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.rateLimit.limit),
      'x-ratelimit-remaining': String(this.rateLimit.remaining),
      'x-ratelimit-reset': this.rateLimit.reset.toISOString(),
    };
  }

  private limited(): Reply | null {
    if (this.rateLimit.remaining <= 0) return { status: 429, headers: this.headers(), body: { error: 'Too many requests' } };
    this.rateLimit.remaining--;
    return null;
  }

  /** Mastodon's paging: newest first; `min_id` returns the page just above it, `max_id`/`since_id` the newest page in range. */
  private page(request: RecordedRequest, all: { id: string }[]): Reply {
    const q = request.query;
    const limit = Math.min(Math.max(Number(q.get('limit') ?? '20') || 20, 1), 40);
    const minId = q.get('min_id');
    const maxId = q.get('max_id');
    const sinceId = q.get('since_id');
    let matching = all.filter(
      (s) => (!minId || compare(s.id, minId) > 0) && (!maxId || compare(s.id, maxId) < 0) && (!sinceId || compare(s.id, sinceId) > 0),
    );
    matching.sort((a, b) => compare(b.id, a.id));
    matching = minId ? matching.slice(-limit) : matching.slice(0, limit);
    const links: string[] = [];
    const base = `${this.url}${request.path}`;
    if (matching.length > 0) {
      links.push(`<${base}?max_id=${matching.at(-1)!.id}>; rel="next"`, `<${base}?min_id=${matching[0]!.id}>; rel="prev"`);
    }
    return { status: 200, headers: { ...this.headers(), ...(links.length ? { link: links.join(', ') } : {}) }, body: matching };
  }

  private tagTimeline(request: RecordedRequest): Reply {
    const limited = this.limited();
    if (limited) return limited;
    // Mastodon 4.5: an instance may show hashtag timelines to logged-in users only.
    if (this.hashtagFeeds.local === 'authenticated' && request.headers.authorization !== `Bearer ${this.token}`) {
      return { status: 401, body: { error: 'This API requires an authenticated user' } };
    }
    if (this.hashtagFeeds.local === 'disabled') return { status: 404, body: { error: 'Record not found' } };
    const tag = decodeURIComponent(request.path.split('/').pop()!).toLowerCase();
    const any = request.query.getAll('any[]').map((t) => t.toLowerCase());
    if (any.length > 4) return { status: 422, body: { error: 'Validation failed: too many tags' } };
    const wanted = new Set([tag, ...any]);
    const local = request.query.get('local') === 'true';
    return this.page(
      request,
      this.statuses.filter((s) => s.tags.some((t) => wanted.has(t.name)) && (!local || !s.account.acct.includes('@'))),
    );
  }

  private lookup(request: RecordedRequest): Reply {
    const limited = this.limited();
    if (limited) return limited;
    const acct = (request.query.get('acct') ?? '').replace(/^@/, '').replace(new RegExp(`@${this.host}$`), '');
    const account = [...this.accounts.values()].find((a) => a.acct === acct);
    return account ? { status: 200, headers: this.headers(), body: account } : { status: 404, body: { error: 'Record not found' } };
  }

  private authorised(request: RecordedRequest): boolean {
    return request.headers.authorization === `Bearer ${this.token}`;
  }

  /** The token belongs to this account. */
  tokenAccount: FakeAccount | null = null;

  private verify(request: RecordedRequest): Reply {
    if (!this.authorised(request) || !this.tokenAccount) return { status: 401, body: { error: 'The access token is invalid' } };
    return { status: 200, headers: this.headers(), body: this.tokenAccount };
  }

  private accountStatuses(request: RecordedRequest): Reply {
    const limited = this.limited();
    if (limited) return limited;
    const id = request.path.split('/')[4]!;
    if (!this.accounts.has(id)) return { status: 404, body: { error: 'Record not found' } };
    return this.page(request, this.statuses.filter((s) => s.account.id === id));
  }

  /** Mention notifications of the token's account; their ids are a sequence of their own, as on Mastodon. */
  private notifications(request: RecordedRequest): Reply {
    if (!this.authorised(request) || !this.tokenAccount) return { status: 401, body: { error: 'The access token is invalid' } };
    const limited = this.limited();
    if (limited) return limited;
    const types = request.query.getAll('types[]');
    const me = this.tokenAccount;
    const all = this.statuses
      .filter((s) => s.mentions.some((m) => m.id === me.id))
      .map((status, i) => ({ id: String(i + 1), type: 'mention', created_at: status.created_at, account: status.account, status }))
      .filter((n) => types.length === 0 || types.includes(n.type));
    return this.page(request, all);
  }

  get conversationRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/api\/v1\/conversations$/);
  }

  /**
   * GET /api/v1/conversations (docs.joinmastodon.org methods/conversations, entities/Conversation): the token
   * account's direct-visibility conversations, newest last status first — `id`, `unread`, the other
   * `accounts`, `last_status`. A conversation is the set of accounts a direct status names, with its author.
   */
  private conversations(request: RecordedRequest): Reply {
    if (!this.authorised(request) || !this.tokenAccount) return { status: 401, body: { error: 'The access token is invalid' } };
    const limited = this.limited();
    if (limited) return limited;
    const me = this.tokenAccount;
    const byParticipants = new Map<string, FakeStatus[]>();
    for (const s of this.statuses.filter((x) => x.visibility === 'direct')) {
      const ids = new Set([s.account.id, ...s.mentions.map((m) => m.id)]);
      if (!ids.has(me.id)) continue;
      const key = [...ids].filter((id) => id !== me.id).sort().join(',');
      byParticipants.set(key, [...(byParticipants.get(key) ?? []), s]);
    }
    const all = [...byParticipants.entries()].map(([key, statuses], i) => {
      const last = statuses.reduce((a, b) => (compare(a.id, b.id) >= 0 ? a : b));
      return { id: String(418_450 + i), unread: last.account.id !== me.id, accounts: key.split(',').map((id) => this.accounts.get(id)!), last_status: last };
    });
    all.sort((a, b) => compare(b.last_status.id, a.last_status.id));
    const limit = Math.min(Math.max(Number(request.query.get('limit') ?? '20') || 20, 1), 40);
    return { status: 200, headers: this.headers(), body: all.slice(0, limit) };
  }

  /** Replies are refused when this is set (Mastodon's 422 validation errors). */
  refuseWith: string | null = null;

  private post(request: RecordedRequest): Reply {
    if (!this.authorised(request) || !this.tokenAccount) return { status: 401, body: { error: 'The access token is invalid' } };
    const key = request.headers['idempotency-key'];
    if (typeof key === 'string' && this.idempotency.has(key)) return { status: 200, headers: this.headers(), body: this.idempotency.get(key) };
    if (this.refuseWith) return { status: 422, body: { error: this.refuseWith } };
    const body = JSON.parse(request.body) as { status?: string; in_reply_to_id?: string; visibility?: string };
    if (!body.status) return { status: 422, body: { error: "Validation failed: Text can't be blank" } };
    if (Array.from(body.status).length > 500) return { status: 422, body: { error: 'Validation failed: Text character limit of 500 exceeded' } };
    const parent = body.in_reply_to_id ? this.statuses.find((s) => s.id === body.in_reply_to_id) : undefined;
    if (body.in_reply_to_id && !parent) return { status: 404, body: { error: 'Record not found' } };
    const escaped = body.status.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const named = [...body.status.matchAll(/(?:^|\s)@([\w.-]+(?:@[\w.-]+)?)/g)].map((m) => m[1]!.replace(new RegExp(`@${this.host}$`), ''));
    const created = this.addStatus(`<p>${escaped}</p>`, {
      author: this.tokenAccount.username,
      ...(parent ? { inReplyTo: parent } : {}),
      ...(body.visibility ? { visibility: body.visibility } : {}),
      mentions: named.filter((acct) => [...this.accounts.values()].some((a) => a.acct === acct)),
    });
    if (typeof key === 'string') this.idempotency.set(key, created);
    return { status: 200, headers: this.headers(), body: created };
  }
}
