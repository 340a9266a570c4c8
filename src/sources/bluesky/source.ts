import { AtpAgent, RichText, XRPCError } from '@atproto/api';
import type { BlueskySourceConfig, Keyword } from '../../config/schema.js';
import { graphemeLength } from '../graphemes.js';
import { ReplyRefused } from '../reply-refused.js';
import { currentDeadline, policyOf, requestWithPolicy, SourceFailure, type Failure, type RequestEnvironment } from '../request.js';
import { parsePayload, type PayloadSchema } from '../schema.js';
import type {
  DirectMessageChannel,
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
import { readSession, removeSession, writeSession, type StoredSession } from './session-file.js';
import { BLUESKY_DM_LIMIT, CHAT_SERVICE, convoForMembersOutput, convoUrl, getMessagesOutput, listConvosOutput, mapMessages, mapOwnMessages, messageView, textMessages } from './direct-messages.js';
import { authorFeedOutput, isOwn, mapPosts, ownReply, postsOutput, profilesOutput, searchOutput, sortAt, webUrl, type MapContext } from './payload.js';

const OWN_GROUP = 'own';
const DM_GROUP = 'dm';

/** Where the DM walk stands: `since` committed (every message sent up to it is stored); `run` a walk over the conversations partway. */
interface BlueskyDmCursor {
  since: string | null;
  run: { since: string; newest: string; done: string[] } | null;
}
/**
 * Re-read this much before the watermark: posts indexed a little late still get in (the store ignores
 * duplicates). Kept short so a quiet poll stays one request unless 100 posts came in 30 seconds.
 */
const OVERLAP = 30_000;

/**
 * `since` is committed: every post sorted at or after it up to the last completed run is stored.
 * `run` is an unfinished newest-first paging run (search cursor), resumable after a crash.
 */
interface BlueskyCursor {
  since: string | null;
  run: { cursor: string; since: string; newest: string | null } | null;
}

export interface BlueskySourceOptions {
  config: BlueskySourceConfig;
  keywords: readonly Keyword[];
  ownHandles: readonly string[];
  appPassword: string;
  now: () => number;
  /** Where the session is kept between polls (see session-file.ts); null keeps it in memory only. */
  sessionFile?: string | null;
}

/** Bluesky's search has no documented OR: one query per keyword; a phrase is quoted. */
export function searchQuery(keyword: Keyword): string {
  const term = keyword.term.trim().replace(/^"|"$/g, '');
  return /\s/.test(term) ? `"${term.replace(/"/g, '')}"` : term;
}

type Headers = Record<string, string | undefined>;
type Response<T> = { data: T; headers: Headers };

export class BlueskySource implements Source {
  readonly platform = 'bluesky';
  readonly name: string;
  readonly replies: ReplyChannel;
  readonly agent: AtpAgent;
  private login: Promise<void> | null = null;
  /** The session in use came from the file (not a login in this process): an auth refusal means log in again. */
  private resumed = false;
  /** createSession calls today, as kept in the session file (for doctor). */
  logins: { day: string; count: number } = { day: '', count: 0 };
  readonly now: () => number;

  /** The brand's chats are read and answered (`directMessages: true`). */
  get readsDirectMessages(): boolean {
    return this.options.config.directMessages;
  }

  constructor(private readonly options: BlueskySourceOptions) {
    this.name = options.config.name ?? 'bluesky';
    this.now = options.now;
    const timeout = options.config.timeout;
    this.agent = new AtpAgent({
      service: options.config.serviceUrl,
      // The poll's overall deadline for the attempt (and its stop signal), else the source's timeout.
      fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ?? currentDeadline() ?? AbortSignal.timeout(timeout) }),
      persistSession: (event, session) => this.persist(event, session),
    });
    this.replies = new BlueskyReplies(this);
  }

  groups(): QueryGroup[] {
    const groups: QueryGroup[] = [];
    for (const keyword of this.options.keywords) {
      const query = searchQuery(keyword);
      const existing = groups.find((g) => g.query === query);
      if (existing) existing.keywords.push(keyword);
      else groups.push({ key: `q-${query.toLowerCase()}`, query, keywords: [keyword] });
    }
    // After the searches, so the posts our replies answer are stored first.
    groups.push({ key: OWN_GROUP, query: `from:${this.options.config.identifier}`, keywords: [] });
    if (this.options.config.directMessages) groups.push({ key: DM_GROUP, query: '', keywords: [], channel: 'dm' });
    return groups;
  }

  /**
   * A session for this process: the one kept in the session file when there is one (no request at all),
   * else a login. createSession is limited to about 100 a day per account, so the agent refreshes the
   * kept session (com.atproto.server.refreshSession) when its access token expires, and `request` logs
   * in again only when that refresh fails.
   */
  session(env?: RequestEnvironment): Promise<void> {
    this.login ??= (async () => {
      const file = this.options.sessionFile;
      const saved = file ? readSession(file) : null;
      if (saved) {
        this.logins = saved.logins ?? this.logins;
        this.agent.sessionManager.session = { accessJwt: saved.accessJwt, refreshJwt: saved.refreshJwt, did: saved.did, handle: saved.handle, active: saved.active ?? true };
        this.resumed = true;
        return;
      }
      await this.createSession(env);
    })().catch((error: unknown) => {
      this.login = null;
      throw error;
    });
    return this.login;
  }

  private async createSession(env?: RequestEnvironment): Promise<void> {
    const call = () => this.agent.login({ identifier: this.options.config.identifier, password: this.options.appPassword });
    const day = new Date(this.now()).toISOString().slice(0, 10);
    this.logins = { day, count: (this.logins.day === day ? this.logins.count : 0) + 1 };
    if (env) await requestWithPolicy(call, classifyBlueskyError, policyOf(this.options.config), env);
    else await call();
    this.resumed = false;
  }

  /** The agent's session events: kept in the file on create/update, removed when it expires. */
  private persist(event: string, session: { accessJwt: string; refreshJwt: string; did: string; handle: string; active?: boolean } | undefined): void {
    const file = this.options.sessionFile;
    if (!file) return;
    if ((event === 'create' || event === 'update') && session) {
      const kept: StoredSession = { accessJwt: session.accessJwt, refreshJwt: session.refreshJwt, did: session.did, handle: session.handle, active: session.active ?? true, logins: this.logins };
      writeSession(file, kept);
    } else if (event === 'expired' || event === 'create-failed') {
      removeSession(file);
    }
  }


  mapContext(keywords: readonly Keyword[]): MapContext {
    return {
      keywords,
      ownHandles: [this.options.config.identifier, ...this.options.ownHandles].map((h) => h.replace(/^@/, '').toLowerCase()),
      ownDid: this.agent.session?.did ?? null,
    };
  }

  midRun(cursor: CursorState): boolean {
    return (cursor as Partial<BlueskyCursor> | Partial<BlueskyDmCursor>).run != null;
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    await this.session(env);
    // The session ended under an earlier group (its refresh failed): log in again before this one.
    if (!this.agent.hasSession) {
      this.login = null;
      await this.session(env);
    }
    if (group.channel === 'dm') return yield* this.dmPages(saved, env);
    yield* group.key === OWN_GROUP ? this.ownPages(saved, env) : this.searchPages(group, saved, env);
  }

  private chatAgent: ReturnType<AtpAgent['withProxy']> | null = null;

  /** The agent for `chat.bsky.*`: the same session, every request carrying the chat proxy header. */
  chat(): ReturnType<AtpAgent['withProxy']> {
    this.chatAgent ??= this.agent.withProxy(CHAT_SERVICE.type, CHAT_SERVICE.did);
    return this.chatAgent;
  }

  /**
   * The brand's chats: one `listConvos` (the 100 conversations with the newest messages), then `getMessages`
   * for each whose last message is newer than the committed `since` — one page per conversation, so an
   * interrupted walk resumes with the conversations it had not reached. A quiet poll is the one listConvos.
   */
  private async *dmPages(saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const cursor: BlueskyDmCursor = { since: null, run: null, ...((saved as Partial<BlueskyDmCursor> | null) ?? {}) };
    const since = cursor.run?.since ?? cursor.since ?? new Date(env.now() - this.options.config.backfill).toISOString();
    const chat = this.chat();
    const me = this.agent.session!.did;
    const list: Response<unknown> = await this.request(() => chat.chat.bsky.convo.listConvos({ limit: 100 }), env).catch((error: unknown) => {
      // The chat service refuses an app password created without access to direct messages.
      if (error instanceof SourceFailure && /InvalidToken|Bad token/.test(error.message)) {
        throw new SourceFailure(`Bluesky's chat service refused the app password (${error.message}); create one with "Allow access to your direct messages" (Settings → Privacy and security → App passwords), or set directMessages: false`);
      }
      throw error;
    });
    let rateLimit = rateLimitOf(list.headers);
    const done = new Set(cursor.run?.done ?? []);
    const due = parse(listConvosOutput, list.data, 'listConvos').convos.filter((c) => c.lastMessage?.sentAt !== undefined && c.lastMessage.sentAt > since && !done.has(c.id));
    let newest = cursor.run?.newest ?? since;
    if (due.length === 0) {
      yield { mentions: [], ownReplies: [], cursor: { since: newest, run: null } as unknown as CursorState, postsRead: 0, ...(rateLimit ? { rateLimit } : {}) };
      return;
    }
    for (const [i, convo] of due.entries()) {
      const limit = await env.allowance(100);
      const response: Response<unknown> = await this.request(() => chat.chat.bsky.convo.getMessages({ convoId: convo.id, limit }), env);
      rateLimit = rateLimitOf(response.headers) ?? rateLimit;
      const messages = textMessages(parse(getMessagesOutput, response.data, 'getMessages'));
      for (const m of messages) if (m.sentAt > newest) newest = m.sentAt;
      done.add(convo.id);
      const last = i === due.length - 1;
      const next: BlueskyDmCursor = last ? { since: newest, run: null } : { since: cursor.since, run: { since, newest, done: [...done] } };
      yield { mentions: mapMessages(convo, messages, me, since), ownReplies: mapOwnMessages(messages, me, since), cursor: next as unknown as CursorState, postsRead: messages.length, ...(rateLimit ? { rateLimit } : {}) };
    }
  }

  private async *searchPages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const { config } = this.options;
    const cursor: BlueskyCursor = { since: null, run: null, ...((saved as Partial<BlueskyCursor> | null) ?? {}) };
    const since = cursor.run?.since ?? new Date(cursor.since ? Date.parse(cursor.since) - OVERLAP : env.now() - config.backfill).toISOString();
    let page = cursor.run?.cursor ?? null;
    let newest = cursor.run?.newest ?? null;
    // Only posts past the committed watermark are new: re-read ones keep the followers stored with them.
    const committed = cursor.since ? Date.parse(cursor.since) : Number.NEGATIVE_INFINITY;

    for (;;) {
      const limit = await env.allowance(config.pageSize);
      const response: Response<unknown> = await this.request(
        () => this.agent.app.bsky.feed.searchPosts({ q: group.query, sort: 'latest', since, limit, ...(page ? { cursor: page } : {}) }),
        env,
      );
      const rateLimit = rateLimitOf(response.headers);
      const result = parse(searchOutput, response.data, 'search');
      for (const post of result.posts) {
        const at = new Date(sortAt(post)).toISOString();
        if (newest === null || at > newest) newest = at;
      }
      page = result.posts.length > 0 ? (result.cursor ?? null) : null;
      const next: BlueskyCursor = page ? { since: cursor.since, run: { cursor: page, since, newest } } : { since: newest ?? cursor.since, run: null };
      const mapped = mapPosts(result.posts, this.mapContext(group.keywords));
      const fresh = new Set(result.posts.filter((p) => sortAt(p) > committed).map((p) => p.uri));
      if (config.followerCounts) await this.addFollowers(mapped.mentions.filter((m) => fresh.has(m.externalId)), env);
      yield { ...mapped, cursor: next as unknown as CursorState, postsRead: result.posts.length, ...(rateLimit ? { rateLimit } : {}) };
      if (!page) return;
    }
  }

  /** `doctor`: log in with the app password, then one search of one post. */
  async check(signal?: AbortSignal): Promise<SourceCheck[]> {
    try {
      await this.session();
    } catch (error) {
      return [{ name: 'app password accepted', status: 'fail', detail: classifyBlueskyError(error).message, fix: 'create an app password (Settings → Privacy and security → App passwords) and export it' }];
    }
    const checks: SourceCheck[] = [{ name: 'app password accepted', status: 'ok', detail: `logged in as @${this.agent.session!.handle}` }];
    const query = this.groups()[0]!.query;
    try {
      const response = await this.agent.app.bsky.feed.searchPosts({ q: query, sort: 'latest', limit: 1 }, signal ? { signal } : {});
      const rateLimit = rateLimitOf(response.headers);
      checks.push({ name: 'search reachable', status: 'ok', detail: `${this.options.config.serviceUrl} answered a search for ${query}`, ...(rateLimit ? { rateLimit } : {}) });
    } catch (error) {
      checks.push({ name: 'search reachable', status: 'fail', detail: classifyBlueskyError(error).message, fix: 'check serviceUrl' });
    }
    return checks;
  }

  /** Follower counts of the mentions' authors, 25 a request; without them the mentions are stored all the same. */
  private async addFollowers(mentions: NewMention[], env: RequestEnvironment): Promise<void> {
    const dids = [...new Set(mentions.map((m) => m.authorId!))];
    const followers = new Map<string, number>();
    try {
      for (let i = 0; i < dids.length; i += 25) {
        const response: Response<unknown> = await this.request(() => this.agent.app.bsky.actor.getProfiles({ actors: dids.slice(i, i + 25) }), env);
        for (const profile of parse(profilesOutput, response.data, 'profiles').profiles) {
          if (profile.followersCount !== undefined) followers.set(profile.did, profile.followersCount);
        }
      }
    } catch (error) {
      env.verbose(`follower counts unavailable (${error instanceof Error ? error.message : String(error)}); storing without them`);
    }
    for (const mention of mentions) mention.authorFollowers = followers.get(mention.authorId!) ?? null;
  }

  /**
   * Handles, names and follower counts of authors known only by DID (Jetstream's events carry no handle),
   * 25 a request; what cannot be looked up is left out and the DID stands in.
   */
  async authors(dids: readonly string[], env: RequestEnvironment): Promise<Map<string, { handle: string; displayName: string | null; followers: number | null }>> {
    const found = new Map<string, { handle: string; displayName: string | null; followers: number | null }>();
    const unique = [...new Set(dids)];
    try {
      await this.session(env);
      for (let i = 0; i < unique.length; i += 25) {
        const response: Response<unknown> = await this.request(() => this.agent.app.bsky.actor.getProfiles({ actors: unique.slice(i, i + 25) }), env);
        for (const profile of parse(profilesOutput, response.data, 'profiles').profiles) {
          const p = profile as { did: string; handle?: unknown; displayName?: unknown; followersCount?: number };
          if (typeof p.handle !== 'string') continue;
          found.set(p.did, { handle: p.handle, displayName: typeof p.displayName === 'string' && p.displayName ? p.displayName : null, followers: this.options.config.followerCounts ? (p.followersCount ?? null) : null });
        }
      }
    } catch (error) {
      env.verbose(`author lookup unavailable (${error instanceof Error ? error.message : String(error)}); storing with DIDs`);
    }
    return found;
  }

  /** The brand account's own posts, newest first, down to the last one seen: replies made in the app become native responses. */
  private async *ownPages(saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const watermark = (saved as { until?: number } | null)?.until ?? env.now() - this.options.config.backfill;
    let rateLimit: RateLimitState | undefined;
    let page: string | null = null;
    let newest = watermark;
    const replies: OwnReply[] = [];
    for (let pages = 0; pages < 10; pages++) {
      const response: Response<unknown> = await this.request(
        () => this.agent.app.bsky.feed.getAuthorFeed({ actor: this.agent.session!.did, filter: 'posts_with_replies', limit: 50, ...(page ? { cursor: page } : {}) }),
        env,
      );
      rateLimit = rateLimitOf(response.headers) ?? rateLimit;
      const feed = parse(authorFeedOutput, response.data, 'author feed');
      const posts = feed.feed.filter((item) => !item.reason && isOwn(item.post, this.mapContext([]))).map((item) => item.post);
      const fresh = posts.filter((p) => sortAt(p) >= watermark);
      for (const post of fresh) {
        newest = Math.max(newest, sortAt(post));
        const reply = ownReply(post);
        if (reply) replies.push(reply);
      }
      page = feed.cursor ?? null;
      if (!page || fresh.length < feed.feed.length || feed.feed.length === 0) break;
    }
    // One page for the whole walk: the watermark may move only once every reply above it is read.
    yield { mentions: [], ownReplies: replies, cursor: { until: newest } as CursorState, postsRead: 0, ...(rateLimit ? { rateLimit } : {}) };
  }

  async request<T>(call: () => Promise<T>, env: RequestEnvironment): Promise<T> {
    try {
      return await requestWithPolicy(call, classifyBlueskyError, policyOf(this.options.config), env);
    } catch (error) {
      if (!this.resumed || !(error instanceof SourceFailure) || !/ExpiredToken|InvalidToken|AuthenticationRequired|\(401/.test(error.message)) throw error;
      env.verbose('the kept Bluesky session was refused and could not be refreshed; logging in again');
      if (this.options.sessionFile) removeSession(this.options.sessionFile);
      await this.createSession(env);
      return requestWithPolicy(call, classifyBlueskyError, policyOf(this.options.config), env);
    }
  }
}

