import type { ServerResponse } from 'node:http';
import { FakePlatform, type RecordedRequest, type Reply } from './server.js';

/** A post held by the fake X API; ids are decimal strings above 2^53, as on X. */
export interface FakeTweet {
  id: string;
  text: string;
  authorId: string;
  createdAt: string;
  conversationId: string;
  inReplyToTweetId?: string;
  inReplyToUserId?: string;
  mentions?: string[];
  /** A quote post: the id of the post it quotes. */
  quotedTweetId?: string;
  metrics: { retweet_count: number; reply_count: number; like_count: number; quote_count: number };
  lang?: string;
  /** Not yet in the search index (X indexes some posts late): search does not return it until `index()`. */
  unindexed?: boolean;
}

/** A direct message held by the fake X API (docs.x.com x-api/direct-messages; test/fixtures/twitter/README.md). */
export interface FakeDm {
  id: string;
  text: string;
  senderId: string;
  conversationId: string;
  createdAt: string;
  participantIds: string[];
}

export interface FakeUser {
  id: string;
  username: string;
  name: string;
  followers: number;
}

/** X sends post text HTML-escaped: `&`, `<` and `>` only. */
export function escapeXText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** First id handed out: well above Number.MAX_SAFE_INTEGER, so any numeric parsing shows. */
export const BASE_ID = 1_861_234_567_890_123_456n;

const X_EPOCH = 1_288_834_974_657n;
/** A snowflake id of a post created at `at` (ms), as X makes them: time since X's epoch shifted left 22 bits. */
export function snowflake(at: number, sequence = 0): bigint {
  return ((BigInt(at) - X_EPOCH) << 22n) + BigInt(sequence);
}

type Node = { kind: 'and' | 'or'; children: Node[] } | { kind: 'not'; child: Node } | { kind: 'term'; value: string };

