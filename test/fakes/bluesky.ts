import { createHash } from 'node:crypto';
import { blueskySearch } from '../fixtures/documented.js';
import { FakePlatform, type RecordedRequest, type Reply } from './server.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const SORTABLE = '234567abcdefghijklmnopqrstuvwxyz';

function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** A real CIDv1 (dag-cbor, sha2-256) of some text: the client's lexicon check parses CIDs. */
export function cidOf(text: string): string {
  const digest = createHash('sha256').update(text).digest();
  return 'b' + base32(Uint8Array.from([0x01, 0x71, 0x12, 0x20, ...digest]));
}

/** A record key in TID form (13 sortable base32 characters), growing with `n`. */
function tid(n: bigint): string {
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = SORTABLE[Number(n & 31n)] + out;
    n >>= 5n;
  }
  return out;
}

export interface FakeActor {
  did: string;
  handle: string;
  displayName: string;
}

/** A post as the fake AppView holds it: a postView in the wire format. */
export interface FakePost {
  uri: string;
  cid: string;
  author: FakeActor;
  record: { $type: 'app.bsky.feed.post'; text: string; createdAt: string; langs: string[]; reply?: { root: { uri: string; cid: string }; parent: { uri: string; cid: string } } };
  replyCount: number;
  repostCount: number;
  likeCount: number;
  quoteCount: number;
  indexedAt: string;
  bookmarkCount?: number;
  labels?: unknown[];
  viewer?: Record<string, unknown>;
}

/**
 * Bluesky's XRPC over HTTP on 127.0.0.1: createSession/refreshSession, app.bsky.feed.searchPosts
 * (`q` words and "phrases", `sort=latest`, inclusive `since`, `limit` ≤ 100, opaque `cursor`),
 * getAuthorFeed, getPosts and com.atproto.repo.createRecord. Rate limits use RateLimit-* headers
 * with epoch-second resets.
 */
export class FakeBluesky extends FakePlatform {
  readonly posts: FakePost[] = [];
  readonly actors = new Map<string, FakeActor>();
  rateLimit: { limit: number; remaining: number; reset: number };
  private clock = BigInt(Date.now()) * 1000n * 1024n;
  private sessions = 0;
  /** createSession calls that succeeded (Bluesky allows about 100 a day per account). */
  logins = 0;
  refreshes = 0;
  /** An access token stops working after this many requests (ExpiredToken), as real ones expire after ~2 hours. */
  accessUses = Number.POSITIVE_INFINITY;
  private readonly access = new Map<string, number>();
  private readonly refreshTokens = new Set<string>();
  readonly brand: FakeActor;

  /** Answer the next search with the lexicon-built postView (test/fixtures/bluesky), dated `at`. */
  serveDocumented(at = Date.now()): this {
    this.server.inject({ kind: 'status', status: 200, body: blueskySearch(at) }, /searchPosts$/);
    return this;
  }

  constructor(readonly password = 'app-pass-word-1234') {
    super(false);
    this.rateLimit = { limit: 3000, remaining: 3000, reset: Math.floor(Date.now() / 1000) + 300 };
    this.brand = this.actor('acme.bsky.social');
    this.server
      .route('POST', /^\/xrpc\/com\.atproto\.server\.createSession$/, (r) => this.createSession(r))
      .route('POST', /^\/xrpc\/com\.atproto\.server\.refreshSession$/, (r) => this.refreshSession(r))
      // The agent reads the session back after a refresh.
      .route('GET', /^\/xrpc\/com\.atproto\.server\.getSession$/, (r) => this.authed(r, () => ({ status: 200, body: { handle: this.brand.handle, did: this.brand.did, active: true, email: 'brand@acme.example', emailConfirmed: true } })))
      .route('GET', /^\/xrpc\/app\.bsky\.feed\.searchPosts$/, (r) => this.authed(r, () => this.search(r)))
      .route('GET', /^\/xrpc\/app\.bsky\.feed\.getAuthorFeed$/, (r) => this.authed(r, () => this.authorFeed(r)))
      .route('GET', /^\/xrpc\/app\.bsky\.feed\.getPosts$/, (r) => this.authed(r, () => this.getPosts(r)))
      .route('GET', /^\/xrpc\/app\.bsky\.actor\.getProfiles$/, (r) => this.authed(r, () => this.getProfiles(r)))
      .route('POST', /^\/xrpc\/com\.atproto\.repo\.createRecord$/, (r) => this.authed(r, () => this.createRecord(r)))
      .route('GET', /^\/xrpc\/chat\.bsky\.convo\.listConvos$/, (r) => this.chat(r, () => this.listConvos(r)))
      .route('GET', /^\/xrpc\/chat\.bsky\.convo\.getMessages$/, (r) => this.chat(r, () => this.getMessages(r)))
      .route('GET', /^\/xrpc\/chat\.bsky\.convo\.getConvoForMembers$/, (r) => this.chat(r, () => this.convoForMembers(r)))
      .route('POST', /^\/xrpc\/chat\.bsky\.convo\.sendMessage$/, (r) => this.chat(r, () => this.sendMessage(r)));
  }