function parse<T>(schema: PayloadSchema<T>, data: unknown, what: string): T {
  return parsePayload(schema, data, what, 'Bluesky');
}

/** Bluesky's RateLimit-* headers; the reset is epoch seconds. */
export function rateLimitOf(headers: Headers | undefined): RateLimitState | undefined {
  const limit = headers?.['ratelimit-limit'];
  if (!headers || limit === undefined) return undefined;
  const remaining = headers['ratelimit-remaining'];
  const reset = Number(headers['ratelimit-reset']);
  return {
    limit: Number.isFinite(Number(limit)) ? Number(limit) : null,
    remaining: remaining !== undefined && Number.isFinite(Number(remaining)) ? Number(remaining) : null,
    resetAt: Number.isFinite(reset) && reset > 0 ? reset * 1000 : null,
  };
}

/** The client's lexicon check failed (XRPCInvalidResponseError, not exported by @atproto/api): the validation message. */
function invalidResponse(error: unknown): string | null {
  if (!(error instanceof XRPCError) || !('validationError' in error)) return null;
  const validation = (error as { validationError?: { message?: unknown } }).validationError;
  return typeof validation?.message === 'string' ? validation.message.slice(0, 200) : 'invalid payload';
}

function httpStatus(error: XRPCError): number {
  return typeof error.status === 'number' ? error.status : 0;
}

