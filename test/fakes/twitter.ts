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

  /** Add a post; ids grow with each call, so later posts are newer. */
  addTweet(text: string, options: { author?: string; createdAt?: Date; inReplyTo?: FakeTweet; mentions?: string[]; quotes?: FakeTweet } = {}): FakeTweet {
    const author = this.addUser(options.author ?? `user${this.tweets.length % 17}`, 50 + ((this.tweets.length * 37) % 5000));
    const id = String(this.nextId);
    this.nextId += 1_000n + BigInt(this.tweets.length % 7);
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
    };
    this.tweets.push(tweet);
    return tweet;
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
    const pageFault = this.pageFaults.shift();
    if (pageFault === 'repeat') {
      const above = candidates.filter((t) => BigInt(t.id) > BigInt(page[0]!.id)).slice(-3);
      page = [...above, ...page, page[0]!];
    } else if (pageFault === 'skip' && page.length > 1) {
      nextBefore = String(BigInt(page[1]!.id) + 1n);
      page = [page[0]!, ...page.slice(Math.min(4, page.length))];
      more = true;
    }
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
          ...(more ? { next_token: Buffer.from(JSON.stringify({ before: nextBefore })).toString('base64url') } : {}),
        },
      },
    };
  }
}