  /** Conversations of the brand's chat, each with its other member and its messages (oldest first). */
  readonly convos: { id: string; rev: string; member: FakeActor; messages: { id: string; rev: string; text: string; sender: string; sentAt: string }[] }[] = [];
  /** The app password was created without access to DMs: the chat service refuses it. */
  chatAllowed = true;
  private chatClock = 0n;

  get chatRequests(): RecordedRequest[] {
    return this.server.requestsTo(/^\/xrpc\/chat\./);
  }

  private convoWith(member: FakeActor) {
    let convo = this.convos.find((c) => c.member.did === member.did);
    if (!convo) {
      convo = { id: `3l${tid(BigInt(this.convos.length + 1)).slice(2)}`, rev: tid(this.chatClock), member, messages: [] };
      this.convos.push(convo);
    }
    return convo;
  }

  /** A DM from `from` (a handle) to the brand. */
  addDm(text: string, options: { from: string; sentAt?: Date }) {
    return this.pushMessage(this.convoWith(this.actor(options.from)), text, this.actor(options.from).did, options.sentAt ?? new Date());
  }

  /** Messages the brand sent through sendMessage. */
  readonly sentDms: { convoId: string; id: string; text: string }[] = [];

  private pushMessage(convo: FakeBluesky['convos'][number], text: string, sender: string, at: Date) {
    this.chatClock += 1024n * 1000n;
    const message = { id: tid(BigInt(at.getTime()) * 1024n + this.chatClock), rev: tid(this.chatClock), text, sender, sentAt: at.toISOString() };
    convo.messages.push(message);
    convo.rev = message.rev;
    return message;
  }

  private messageView(m: FakeBluesky['convos'][number]['messages'][number]) {
    return { $type: 'chat.bsky.convo.defs#messageView', id: m.id, rev: m.rev, text: m.text, sender: { did: m.sender }, sentAt: m.sentAt };
  }

  private convoView(c: FakeBluesky['convos'][number]) {
    const last = c.messages.at(-1);
    const members = [this.brand, c.member].map((a) => ({ did: a.did, handle: a.handle, displayName: a.displayName, labels: [], chatDisabled: false }));
    return { id: c.id, rev: c.rev, members, ...(last ? { lastMessage: this.messageView(last) } : {}), muted: false, status: 'accepted', unreadCount: c.messages.filter((m) => m.sender !== this.brand.did).length };
  }

  /**
   * chat.bsky.* reach the chat service only through the PDS's proxy: without `atproto-proxy:
   * did:web:api.bsky.chat#bsky_chat` the PDS does not implement them; an app password without DM access is refused.
   */
  private chat(request: RecordedRequest, handler: () => Reply | Promise<Reply>): Reply | Promise<Reply> {
    if (request.headers['atproto-proxy'] !== 'did:web:api.bsky.chat#bsky_chat') return { status: 501, body: { error: 'MethodNotImplemented', message: 'Method Not Implemented' } };
    // The session check first (as every XRPC call), then the chat service's own answer, which may take its time.
    let answer: Reply | Promise<Reply> | null = null;
    const refused = this.authed(request, () => {
      answer = this.chatAllowed ? handler() : { status: 400, body: { error: 'InvalidToken', message: 'Bad token scope' } };
      return { status: 200 };
    });
    return answer ?? refused;
  }