/** Sort the XRPC client's errors into retry, wait-for-reset, or give up; messages never carry the app password or tokens. */
export function classifyBlueskyError(error: unknown): Failure {
  const invalid = invalidResponse(error);
  if (invalid !== null) return { kind: 'fatal', message: `unexpected response from Bluesky (${invalid})` };
  if (error instanceof XRPCError) {
    const status = httpStatus(error);
    const detail = [error.error, error.message].filter((p, i, all) => p && all.indexOf(p) === i).join(': ').slice(0, 300);
    if (status === 429) {
      return { kind: 'rate_limited', message: 'Bluesky rate limit reached', rateLimit: rateLimitOf(error.headers) ?? { limit: null, remaining: 0, resetAt: null } };
    }
    if (status === 2) return { kind: 'transient', message: 'Bluesky sent a malformed response' };
    if (status === 1) return { kind: 'transient', message: `cannot reach Bluesky (${(error.cause as Error | undefined)?.message ?? error.message})` };
    if (status >= 500) return { kind: 'transient', message: `Bluesky answered ${status}${detail ? ` (${detail})` : ''}` };
    if (status === 401 || status === 403) {
      return { kind: 'fatal', message: `Bluesky refused the login or request (${status}${detail ? `: ${detail}` : ''}); check identifier and the app password's variable` };
    }
    return { kind: 'fatal', message: `Bluesky answered ${status}${detail ? `: ${detail}` : ''}` };
  }
  if (error instanceof TypeError) return { kind: 'transient', message: `cannot reach Bluesky (${(error.cause as Error | undefined)?.message ?? error.message})` };
  return { kind: 'fatal', message: error instanceof Error ? error.message : String(error) };
}