/** Parse the subset of X's query language brandwatch writes: terms, "phrases", OR, (groups), -negation, from:, is:. */
export function parseQuery(query: string): Node {
  const tokens = query.match(/-?"[^"]*"|\(|\)|-?[^\s()]+/g) ?? [];
  let pos = 0;
  const parseOr = (): Node => {
    const children = [parseAnd()];
    while (tokens[pos] === 'OR') {
      pos++;
      children.push(parseAnd());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  };
  const parseAnd = (): Node => {
    const children: Node[] = [];
    while (pos < tokens.length && tokens[pos] !== ')' && tokens[pos] !== 'OR') children.push(parseUnary());
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  };
  const parseUnary = (): Node => {
    const token = tokens[pos++]!;
    if (token === '(') {
      const inner = parseOr();
      if (tokens[pos++] !== ')') throw new Error('unbalanced parentheses');
      return inner;
    }
    if (token.startsWith('-')) return { kind: 'not', child: { kind: 'term', value: token.slice(1) } };
    return { kind: 'term', value: token };
  };
  const tree = parseOr();
  if (pos !== tokens.length) throw new Error(`unexpected ${tokens[pos]}`);
  return tree;
}

function matches(node: Node, tweet: FakeTweet, author: FakeUser | undefined): boolean {
  switch (node.kind) {
    case 'and':
      return node.children.every((c) => matches(c, tweet, author));
    case 'or':
      return node.children.some((c) => matches(c, tweet, author));
    case 'not':
      return !matches(node.child, tweet, author);
    case 'term': {
      const value = node.value.replace(/^"|"$/g, '').toLowerCase();
      if (value === 'is:retweet') return tweet.text.startsWith('RT @');
      if (value === 'is:reply') return tweet.inReplyToTweetId !== undefined;
      if (value.startsWith('from:')) return author?.username.toLowerCase() === value.slice(5);
      if (value.startsWith('conversation_id:')) return tweet.conversationId === value.slice('conversation_id:'.length);
      return tweet.text.toLowerCase().includes(value);
    }
  }
}

export interface FakeTwitterOptions {
  bearerToken?: string;
  rateLimit?: number;
  /** OAuth 2 user token accepted by POST /2/tweets and GET /2/users/me. */
  userToken?: string;
  /** The brand's account, the author of posts made with the user token. */
  brandUsername?: string;
}

/** X's refusal of an API reply to a post that did not summon the account (self-serve apps, since February 2026). */
export const REPLY_NOT_ALLOWED = {
  detail:
    'Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.',
  type: 'about:blank',
  title: 'Forbidden',
  status: 403,
};

/** The X API v2 recent-search endpoint over HTTPS on 127.0.0.1, speaking the real wire format. */
export class FakeTwitter extends FakePlatform {
  readonly tweets: FakeTweet[] = [];
  readonly users = new Map<string, FakeUser>();
  /** since_id values below this are "older than 7 days" and refused with X's 400. */
  oldestSinceId: bigint | null = null;
  /** Posts created through the API stay out of the search index (X's indexing delay); timelines show them at once. */
  searchLag = false;
  /**
   * Refuse a start_time before X's 7-day window, as X does. Off by default: many tests pin the product's
   * clock in the past and would otherwise need X's clock moved with it.
   */
  enforceWindow = false;
  /** How far X's clock runs ahead of this machine's (ms): a slow local clock. */
  clockAhead = 0;
  /** Serve the same next_token for ever (a broken paginator), from the Nth page on. */
  repeatTokenFrom: number | null = null;
  private searchPages = 0;
  rateLimit: { limit: number; remaining: number; reset: number };
  /**
   * Faults in the pages themselves, one per non-empty search page, in order. `repeat`: the page also
   * serves again the posts just above it (the previous page's last ones) and one of its own twice.
   * `skip`: the page leaves out a few posts and its next_token starts the next page at the gap, as a
   * sloppy paginator would — nothing is lost if the client follows the token.
   */
  readonly pageFaults: ('repeat' | 'skip')[] = [];
  private nextId = BASE_ID;
  private readonly bearerToken: string;
  private readonly userToken: string;
  readonly brand: FakeUser;
  /** Posts created through POST /2/tweets, in order. */
  readonly created: FakeTweet[] = [];
  /** Accept the next N posts, then hold the answer this long (the client times out; the post exists). */
  stallAfterCreate: { count: number; ms: number } = { count: 0, ms: 0 };

  constructor(options: FakeTwitterOptions = {}) {
    super(true);
    this.bearerToken = options.bearerToken ?? 'test-bearer-token';
    this.userToken = options.userToken ?? 'test-user-token';
    this.brand = this.addUser(options.brandUsername ?? 'acme_help', 25_000);
    this.server.route('POST', /^\/2\/tweets$/, (r) => this.createTweet(r));
    this.server.route('GET', /^\/2\/users\/me$/, (r) => this.me(r));
    this.server.route('GET', /^\/2\/tweets$/, (r) => this.lookup(r));
    const limit = options.rateLimit ?? 450;
    this.rateLimit = { limit, remaining: limit, reset: Math.floor(Date.now() / 1000) + 900 };
    this.server.route('GET', /^\/2\/tweets\/search\/recent$/, (r) => this.search(r));
    this.server.route('GET', /^\/2\/users\/\d+\/mentions$/, (r) => this.timeline(r, 'mentions'));
    this.server.route('GET', /^\/2\/users\/\d+\/tweets$/, (r) => this.timeline(r, 'tweets'));
    this.server.route('GET', /^\/2\/tweets\/counts\/recent$/, (r) => this.counts(r));
    this.server.route('GET', /^\/2\/dm_events$/, (r) => this.dmTimeline(r, null));
    this.server.route('GET', /^\/2\/dm_conversations\/with\/\d+\/dm_events$/, (r) => this.dmTimeline(r, /with\/(\d+)\//.exec(r.path)![1]!));
    this.server.route('POST', /^\/2\/dm_conversations\/with\/\d+\/messages$/, (r) => this.sendDm(r));
    this.server.route('GET', /^\/2\/tweets\/search\/stream\/rules$/, (r) => this.listRules(r));
    this.server.route('POST', /^\/2\/tweets\/search\/stream\/rules$/, (r) => this.changeRules(r));
    this.server.route('GET', /^\/2\/tweets\/search\/stream$/, (r) => this.openStream(r));
  }

  /** The app's filtered-stream rules. */
  readonly rules: { id: string; value: string; tag?: string }[] = [];
  private nextRuleId = 1_790_000_000_000_000_000n;
  /** Open filtered-stream connections, each with the query it was opened with. */
  private readonly streams = new Map<ServerResponse, URLSearchParams>();
  /** X sends a keep-alive `\r\n` about every 20 s; tests make it quick. */
  keepAliveMs = 20_000;
  /** Keep-alives written on open streams so far. */
  keepAlivesSent = 0;
  /** While true, open streams send nothing at all, not even keep-alives (a stalled connection). */
  stalled = false;
  /** Filtered-stream connections the app may hold at once (one on pay-per-use). */
  maxConnections = 1;

  get streamRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/2\/tweets\/search\/stream$/);
  }

  get openStreams(): number {
    return this.streams.size;
  }

  private sent(): string {
    return new Date().toISOString();
  }

  /** GET /2/tweets/search/stream/rules (app-only bearer): no `data` when there are no rules. */
  private listRules(request: RecordedRequest): Reply {
    if (request.headers.authorization !== `Bearer ${this.bearerToken}`) return { status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
    return { status: 200, body: { ...(this.rules.length > 0 ? { data: this.rules } : {}), meta: { sent: this.sent(), result_count: this.rules.length } } };
  }

  /** POST /2/tweets/search/stream/rules: `{add: [{value, tag}]}` or `{delete: {ids}}`; a rule whose value exists is refused as DuplicateRule. */
  private changeRules(request: RecordedRequest): Reply {
    if (request.headers.authorization !== `Bearer ${this.bearerToken}`) return { status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
    const body = JSON.parse(request.body || '{}') as { add?: { value: string; tag?: string }[]; delete?: { ids?: string[] } };
    if (body.add) {
      const created: { id: string; value: string; tag?: string }[] = [];
      const errors: unknown[] = [];
      for (const rule of body.add) {
        if (rule.value.length > 1024) {
          errors.push({ value: rule.value, details: ['Rule must be 1024 characters or less'], title: 'RuleLengthExceeded', type: 'https://api.twitter.com/2/problems/invalid-rules' });
          continue;
        }
        const existing = this.rules.find((r) => r.value === rule.value);
        if (existing) {
          errors.push({ value: rule.value, id: existing.id, title: 'DuplicateRule', type: 'https://api.twitter.com/2/problems/duplicate-rules' });
          continue;
        }
        const added = { id: String(this.nextRuleId++), value: rule.value, ...(rule.tag ? { tag: rule.tag } : {}) };
        this.rules.push(added);
        created.push(added);
      }
      return {
        status: 201,
        body: {
          ...(created.length > 0 ? { data: created } : {}),
          meta: { sent: this.sent(), summary: { created: created.length, not_created: errors.length, valid: created.length, invalid: errors.length } },
          ...(errors.length > 0 ? { errors } : {}),
        },
      };
    }
    const ids = body.delete?.ids ?? [];
    const before = this.rules.length;
    for (const id of ids) {
      const at = this.rules.findIndex((r) => r.id === id);
      if (at >= 0) this.rules.splice(at, 1);
    }
    const deleted = before - this.rules.length;
    return { status: 200, body: { meta: { sent: this.sent(), summary: { deleted, not_deleted: ids.length - deleted } } } };
  }

  /** GET /2/tweets/search/stream: chunked newline-delimited JSON, keep-alive `\r\n`, one connection per app. */
  private openStream(request: RecordedRequest): Reply {
    if (request.headers.authorization !== `Bearer ${this.bearerToken}`) return { status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
    if (this.streams.size >= this.maxConnections) {
      return {
        status: 429,
        body: {
          title: 'ConnectionException',
          detail: 'This stream is currently at the maximum allowed connection limit.',
          connection_issue: 'TooManyConnections',
          type: 'https://api.twitter.com/2/problems/streaming-connection',
        },
      };
    }
    return {
      status: 200,
      stream: (res) => {
        this.streams.set(res, request.query);
        const timer = setInterval(() => {
          if (this.stalled || res.destroyed) return;
          res.write('\r\n');
          this.keepAlivesSent++;
        }, this.keepAliveMs);
        res.on('close', () => {
          clearInterval(timer);
          this.streams.delete(res);
        });
      },
    };
  }

  /** A post appears on X: stored (search finds it) and sent on every open stream whose rules it matches. */
  postLive(text: string, options: Parameters<FakeTwitter['addTweet']>[1] = {}): FakeTweet {
    const tweet = this.addTweet(text, options);
    this.publish(tweet);
    return tweet;
  }

  /** Send a post on the open streams (once per connection), with the rules it matched. */
  publish(tweet: FakeTweet): void {
    const author = this.users.get(tweet.authorId);
    const matching = this.rules.filter((r) => matches(parseQuery(r.value), tweet, author));
    if (matching.length === 0) return;
    for (const [res, query] of this.streams) {
      if (this.stalled || res.destroyed) continue;
      const body = this.render([tweet], query, null).body as { data: unknown[]; includes: unknown };
      res.write(`${JSON.stringify({ data: body.data[0], includes: body.includes, matching_rules: matching.map((r) => ({ id: r.id, ...(r.tag ? { tag: r.tag } : {}) })) })}\r\n`);
    }
  }

  /** Cut every open stream (a network drop). */
  dropStreams(): void {
    for (const res of this.streams.keys()) res.destroy();
  }

  /** Direct messages, oldest first as added; ids are snowflakes like posts'. */
  readonly dms: FakeDm[] = [];
  /** DMs the brand sent through the API, in order. */
  readonly sentDms: FakeDm[] = [];
  /** Accept the next N DMs, then hold the answer this long (the client times out; the DM exists). */
  stallAfterDm: { count: number; ms: number } = { count: 0, ms: 0 };

  /** A one-to-one conversation's id, as X writes them: the two user ids, lower first. */
  conversationWith(userId: string): string {
    return [this.brand.id, userId].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).join('-');
  }

  /** A DM from `from` (a username) to the brand. */
  addDm(text: string, options: { from: string; createdAt?: Date; followers?: number }): FakeDm {
    const sender = this.addUser(options.from, options.followers ?? 100);
    return this.pushDm(text, sender.id, this.conversationWith(sender.id), options.createdAt ?? new Date());
  }

  /** A DM the brand sent from the app (not through the API) to `to` (a username). */
  addDmFromBrand(text: string, options: { to: string; createdAt?: Date }): FakeDm {
    const to = this.addUser(options.to);
    return this.pushDm(text, this.brand.id, this.conversationWith(to.id), options.createdAt ?? new Date());
  }

  private pushDm(text: string, senderId: string, conversationId: string, at: Date): FakeDm {
    const next = snowflake(at.getTime(), this.dms.length % 4096);
    this.nextId = next > this.nextId ? next : this.nextId + (1n << 22n);
    const dm: FakeDm = {
      id: String(this.nextId),
      text,
      senderId,
      conversationId,
      createdAt: at.toISOString(),
      participantIds: conversationId.split('-'),
    };
    this.dms.push(dm);
    return dm;
  }

  get dmRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/2\/dm_events$/);
  }

  get dmSendRequests(): RecordedRequest[] {
    return this.server.requestsTo(/\/messages$/).filter((r) => r.method === 'POST');
  }

  /**
   * GET /2/dm_events and /2/dm_conversations/with/:id/dm_events (user context): newest first, `max_results`
   * 1–100, `pagination_token` from `meta.next_token`, `event_types`; fields beyond id, event_type and text
   * only when `dm_event.fields` asks for them, users only with `expansions=sender_id` — as X does.
   */
  private dmTimeline(request: RecordedRequest, participantId: string | null): Reply {
    const denied = this.userAuthorized(request);
    if (denied) return denied;
    const q = request.query;
    const maxResults = Number(q.get('max_results') ?? '100');
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 100) {
      return { status: 400, body: { title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request', errors: [{ parameters: { max_results: [q.get('max_results')] }, message: `The \`max_results\` query parameter value [${q.get('max_results')}] is not between 1 and 100` }] } };
    }
    const types = (q.get('event_types') ?? 'MessageCreate,ParticipantsJoin,ParticipantsLeave').split(',');
    let before: bigint | null = null;
    const token = q.get('pagination_token');
    if (token) before = BigInt(JSON.parse(Buffer.from(token, 'base64url').toString()).before);
    const conversation = participantId === null ? null : this.conversationWith(participantId);
    const matching = this.dms
      .filter((d) => types.includes('MessageCreate') && (conversation === null || d.conversationId === conversation))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .filter((d) => before === null || BigInt(d.id) < before);
    const page = matching.slice(0, maxResults);
    const fields = (q.get('dm_event.fields') ?? '').split(',');
    const senders = (q.get('expansions') ?? '').split(',').includes('sender_id') ? [...new Set(page.map((d) => d.senderId))].map((id) => this.users.get(id)!) : [];
    const more = matching.length > page.length;
    return {
      status: 200,
      headers: this.headers(),
      body: {
        ...(page.length > 0
          ? {
              data: page.map((d) => ({
                id: d.id,
                event_type: 'MessageCreate',
                text: escapeXText(d.text),
                ...(fields.includes('sender_id') ? { sender_id: d.senderId } : {}),
                ...(fields.includes('created_at') ? { created_at: d.createdAt } : {}),
                ...(fields.includes('dm_conversation_id') ? { dm_conversation_id: d.conversationId } : {}),
                ...(fields.includes('participant_ids') ? { participant_ids: d.participantIds } : {}),
              })),
            }
          : {}),
        ...(senders.length > 0 ? { includes: { users: senders.map((u) => ({ id: u.id, name: u.name, username: u.username })) } } : {}),
        meta: { result_count: page.length, ...(more ? { next_token: Buffer.from(JSON.stringify({ before: page.at(-1)!.id })).toString('base64url') } : {}) },
      },
    };
  }

  /** POST /2/dm_conversations/with/:participant_id/messages: a DM from the brand; the answer carries the ids inside `data`. */
  private async sendDm(request: RecordedRequest): Promise<Reply> {
    const denied = this.userAuthorized(request);
    if (denied) return denied;
    const participantId = /with\/(\d+)\//.exec(request.path)![1]!;
    if (!this.users.has(participantId)) {
      return { status: 400, body: { title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request', errors: [{ parameters: { participant_id: [participantId] }, message: `The \`participant_id\` path parameter value [${participantId}] is not a valid user` }] } };
    }
    let body: { text?: unknown };
    try {
      body = JSON.parse(request.body);
    } catch {
      return { status: 400, body: { title: 'Invalid Request', detail: 'Request body is not valid JSON', type: 'https://api.twitter.com/2/problems/invalid-request' } };
    }
    if (typeof body.text !== 'string' || body.text.length === 0) {
      return { status: 400, body: { title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request', errors: [{ message: '$.text: is missing but it is required' }] } };
    }
    const dm = this.pushDm(body.text, this.brand.id, this.conversationWith(participantId), new Date());
    this.sentDms.push(dm);
    if (this.stallAfterDm.count > 0) {
      this.stallAfterDm.count--;
      await new Promise((resolve) => setTimeout(resolve, this.stallAfterDm.ms));
    }
    return { status: 201, body: { data: { dm_conversation_id: dm.conversationId, dm_event_id: dm.id } } };
  }

  get searchRequests(): RecordedRequest[] {
    return this.server.requestsTo(/\/2\/tweets\/search\/recent$/);
  }

  addUser(username: string, followers = 100): FakeUser {
    const existing = [...this.users.values()].find((u) => u.username === username);
    if (existing) return existing;
    const user = { id: String(10_000 + this.users.size), username, name: username.replace(/_/g, ' '), followers };
    this.users.set(user.id, user);
    return user;
  }

  /**
   * Add a post; ids grow with each call, so later posts are newer, and follow X's snowflake layout (the
   * creation time in the high bits) when the times allow. `late`: the post gets the snowflake of its
   * creation time but stays out of the search index until `index()` — X's late-indexed posts, whose ids
   * fall below a cursor already saved.
   */
  addTweet(
    text: string,
    options: { author?: string; createdAt?: Date; inReplyTo?: FakeTweet; mentions?: string[]; quotes?: FakeTweet; late?: boolean } = {},
  ): FakeTweet {
    const author = this.addUser(options.author ?? `user${this.tweets.length % 17}`, 50 + ((this.tweets.length * 37) % 5000));
    const at = (options.createdAt ?? new Date()).getTime();
    let id: string;
    if (options.late) {
      id = String(snowflake(at, this.tweets.length % 4096));
    } else {
      const next = snowflake(at, this.tweets.length % 4096);
      // One second apart in the id when the times do not allow: the overlap window then covers few posts, as on X.
      this.nextId = next > this.nextId ? next : this.nextId + (1_000n << 22n) + BigInt(this.tweets.length % 7);
      id = String(this.nextId);
    }
    const tweet: FakeTweet = {
      id,
      text,
      authorId: author.id,
      createdAt: (options.createdAt ?? new Date()).toISOString().replace(/\.\d{3}Z$/, '.000Z'),
      conversationId: options.inReplyTo?.conversationId ?? id,
      metrics: { retweet_count: 0, reply_count: 0, like_count: this.tweets.length % 9, quote_count: 0 },
      lang: 'en',
      ...(options.inReplyTo ? { inReplyToTweetId: options.inReplyTo.id, inReplyToUserId: options.inReplyTo.authorId } : {}),
      ...(options.mentions ? { mentions: options.mentions } : {}),
      ...(options.quotes ? { quotedTweetId: options.quotes.id } : {}),
      ...(options.late ? { unindexed: true } : {}),
    };
    this.tweets.push(tweet);
    return tweet;
  }

  /** Late posts enter the search index now. */
  index(...tweets: FakeTweet[]): void {
    for (const t of tweets) delete t.unindexed;
  }

  get postRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/2\/tweets$/).filter((r) => r.method === 'POST');
  }

  private userAuthorized(request: RecordedRequest): Reply | null {
    if (request.headers.authorization === `Bearer ${this.userToken}`) return null;
    if (request.headers.authorization === `Bearer ${this.bearerToken}`) {
      return {
        status: 403,
        body: {
          title: 'Unsupported Authentication',
          detail: 'Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].',
          type: 'https://api.twitter.com/2/problems/unsupported-authentication',
          status: 403,
        },
      };
    }
    return { status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
  }

  get lookupRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/2\/tweets$/).filter((r) => r.method === 'GET');
  }

  /** GET /2/tweets?ids=…: up to 100 posts by id, with their current metrics; missing ids come back in `errors`. */
  private lookup(request: RecordedRequest): Reply {
    if (request.headers.authorization !== `Bearer ${this.bearerToken}`) {
      return { status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
    }
    const ids = (request.query.get('ids') ?? '').split(',').filter(Boolean);
    if (ids.length === 0 || ids.length > 100) {
      return { status: 400, body: { title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request', errors: [{ message: 'The `ids` query parameter value must have between 1 and 100 ids' }] } };
    }
    const found = ids.map((id) => this.tweets.find((t) => t.id === id)).filter((t): t is FakeTweet => t !== undefined);
    const missing = ids.filter((id) => !found.some((t) => t.id === id));
    const users = [...new Set(found.map((t) => t.authorId))].map((id) => this.users.get(id)!);
    return {
      status: 200,
      headers: this.headers(),
      body: {
        ...(found.length > 0
          ? {
              data: found.map((t) => ({
                id: t.id,
                text: escapeXText(t.text),
                author_id: t.authorId,
                created_at: t.createdAt,
                conversation_id: t.conversationId,
                edit_history_tweet_ids: [t.id],
                public_metrics: { ...t.metrics, bookmark_count: 0, impression_count: t.metrics.like_count * 40 },
                ...(t.mentions ? { entities: { mentions: t.mentions.map((username, i) => ({ start: i, end: i + username.length, username, id: [...this.users.values()].find((u) => u.username === username)?.id ?? '1' })) } } : {}),
              })),
              includes: { users: users.map((u) => ({ id: u.id, name: u.name, username: u.username, public_metrics: { followers_count: u.followers, following_count: 10, tweet_count: 100, listed_count: 0 } })) },
            }
          : {}),
        ...(missing.length > 0
          ? { errors: missing.map((id) => ({ value: id, detail: `Could not find tweet with ids: [${id}].`, title: 'Not Found Error', resource_type: 'tweet', parameter: 'ids', resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' })) }
          : {}),
      },
    };
  }

  /** GET /2/users/me (user context). */
  private me(request: RecordedRequest): Reply {
    return this.userAuthorized(request) ?? { status: 200, body: { data: { id: this.brand.id, name: this.brand.name, username: this.brand.username } } };
  }

  /** Whether the post summoned the brand: it mentions the account or quotes one of its posts. */
  summons(target: FakeTweet): boolean {
    const brand = this.brand.username.toLowerCase();
    if ((target.mentions ?? []).some((m) => m.toLowerCase() === brand)) return true;
    const quoted = target.quotedTweetId ? this.tweets.find((t) => t.id === target.quotedTweetId) : undefined;
    return quoted?.authorId === this.brand.id;
  }

  /** POST /2/tweets: a post or a reply by the brand, with X's reply restriction for self-serve apps. */
  private async createTweet(request: RecordedRequest): Promise<Reply> {
    const denied = this.userAuthorized(request);
    if (denied) return denied;
    let body: { text?: unknown; reply?: { in_reply_to_tweet_id?: unknown } };
    try {
      body = JSON.parse(request.body);
    } catch {
      return { status: 400, body: { title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request', errors: [{ message: 'Request body is not valid JSON' }] } };
    }
    if (typeof body.text !== 'string' || body.text.length === 0) {
      return { status: 400, body: { title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request', errors: [{ message: '$.text: is missing but it is required' }] } };
    }
    let target: FakeTweet | undefined;
    const replyTo = body.reply?.in_reply_to_tweet_id;
    if (replyTo !== undefined) {
      target = this.tweets.find((t) => t.id === replyTo);
      if (!target) {
        return { status: 403, body: { detail: 'You attempted to reply to a Tweet that is deleted or not visible to you.', type: 'about:blank', title: 'Forbidden', status: 403 } };
      }
      if (!this.summons(target)) return { status: 403, body: REPLY_NOT_ALLOWED };
    }
    if (this.tweets.some((t) => t.authorId === this.brand.id && t.text === body.text && t.inReplyToTweetId === target?.id)) {
      return { status: 403, body: { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 } };
    }
    const tweet = this.addTweet(body.text, { author: this.brand.username, ...(target ? { inReplyTo: target } : {}) });
    if (this.searchLag) tweet.unindexed = true;
    this.created.push(tweet);
    if (this.stallAfterCreate.count > 0) {
      this.stallAfterCreate.count--;
      await new Promise((resolve) => setTimeout(resolve, this.stallAfterCreate.ms));
    }
    return { status: 201, body: { data: { id: tweet.id, text: tweet.text, edit_history_tweet_ids: [tweet.id] } } };
  }

  /** Add `count` mentions of `keyword`, spread over the last hours. */
  addMentions(count: number, keyword = 'acme'): FakeTweet[] {
    const now = Date.now();
    return Array.from({ length: count }, (_, i) =>
      this.addTweet(`Post ${this.tweets.length + 1} about ${keyword} number ${i}`, { createdAt: new Date(now - (count - i) * 1000) }),
    );
  }

  private headers(): Record<string, string> {
    return {
      'x-rate-limit-limit': String(this.rateLimit.limit),
      'x-rate-limit-remaining': String(this.rateLimit.remaining),
      'x-rate-limit-reset': String(this.rateLimit.reset),
    };
  }

  private search(request: RecordedRequest): Reply {
    if (request.headers.authorization !== `Bearer ${this.bearerToken}`) {
      return { status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
    }
    if (this.rateLimit.remaining <= 0) {
      return {
        status: 429,
        headers: this.headers(),
        body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
      };
    }
    this.rateLimit.remaining--;
    const q = request.query;
    // X's 400 echoes the offending parameter and its value back (never the token, which is no parameter).
    const invalid = (message: string, parameter?: string): Reply => ({
      status: 400,
      headers: this.headers(),
      body: {
        errors: [{ parameters: parameter ? { [parameter]: [q.get(parameter) ?? ''] } : {}, message }],
        title: 'Invalid Request',
        detail: 'One or more parameters to your request was invalid.',
        type: 'https://api.twitter.com/2/problems/invalid-request',
      },
    });
    const query = q.get('query');
    if (!query) return invalid("The `query` query parameter can not be empty");
    if (query.length > 512) return invalid(`The \`query\` query parameter value [${query.slice(0, 20)}…] is too long`, 'query');
    const maxResults = Number(q.get('max_results') ?? '10');
    if (!Number.isInteger(maxResults) || maxResults < 10 || maxResults > 100) {
      return invalid(`The \`max_results\` query parameter value [${q.get('max_results')}] is not between 10 and 100`);
    }
    if (q.has('since_id') && q.has('start_time')) return invalid('since_id and start_time cannot both be set');
    let tree: Node;
    try {
      tree = parseQuery(query);
    } catch (error) {
      return invalid(`There were errors processing your request: ${(error as Error).message}`);
    }
    const sinceId = q.get('since_id');
    if (sinceId && !/^\d{1,19}$/.test(sinceId)) return invalid(`Invalid 'since_id':'${sinceId}'`, 'since_id');
    if (sinceId && this.oldestSinceId !== null && BigInt(sinceId) < this.oldestSinceId) {
      return invalid(`Invalid 'since_id':'${sinceId}'. 'since_id' must be a tweet id created after 2026-11-15T00:00Z.`, 'since_id');
    }
    const untilId = q.get('until_id');
    const startTime = q.get('start_time') ? Date.parse(q.get('start_time')!) : null;
    // X's own clock decides the window (this fake's may run ahead of the client's, as a real one can).
    const windowStart = Date.now() + this.clockAhead - 7 * 86_400_000;
    if (this.enforceWindow && startTime !== null && startTime < windowStart) {
      const edge = new Date(windowStart).toISOString().slice(0, 16);
      return invalid(`Invalid 'start_time':'${q.get('start_time')}'. 'start_time' must be on or after ${edge}Z`, 'start_time');
    }
    let before: bigint | null = null;
    const token = q.get('next_token');
    if (token) {
      try {
        before = BigInt(JSON.parse(Buffer.from(token, 'base64url').toString()).before);
      } catch {
        return invalid(`Invalid 'next_token':'${token}'`, 'next_token');
      }
    }
    const candidates = this.tweets
      .filter((t) => {
        if (t.unindexed) return false;
        const id = BigInt(t.id);
        if (sinceId && id <= BigInt(sinceId)) return false;
        if (untilId && id >= BigInt(untilId)) return false;
        if (startTime !== null && Date.parse(t.createdAt) < startTime) return false;
        return matches(tree, t, this.users.get(t.authorId));
      })
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    const matching = candidates.filter((t) => before === null || BigInt(t.id) < before);
    let page = matching.slice(0, maxResults);
    if (page.length === 0) return { status: 200, headers: this.headers(), body: { meta: { result_count: 0 } } };
    let more = matching.length > page.length;
    let nextBefore = page.at(-1)!.id;
    this.searchPages++;
    if (this.repeatTokenFrom !== null && this.searchPages >= this.repeatTokenFrom) {
      more = true;
      nextBefore = String(BigInt(page[0]!.id) + 1n);
    }
    const pageFault = this.pageFaults.shift();
    if (pageFault === 'repeat') {
      const above = candidates.filter((t) => BigInt(t.id) > BigInt(page[0]!.id)).slice(-3);
      page = [...above, ...page, page[0]!];
    } else if (pageFault === 'skip' && page.length > 1) {
      nextBefore = String(BigInt(page[1]!.id) + 1n);
      page = [page[0]!, ...page.slice(Math.min(4, page.length))];
      more = true;
    }
    return this.render(page, q, more ? Buffer.from(JSON.stringify({ before: nextBefore })).toString('base64url') : null);
  }


  /** A page of posts in X's wire format (search and the user timelines share it). */
  private render(page: FakeTweet[], q: URLSearchParams, nextToken: string | null): Reply {
    const authors = [...new Set(page.map((t) => t.authorId))].map((id) => this.users.get(id)!);
    // expansions=referenced_tweets.id.author_id: quoted posts and their authors come in includes.
    const expansions = (q.get('expansions') ?? '').split(',');
    const quoted = expansions.includes('referenced_tweets.id.author_id')
      ? page.flatMap((t) => (t.quotedTweetId ? this.tweets.filter((x) => x.id === t.quotedTweetId) : []))
      : [];
    return {
      status: 200,
      headers: this.headers(),
      body: {
        data: page.map((t) => ({
          id: t.id,
          text: escapeXText(t.text),
          author_id: t.authorId,
          created_at: t.createdAt,
          conversation_id: t.conversationId,
          lang: t.lang,
          edit_history_tweet_ids: [t.id],
          // Fields X sends that we never read: the client must not trip over them.
          possibly_sensitive: false,
          reply_settings: 'everyone',
          public_metrics: { ...t.metrics, bookmark_count: 0, impression_count: t.metrics.like_count * 40 },
          ...(t.inReplyToTweetId ? { in_reply_to_user_id: t.inReplyToUserId } : {}),
          ...(t.inReplyToTweetId || t.quotedTweetId
            ? {
                referenced_tweets: [
                  ...(t.inReplyToTweetId ? [{ type: 'replied_to', id: t.inReplyToTweetId }] : []),
                  ...(t.quotedTweetId ? [{ type: 'quoted', id: t.quotedTweetId }] : []),
                ],
              }
            : {}),
          ...(t.mentions ? { entities: { mentions: t.mentions.map((username, i) => ({ start: i, end: i + username.length, username, id: [...this.users.values()].find((u) => u.username === username)?.id ?? '1' })) } } : {}),
        })),
        includes: {
          ...(quoted.length > 0 ? { tweets: quoted.map((t) => ({ id: t.id, text: t.text, author_id: t.authorId, created_at: t.createdAt })) } : {}),
          users: [...authors, ...quoted.map((t) => this.users.get(t.authorId)!).filter((u) => !authors.includes(u))].map((u) => ({
            id: u.id,
            name: u.name,
            username: u.username,
            verified: false,
            public_metrics: { followers_count: u.followers, following_count: 10, tweet_count: 100, listed_count: 0 },
          })),
        },
        meta: {
          newest_id: page[0]!.id,
          oldest_id: page.at(-1)!.id,
          result_count: page.length,
          ...(nextToken ? { next_token: nextToken } : {}),
        },
      },
    };
  }

  get mentionRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/2\/users\/\d+\/mentions$/);
  }

  get timelineRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/2\/users\/\d+\/tweets$/);
  }

  get countsRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/2\/tweets\/counts\/recent$/);
  }

  /** Whether a post @mentions a user (entities or text). */
  private mentionsUser(t: FakeTweet, user: FakeUser): boolean {
    const name = user.username.toLowerCase();
    return (t.mentions ?? []).some((m) => m.toLowerCase() === name) || t.text.toLowerCase().includes(`@${name}`);
  }

  /**
   * GET /2/users/:id/mentions and /2/users/:id/tweets (user context): newest first, `since_id`, `until_id`,
   * `start_time`, `max_results` 5–100, `pagination_token` from `meta.next_token`. Timelines are not the
   * search index: a late post shows here at once.
   */
  private timeline(request: RecordedRequest, kind: 'mentions' | 'tweets'): Reply {
    const denied = this.userAuthorized(request);
    if (denied) return denied;
    const userId = /^\/2\/users\/(\d+)\//.exec(request.path)![1]!;
    const user = this.users.get(userId);
    if (!user) return { status: 404, body: { title: 'Not Found Error', detail: `Could not find user with id: [${userId}].`, type: 'https://api.twitter.com/2/problems/resource-not-found' } };
    const q = request.query;
    const maxResults = Number(q.get('max_results') ?? '10');
    if (!Number.isInteger(maxResults) || maxResults < 5 || maxResults > 100) {
      return { status: 400, body: { title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.twitter.com/2/problems/invalid-request', errors: [{ message: `The \`max_results\` query parameter value [${q.get('max_results')}] is not between 5 and 100` }] } };
    }
    const sinceId = q.get('since_id');
    const startTime = q.get('start_time') ? Date.parse(q.get('start_time')!) : null;
    let before: bigint | null = null;
    const token = q.get('pagination_token');
    if (token) before = BigInt(JSON.parse(Buffer.from(token, 'base64url').toString()).before);
    const matching = this.tweets
      .filter((t) => (kind === 'tweets' ? t.authorId === userId : this.mentionsUser(t, user) && t.authorId !== userId))
      .filter((t) => !(kind === 'tweets' && q.get('exclude')?.includes('retweets') && t.text.startsWith('RT @')))
      .filter((t) => (!sinceId || BigInt(t.id) > BigInt(sinceId)) && (startTime === null || Date.parse(t.createdAt) >= startTime))
      .sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1))
      .filter((t) => before === null || BigInt(t.id) < before);
    const page = matching.slice(0, maxResults);
    if (page.length === 0) return { status: 200, headers: this.headers(), body: { meta: { result_count: 0 } } };
    const more = matching.length > page.length;
    return this.render(page, q, more ? Buffer.from(JSON.stringify({ before: page.at(-1)!.id })).toString('base64url') : null);
  }

  /** GET /2/tweets/counts/recent: per-minute (or hour/day) buckets of matching posts, no posts returned. */
  private counts(request: RecordedRequest): Reply {
    if (request.headers.authorization !== `Bearer ${this.bearerToken}`) {
      return { status: 401, body: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
    }
    const q = request.query;
    const tree = parseQuery(q.get('query') ?? '');
    const unit = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[q.get('granularity') ?? 'hour'] ?? 3_600_000;
    const end = q.get('end_time') ? Date.parse(q.get('end_time')!) : Date.now() - 10_000;
    const start = q.get('start_time') ? Date.parse(q.get('start_time')!) : end - 7 * 86_400_000;
    const data: { start: string; end: string; tweet_count: number }[] = [];
    for (let b = Math.floor(start / unit) * unit; b < end; b += unit) {
      const from = Math.max(b, start);
      const to = Math.min(b + unit, end);
      const n = this.tweets.filter((t) => !t.unindexed && Date.parse(t.createdAt) >= from && Date.parse(t.createdAt) < to && matches(tree, t, this.users.get(t.authorId))).length;
      data.push({ end: new Date(to).toISOString(), start: new Date(from).toISOString(), tweet_count: n });
    }
    return { status: 200, headers: this.headers(), body: { data, meta: { total_tweet_count: data.reduce((n, d) => n + d.tweet_count, 0) } } };
  }
}