  /** chat.bsky.convo.listConvos: newest activity first, `limit` 1–100, opaque `cursor`. */
  private listConvos(request: RecordedRequest): Reply {
    const limit = Number(request.query.get('limit') ?? '50');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return { status: 400, body: { error: 'InvalidRequest', message: 'limit must be between 1 and 100' } };
    const sorted = [...this.convos].sort((a, b) => (b.rev > a.rev ? 1 : b.rev < a.rev ? -1 : 0));
    return { status: 200, headers: this.headers(), body: { convos: sorted.slice(0, limit).map((c) => this.convoView(c)) } };
  }

  /** chat.bsky.convo.getMessages: newest first, `limit` 1–100, `cursor` continues older. */
  private getMessages(request: RecordedRequest): Reply {
    const convo = this.convos.find((c) => c.id === request.query.get('convoId'));
    if (!convo) return { status: 400, body: { error: 'InvalidRequest', message: 'Convo not found' } };
    const limit = Number(request.query.get('limit') ?? '50');
    const offset = request.query.get('cursor') ? Number(request.query.get('cursor')) : 0;
    const newestFirst = [...convo.messages].reverse();
    const page = newestFirst.slice(offset, offset + limit);
    return { status: 200, headers: this.headers(), body: { messages: page.map((m) => this.messageView(m)), ...(offset + limit < newestFirst.length ? { cursor: String(offset + limit) } : {}) } };
  }

  private convoForMembers(request: RecordedRequest): Reply {
    const members = request.query.getAll('members');
    const other = members.map((did) => this.actors.get(did)).find((a) => a && a.did !== this.brand.did);
    if (!other) return { status: 400, body: { error: 'InvalidRequest', message: 'Recipient not found' } };
    return { status: 200, headers: this.headers(), body: { convo: this.convoView(this.convoWith(other)) } };
  }

  /** Hold the answer to the next N sendMessage calls this long (the message is sent; the client times out). */
  stallAfterSend = { count: 0, ms: 0 };

  private sendMessage(request: RecordedRequest): Reply | Promise<Reply> {
    const body = JSON.parse(request.body || '{}') as { convoId?: string; message?: { text?: string } };
    const convo = this.convos.find((c) => c.id === body.convoId);
    if (!convo) return { status: 400, body: { error: 'InvalidRequest', message: 'Convo not found' } };
    if (!body.message?.text) return { status: 400, body: { error: 'InvalidRequest', message: 'Input/message/text must be a string' } };
    const message = this.pushMessage(convo, body.message.text, this.brand.did, new Date());
    this.sentDms.push({ convoId: convo.id, id: message.id, text: message.text });
    const reply = { status: 200, headers: this.headers(), body: this.messageView(message) };
    if (this.stallAfterSend.count > 0) {
      this.stallAfterSend.count--;
      return new Promise((resolve) => setTimeout(() => resolve(reply), this.stallAfterSend.ms));
    }
    return reply;
  }

  get searchRequests(): RecordedRequest[] {
    return this.server.requestsTo(/searchPosts$/);
  }

  actor(handle: string): FakeActor {
    const existing = [...this.actors.values()].find((a) => a.handle === handle);
    if (existing) return existing;
    const did = `did:plc:${base32(createHash('sha256').update(handle).digest()).slice(0, 24)}`;
    const actor = { did, handle, displayName: handle.split('.')[0]! };
    this.actors.set(did, actor);
    return actor;
  }