class BlueskyReplies implements ReplyChannel {
  readonly directMessages?: DirectMessageChannel;

  constructor(private readonly source: BlueskySource) {
    if (source.readsDirectMessages) this.directMessages = new BlueskyDirectMessages(source);
  }

  measure(text: string) {
    return { length: graphemeLength(text), limit: 300 };
  }

  ability(): ReplyAbility {
    return { ok: true };
  }

  /** Bluesky has no reply intent link: the post itself, where the person can reply. */
  webReplyUrl(target: ReplyTarget): string | null {
    return target.url;
  }

  async reply(target: ReplyTarget, text: string): Promise<SentReply> {
    const length = graphemeLength(text);
    if (length > 300) throw new ReplyRefused(`the reply is ${length} graphemes; Bluesky allows 300`);
    try {
      await this.source.session();
      const { agent } = this.source;
      const found = parse(postsOutput, (await agent.getPosts({ uris: [target.externalId] })).data, 'post');
      const parent = found.posts[0];
      if (!parent) throw new ReplyRefused('the post no longer exists on Bluesky (deleted or hidden)');
      // A reply's root is the thread's first post: the parent's own root when the parent is itself a reply.
      const root = parent.record.reply?.root ?? { uri: parent.uri, cid: parent.cid };
      const rich = new RichText({ text });
      rich.detectFacetsWithoutResolution();
      const created = await agent.post({
        text: rich.text,
        ...(rich.facets && rich.facets.length > 0 ? { facets: rich.facets } : {}),
        reply: { root, parent: { uri: parent.uri, cid: parent.cid } },
        createdAt: new Date(this.source.now()).toISOString(),
      });
      return { externalId: created.uri, sentAt: this.source.now(), url: webUrl({ uri: created.uri, author: { did: agent.session!.did, handle: agent.session!.handle } }) };
    } catch (error) {
      throw refusalOf(error);
    }
  }

