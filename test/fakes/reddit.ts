import { redditListing } from '../fixtures/documented.js';
import { FakePlatform, type RecordedRequest, type Reply } from './server.js';

export interface FakeLink {
  id: string;
  name: string;
  title: string;
  selftext: string;
  author: string;
  author_fullname: string;
  subreddit: string;
  created_utc: number;
  permalink: string;
  score: number;
  num_comments: number;
  num_crossposts: number;
  over_18: boolean;
}

export interface FakeComment {
  id: string;
  name: string;
  body: string;
  author: string;
  parent_id: string;
  link_id: string;
  created_utc: number;
  permalink: string;
}

/** Evaluate the part of Reddit's search syntax brandwatch writes: `a OR (b NOT "c d") OR "e f"`. */
function matches(query: string, text: string): boolean {
  const lower = text.toLowerCase();
  const has = (term: string) => lower.includes(term.replace(/"/g, '').toLowerCase());
  return query.split(' OR ').some((clause) => {
    const [positive, ...negatives] = clause.replace(/^\(|\)$/g, '').split(' NOT ');
    return has(positive!) && !negatives.some(has);
  });
}

/**
 * Reddit over HTTP on 127.0.0.1: the password-grant token endpoint, `/search` (OAuth) and
 * `/search.json` (public) listings newest first with `after` fullnames, user comment listings, and
 * `POST /api/comment` with its HTTP-200 `json.errors` refusals. Rate-limit headers give the reset
 * in seconds from now.
 */
export class FakeReddit extends FakePlatform {
  readonly links: FakeLink[] = [];
  readonly comments: FakeComment[] = [];
  readonly client = { id: 'client-id-1', secret: 'client-secret-1', username: 'acme_help', password: 'hunter2-pass' };
  ratelimit = { used: 0, remaining: 996, reset: 420 };
  /** The next comment is refused with this `[code, message, field]`. */
  refuseNext: [string, string, string] | null = null;
  private nextId = 1_000_000;
  private clock = Math.floor(Date.now() / 1000) - 3600;
  private tokens = 0;

  /** Answer the next search with reddit's documented Listing (test/fixtures/reddit), dated `at`. */
  serveDocumented(at = Date.now()): this {
    this.server.inject({ kind: 'status', status: 200, body: redditListing(at) }, /\/search(\.json)?$/);
    return this;
  }

  constructor() {
    super(false);
    this.server
      .route('POST', /^\/api\/v1\/access_token$/, (r) => this.token(r))
      .route('GET', /^(\/r\/[^/]+)?\/search(\.json)?$/, (r) => this.withAuth(r, () => this.search(r)))
      .route('GET', /^\/user\/[^/]+\/comments(\.json)?$/, (r) => this.withAuth(r, () => this.userComments(r)))
      .route('POST', /^\/api\/comment$/, (r) => this.withAuth(r, () => this.comment(r)));
  }

  get searchRequests(): RecordedRequest[] {
    return this.server.requestsTo(/\/search(\.json)?$/);
  }

  private id(): string {
    return (this.nextId++).toString(36);
  }

  addLink(title: string, options: { author?: string; selftext?: string; subreddit?: string; at?: number } = {}): FakeLink {
    const id = this.id();
    const subreddit = options.subreddit ?? 'gadgets';
    const author = options.author ?? `redditor${this.links.length % 6}`;
    this.clock = Math.max(this.clock + 1, options.at ?? 0);
    const link: FakeLink = {
      id,
      name: `t3_${id}`,
      title,
      selftext: options.selftext ?? '',
      author,
      author_fullname: `t2_${author.length.toString(36)}${id}`,
      subreddit,
      created_utc: this.clock + 0.0,
      permalink: `/r/${subreddit}/comments/${id}/${title.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 40)}/`,
      score: this.links.length % 11,
      num_comments: this.links.length % 4,
      num_crossposts: 0,
      over_18: false,
    };
    this.links.push(link);
    return link;
  }

  addLinks(count: number, word = 'acme'): FakeLink[] {
    return Array.from({ length: count }, (_, i) => this.addLink(`Thoughts on ${word}? number ${this.links.length + 1}`, { selftext: `body ${i}` }));
  }

  addComment(body: string, parent: FakeLink | FakeComment, author = this.client.username): FakeComment {
    const id = this.id();
    this.clock += 1;
    const link = 'title' in parent ? parent : this.links.find((l) => l.name === parent.link_id)!;
    const comment: FakeComment = { id, name: `t1_${id}`, body, author, parent_id: parent.name, link_id: link.name, created_utc: this.clock, permalink: `${link.permalink}${id}/` };
    this.comments.push(comment);
    return comment;
  }

  private headers(): Record<string, string> {
    return { 'x-ratelimit-used': String(this.ratelimit.used), 'x-ratelimit-remaining': this.ratelimit.remaining.toFixed(1), 'x-ratelimit-reset': String(this.ratelimit.reset) };
  }

  private token(request: RecordedRequest): Reply {
    const basic = `Basic ${Buffer.from(`${this.client.id}:${this.client.secret}`).toString('base64')}`;
    if (request.headers.authorization !== basic) return { status: 401, body: { message: 'Unauthorized', error: 401 } };
    const form = new URLSearchParams(request.body);
    if (form.get('grant_type') !== 'password') return { status: 200, body: { error: 'unsupported_grant_type' } };
    if (form.get('username') !== this.client.username || form.get('password') !== this.client.password) return { status: 200, body: { error: 'invalid_grant' } };
    this.tokens++;
    return { status: 200, body: { access_token: `token-${this.tokens}`, token_type: 'bearer', expires_in: 86400, scope: '*' } };
  }

  private withAuth(request: RecordedRequest, handler: () => Reply): Reply {
    if (!String(request.headers['user-agent'] ?? '').startsWith('brandwatch')) return { status: 429, body: { message: 'Too Many Requests', error: 429 } };
    const json = request.path.endsWith('.json');
    if (!json && !/^bearer token-\d+$/i.test(String(request.headers.authorization))) return { status: 401, body: { message: 'Unauthorized', error: 401 } };
    if (this.ratelimit.remaining <= 0) return { status: 429, headers: this.headers(), body: { message: 'Too Many Requests', error: 429 } };
    this.ratelimit.used++;
    this.ratelimit.remaining--;
    return handler();
  }

  private listing<T extends { name: string; created_utc: number }>(kind: string, items: T[], request: RecordedRequest): Reply {
    const limit = Math.min(Number(request.query.get('limit') ?? '25'), 100);
    const after = request.query.get('after');
    const sorted = [...items].sort((a, b) => b.created_utc - a.created_utc);
    const start = after ? sorted.findIndex((i) => i.name === after) + 1 : 0;
    const page = sorted.slice(start, start + limit);
    const more = start + limit < sorted.length;
    return {
      status: 200,
      headers: this.headers(),
      body: { kind: 'Listing', data: { after: more ? page.at(-1)!.name : null, dist: page.length, before: null, children: page.map((data) => ({ kind, data })) } },
    };
  }

  private search(request: RecordedRequest): Reply {
    const q = request.query.get('q') ?? '';
    if (q.length > 512) return { status: 400, body: { message: 'Bad Request', error: 400 } };
    const subs = request.path.startsWith('/r/') && request.query.get('restrict_sr') === '1' ? request.path.split('/')[2]!.split('+') : null;
    return this.listing(
      't3',
      this.links.filter((l) => matches(q, `${l.title} ${l.selftext}`) && (!subs || subs.includes(l.subreddit))),
      request,
    );
  }

  private userComments(request: RecordedRequest): Reply {
    const user = request.path.split('/')[2]!;
    return this.listing('t1', this.comments.filter((c) => c.author.toLowerCase() === user.toLowerCase()), request);
  }

  private comment(request: RecordedRequest): Reply {
    const form = new URLSearchParams(request.body);
    if (form.get('api_type') !== 'json') return { status: 200, body: { jquery: [] } };
    if (this.refuseNext) {
      const error = this.refuseNext;
      this.refuseNext = null;
      return { status: 200, headers: this.headers(), body: { json: { errors: [error] } } };
    }
    const parent = [...this.links, ...this.comments].find((t) => t.name === form.get('thing_id'));
    if (!parent) return { status: 200, body: { json: { errors: [['INVALID_ID', 'that item does not exist', 'thing_id']] } } };
    const text = form.get('text') ?? '';
    if (!text) return { status: 200, body: { json: { errors: [['NO_TEXT', 'we need something here', 'text']] } } };
    const comment = this.addComment(text, parent);
    return {
      status: 200,
      headers: this.headers(),
      body: { json: { errors: [], data: { things: [{ kind: 't1', data: { ...comment, body_html: `<div class="md"><p>${text}</p></div>`, subreddit: 'gadgets' } }] } } },
    };
  }
}