  addPost(text: string, options: { author?: string; createdAt?: Date; replyTo?: FakePost } = {}): FakePost {
    const author = this.actor(options.author ?? `user${this.posts.length % 5}.bsky.social`);
    this.clock += 1024n * 1000n;
    const uri = `at://${author.did}/app.bsky.feed.post/${tid(this.clock)}`;
    const createdAt = (options.createdAt ?? new Date()).toISOString();
    const parent = options.replyTo;
    const post: FakePost = {
      uri,
      cid: cidOf(uri),
      author,
      record: {
        $type: 'app.bsky.feed.post',
        text,
        createdAt,
        langs: ['en'],
        ...(parent ? { reply: { root: parent.record.reply?.root ?? { uri: parent.uri, cid: parent.cid }, parent: { uri: parent.uri, cid: parent.cid } } } : {}),
      },
      replyCount: 0,
      repostCount: this.posts.length % 3,
      likeCount: this.posts.length % 7,
      quoteCount: 0,
      indexedAt: createdAt,
      // Sent by the AppView and never read by us: the client must not trip over them.
      bookmarkCount: 0,
      labels: [],
      viewer: { threadMuted: false, embeddingDisabled: false },
    };
    this.posts.push(post);
    return post;
  }

  /** Time of the newest post added by `addMentions`: they start an hour ago, 10 s apart, so later calls are newer. */
  private mentionClock = Date.now() - 3_600_000;

  /** `count` posts mentioning `word`, each 10 s after the previous one. */
  addMentions(count: number, word = 'acme'): FakePost[] {
    return Array.from({ length: count }, (_, i) => {
      this.mentionClock += 10_000;
      return this.addPost(`Post ${this.posts.length + 1} about ${word} #${i}`, { createdAt: new Date(this.mentionClock) });
    });
  }

  private headers(): Record<string, string> {
    return {
      'ratelimit-limit': String(this.rateLimit.limit),
      'ratelimit-remaining': String(this.rateLimit.remaining),
      'ratelimit-reset': String(this.rateLimit.reset),
      'ratelimit-policy': `${this.rateLimit.limit};w=300`,
    };
  }

  private createSession(request: RecordedRequest): Reply {
    const body = JSON.parse(request.body || '{}') as { identifier?: string; password?: string };
    if (body.identifier !== this.brand.handle || body.password !== this.password) {
      return { status: 401, body: { error: 'AuthenticationRequired', message: 'Invalid identifier or password' } };
    }
    this.logins++;
    return { status: 200, headers: this.headers(), body: { ...this.issue(), handle: this.brand.handle, did: this.brand.did, active: true } };
  }

  private issue(): { accessJwt: string; refreshJwt: string } {
    this.sessions++;
    const accessJwt = `access-${this.sessions}`;
    const refreshJwt = `refresh-${this.sessions}`;
    this.access.set(accessJwt, 0);
    this.refreshTokens.add(refreshJwt);
    return { accessJwt, refreshJwt };
  }

  /** com.atproto.server.refreshSession: the refresh JWT is rotated (the old one stops working). */
  private refreshSession(request: RecordedRequest): Reply {
    const token = String(request.headers.authorization).replace(/^Bearer /, '');
    if (!this.refreshTokens.delete(token)) return { status: 400, body: { error: 'ExpiredToken', message: 'Token has expired' } };
    this.refreshes++;
    return { status: 200, body: { ...this.issue(), handle: this.brand.handle, did: this.brand.did, active: true } };
  }

  /** Every session ends (a PDS restart, a revoked app password): stored tokens must log in again. */
  revokeSessions(): void {
    this.access.clear();
    this.refreshTokens.clear();
  }