  async findReply(target: ReplyTarget, text: string): Promise<SentReply | null> {
    try {
      await this.source.session();
      const { agent } = this.source;
      const feed = parse(authorFeedOutput, (await agent.getAuthorFeed({ actor: agent.session!.did, filter: 'posts_with_replies', limit: 50 })).data, 'author feed');
      const wanted = text.replace(/\s+/g, ' ').trim();
      const found = feed.feed
        .map((item) => item.post)
        .find((p) => p.author.did === agent.session!.did && p.record.reply?.parent.uri === target.externalId && p.record.text.replace(/\s+/g, ' ').trim() === wanted);
      return found ? { externalId: found.uri, sentAt: Date.parse(found.record.createdAt), url: webUrl(found) } : null;
    } catch (error) {
      if (error instanceof SourceFailure) throw error;
      throw refusalOf(error);
    }
  }
}

/** A definite answer from Bluesky becomes a ReplyRefused; timeouts and 5xx stay unknown outcomes. */
function refusalOf(error: unknown): unknown {
  if (!(error instanceof XRPCError) || invalidResponse(error) !== null) return error;
  const status = httpStatus(error);
  if (status < 400 || status >= 500) return error;
  if (status === 429) return new ReplyRefused('Bluesky rate limit reached; try again later', true);
  const detail = [error.error, error.message].filter((p, i, all) => p && all.indexOf(p) === i).join(': ').slice(0, 300);
  return new ReplyRefused(`Bluesky refused the reply (${status}${detail ? `: ${detail}` : ''})`);
}