  private authed(request: RecordedRequest, handler: () => Reply): Reply {
    const token = String(request.headers.authorization).replace(/^Bearer /, '');
    const uses = this.access.get(token);
    if (uses === undefined) return { status: 401, body: { error: 'AuthenticationRequired', message: 'Authentication Required' } };
    if (uses >= this.accessUses) return { status: 400, body: { error: 'ExpiredToken', message: 'Token has expired' } };
    this.access.set(token, uses + 1);
    if (this.rateLimit.remaining <= 0) return { status: 429, headers: this.headers(), body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' } };
    this.rateLimit.remaining--;
    return handler();
  }

  private static sortAt(post: FakePost): string {
    return post.record.createdAt < post.indexedAt ? post.record.createdAt : post.indexedAt;
  }

  private search(request: RecordedRequest): Reply {
    const q = request.query;
    const query = q.get('q') ?? '';
    if (!query) return { status: 400, body: { error: 'InvalidRequest', message: 'Error: Params must have the property "q"' } };
    const limit = Number(q.get('limit') ?? '25');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) return { status: 400, body: { error: 'InvalidRequest', message: 'limit must be between 1 and 100' } };
    const terms = (query.match(/"[^"]+"|\S+/g) ?? []).map((t) => t.replace(/"/g, '').toLowerCase());
    const since = q.get('since');
    const offset = q.get('cursor') ? Number(q.get('cursor')) : 0;
    const matching = this.posts
      .filter((p) => terms.every((t) => p.record.text.toLowerCase().includes(t)) && (!since || FakeBluesky.sortAt(p) >= since))
      .sort((a, b) => (FakeBluesky.sortAt(b) > FakeBluesky.sortAt(a) ? 1 : FakeBluesky.sortAt(b) < FakeBluesky.sortAt(a) ? -1 : 0));
    const page = matching.slice(offset, offset + limit);
    const more = offset + limit < matching.length;
    return { status: 200, headers: this.headers(), body: { posts: page, ...(more ? { cursor: String(offset + limit) } : {}), hitsTotal: matching.length } };
  }

  private authorFeed(request: RecordedRequest): Reply {
    const actor = request.query.get('actor');
    const limit = Number(request.query.get('limit') ?? '50');
    const offset = request.query.get('cursor') ? Number(request.query.get('cursor')) : 0;
    const own = this.posts.filter((p) => p.author.did === actor || p.author.handle === actor).reverse();
    const page = own.slice(offset, offset + limit);
    return { status: 200, headers: this.headers(), body: { feed: page.map((post) => ({ post })), ...(offset + limit < own.length ? { cursor: String(offset + limit) } : {}) } };
  }

  /** Follower count of an actor: derived from the handle so tests can predict it. */
  followersOf(actor: FakeActor): number {
    return actor.handle.length * 37;
  }

  private getProfiles(request: RecordedRequest): Reply {
    const actors = request.query.getAll('actors');
    if (actors.length > 25) return { status: 400, body: { error: 'InvalidRequest', message: 'Error: actors must not have more than 25 elements' } };
    const profiles = actors.flatMap((id) => {
      const actor = this.actors.get(id) ?? [...this.actors.values()].find((a) => a.handle === id);
      return actor ? [{ did: actor.did, handle: actor.handle, displayName: actor.displayName, followersCount: this.followersOf(actor), followsCount: 3, postsCount: 10, indexedAt: new Date().toISOString() }] : [];
    });
    return { status: 200, headers: this.headers(), body: { profiles } };
  }

  private getPosts(request: RecordedRequest): Reply {
    const uris = request.query.getAll('uris');
    return { status: 200, headers: this.headers(), body: { posts: this.posts.filter((p) => uris.includes(p.uri)) } };
  }

  private createRecord(request: RecordedRequest): Reply {
    const body = JSON.parse(request.body) as { repo: string; collection: string; record: FakePost['record'] };
    if (body.repo !== this.brand.did || body.collection !== 'app.bsky.feed.post') {
      return { status: 400, body: { error: 'InvalidRequest', message: 'repo or collection not allowed' } };
    }
    const graphemes = [...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(body.record.text)].length;
    if (graphemes > 300) return { status: 400, body: { error: 'InvalidRequest', message: 'Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes' } };
    const parent = body.record.reply ? this.posts.find((p) => p.uri === body.record.reply!.parent.uri) : undefined;
    const post = this.addPost(body.record.text, { author: this.brand.handle, ...(parent ? { replyTo: parent } : {}) });
    if (body.record.reply) post.record.reply = body.record.reply;
    return { status: 200, body: { uri: post.uri, cid: post.cid, validationStatus: 'valid' } };
  }
}