/**
 * Answers by DM on Bluesky: the conversation with the customer (`getConvoForMembers`, unless the item's DM
 * named it), then `sendMessage`. After an unknown outcome our message is looked for among the conversation's
 * newest messages (`getMessages`) before anything is sent again.
 */
class BlueskyDirectMessages implements DirectMessageChannel {
  constructor(private readonly source: BlueskySource) {}

  measure(text: string) {
    return { length: graphemeLength(text), limit: BLUESKY_DM_LIMIT };
  }

  ability(target: ReplyTarget): ReplyAbility {
    return target.authorId || target.dmConversationId ? { ok: true } : { ok: false, reason: `the Bluesky account (DID) of @${target.authorHandle} is not known, so no DM can be addressed`, webUrl: null };
  }

  private async convoOf(target: ReplyTarget): Promise<string> {
    if (target.dmConversationId) return target.dmConversationId;
    const response = await this.source.chat().chat.bsky.convo.getConvoForMembers({ members: [target.authorId!] });
    return parse(convoForMembersOutput, response.data, 'getConvoForMembers').convo.id;
  }

  async send(target: ReplyTarget, text: string): Promise<SentReply> {
    const length = graphemeLength(text);
    if (length > BLUESKY_DM_LIMIT) throw new ReplyRefused(`the message is ${length} graphemes; Bluesky allows ${BLUESKY_DM_LIMIT} in a DM`);
    try {
      await this.source.session();
      const convoId = await this.convoOf(target);
      const sent = parse(messageView, (await this.source.chat().chat.bsky.convo.sendMessage({ convoId, message: { text } })).data, 'sendMessage');
      return { externalId: sent.id, sentAt: Date.parse(sent.sentAt), url: convoUrl(convoId) };
    } catch (error) {
      throw refusalOf(error);
    }
  }

  async findMessage(target: ReplyTarget, text: string): Promise<SentReply | null> {
    try {
      await this.source.session();
      const convoId = await this.convoOf(target);
      const page = parse(getMessagesOutput, (await this.source.chat().chat.bsky.convo.getMessages({ convoId, limit: 50 })).data, 'getMessages');
      const me = this.source.agent.session!.did;
      const wanted = text.replace(/\s+/g, ' ').trim();
      const found = textMessages(page).find((m) => m.sender.did === me && m.text.replace(/\s+/g, ' ').trim() === wanted);
      return found ? { externalId: found.id, sentAt: Date.parse(found.sentAt), url: convoUrl(convoId) } : null;
    } catch (error) {
      if (error instanceof SourceFailure) throw error;
      throw refusalOf(error);
    }
  }
}
