import { createRestAPIClient, MastoDeserializeError, MastoHttpError, MastoTimeoutError, type mastodon } from 'masto';
import type { Keyword, MastodonSourceConfig } from '../../config/schema.js';
import { htmlToText } from '../html.js';
import { ReplyRefused } from '../reply-refused.js';
import { httpRequest } from '../http.js';
import { policyOf, requestWithPolicy, SourceFailure, type Failure, type RequestEnvironment } from '../request.js';
import { parsePayload, type PayloadSchema } from '../schema.js';
import type {
  DirectMessageChannel,
  CursorState,
  FetchedPage,
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
import { conversationList, fullAcct, isOwn, lookedUpAccount, mapStatuses, notificationList, ownReply, status, statusList, type Status } from './payload.js';

/** Mastodon's page size ceiling for timelines. */
const PAGE = 40;
const OWN_GROUP = 'own';
const MENTIONS_GROUP = 'mentions';

/**
 * `minId`: everything newer is still to fetch, everything up to it is stored (pages go forward with
 * `min_id`, so each page commits). `backfill`: the first poll's walk back from the newest post with
 * `max_id`, resumable; when it ends, `minId` becomes the newest post it saw.
 */
interface MastodonCursor {
  minId: string | null;
  backfill: { maxId: string; newestId: string } | null;
  /** The brand account's id on this instance (own-posts group). */
  accountId?: string;
}

export interface MastodonSourceOptions {
  config: MastodonSourceConfig;
  keywords: readonly Keyword[];
  /** The brand's handles on Mastodon (`user` on this instance or `user@host`). */
  ownHandles: readonly string[];
  accessToken: string | null;
}

/** A keyword as a hashtag: `Acme Corp` → `acmecorp`; `@handles` have none. */
export function hashtagOf(term: string): string | null {
  if (term.trim().startsWith('@')) return null;
  const tag = term.replace(/[^\p{L}\p{N}_]/gu, '').toLowerCase();
  return tag.length > 0 ? tag : null;
}

type Client = mastodon.rest.Client;
type RawPage = { headers: Headers; data: unknown };

export class MastodonSource implements Source {
  readonly platform = 'mastodon';
  readonly name: string;
  readonly replies: ReplyChannel;
  private readonly client: Client;
  private readonly host: string;
  private readonly own: string[];
  /** The first own handle as configured: account lookup takes it as is (an instance's account domain may differ from its web host). */
  private readonly lookupAcct: string | null;

  constructor(private readonly options: MastodonSourceOptions) {
    this.name = options.config.name ?? 'mastodon';
    this.host = new URL(options.config.instanceUrl).host;
    this.own = options.ownHandles.map((h) => fullAcct(h, this.host));
    this.lookupAcct = options.ownHandles[0]?.replace(/^@/, '') ?? null;
    this.client = createRestAPIClient({
      url: options.config.instanceUrl,
      ...(options.accessToken ? { accessToken: options.accessToken } : {}),
      timeout: options.config.timeout,
    });
    this.replies = new MastodonReplies(this.client, options, this.host, this.lookupAcct);
  }

  /** Direct messages come with the mention notifications (no request of their own): `directMessages: true` and a token. */
  get readsDirectMessages(): boolean {
    return this.options.config.directMessages && this.options.accessToken !== null;
  }

  groups(): QueryGroup[] {
    const byTag = new Map<string, Keyword>();
    for (const keyword of this.options.keywords) {
      const tag = hashtagOf(keyword.term);
      if (tag && !byTag.has(tag)) byTag.set(tag, keyword);
    }
    const tags = [...byTag.keys()];
    const groups: QueryGroup[] = [];
    for (let i = 0; i < tags.length; i += this.options.config.tagsPerQuery) {
      const chunk = tags.slice(i, i + this.options.config.tagsPerQuery);
      groups.push({ key: `tags-${chunk.join('+')}`, query: chunk.map((t) => `#${t}`).join(' '), keywords: chunk.map((t) => byTag.get(t)!) });
    }
    // With a token, posts that name the brand's account arrive as notifications, hashtag or not.
    if (this.options.accessToken) {
      groups.push({ key: MENTIONS_GROUP, query: '@me', keywords: [...this.options.keywords] });
    }
    // After the other groups, so the mentions our replies answer are stored first.
    if (this.own.length > 0) groups.push({ key: OWN_GROUP, query: `@${this.own[0]}`, keywords: [] });
    return groups;
  }

  midRun(cursor: CursorState): boolean {
    return (cursor as Partial<MastodonCursor>).backfill != null;
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    const cursor: MastodonCursor = { minId: null, backfill: null, ...((saved as Partial<MastodonCursor> | null) ?? {}) };
    const tags = group.key === OWN_GROUP || group.key === MENTIONS_GROUP ? [] : group.query.split(' ').map((t) => t.slice(1));
    let accountId = cursor.accountId;
    let lookupRateLimit: RateLimitState | undefined;

    if (group.key === OWN_GROUP && !accountId) {
      const { data, headers } = await this.request(() => this.client.v1.accounts.lookup.$raw({ acct: this.lookupAcct! }), env);
      lookupRateLimit = rateLimitOf(headers);
      accountId = parse(lookedUpAccount, data, 'account lookup').id;
    }
    const fetchPage = async (params: { minId?: string; maxId?: string; limit: number }): Promise<{ headers: Headers; entries: Entry[] }> => {
      if (group.key === MENTIONS_GROUP) {
        const { headers, data } = await this.request(async () => await this.client.v1.notifications.list.$raw({ ...params, types: ['mention'] }), env);
        const entries = parse(notificationList, data, 'notifications').map((n) => ({ id: n.id, createdAt: n.createdAt, status: n.status ?? null }));
        return { headers, entries };
      }
      const { headers, data } =
        group.key === OWN_GROUP
          ? await this.request(async () => await this.client.v1.accounts.$select(accountId!).statuses.list.$raw({ ...params, excludeReblogs: true }), env)
          : await this.request(
              async () =>
                await this.client.v1.timelines.tag.$select(tags[0]!).list.$raw({
                  ...params,
                  ...(tags.length > 1 ? { any: tags.slice(1) } : {}),
                  ...(this.options.config.localOnly ? { local: true } : {}),
                }),
              env,
            ).catch((error: unknown) => {
              // Mastodon 4.5 lets an instance show hashtag timelines to logged-in users only.
              if (!this.options.accessToken && error instanceof SourceFailure && /\(401/.test(error.message)) {
                throw new SourceFailure(
                  `${this.host} shows hashtag timelines to logged-in users only (timelines_access.hashtag_feeds: authenticated); set accessTokenEnv to a token with read:statuses`,
                );
              }
              throw error;
            });
      return { headers, entries: parse(statusList, data, 'timeline').map((status) => ({ id: status.id, createdAt: status.createdAt, status })) };
    };
    const keywordByTag = new Map(tags.map((t, i) => [t, group.keywords[i]!]));
    const page = (entries: Entry[], next: MastodonCursor, headers: Headers): FetchedPage => {
      const statuses = entries.flatMap((e) => (e.status ? [e.status] : []));
      const found =
        group.key === OWN_GROUP
          ? { mentions: [], ownReplies: statuses.filter((s) => s.inReplyToId && isOwn(s, this.ctx())).map((s) => ownReply(s)) }
          : mapStatuses(statuses, { ...this.ctx(), tags: keywordByTag, keywords: group.keywords, directMessages: group.key === MENTIONS_GROUP && this.readsDirectMessages });
      const rateLimit = rateLimitOf(headers) ?? lookupRateLimit;
      return {
        ...found,
        cursor: { ...next, ...(accountId ? { accountId } : {}) } as unknown as CursorState,
        postsRead: entries.length,
        ...(rateLimit ? { rateLimit } : {}),
      };
    };
    const oldestWanted = env.now() - this.options.config.backfill;

    for (;;) {
      const limit = await env.allowance(PAGE);
      if (cursor.minId === null) {
        // First poll: walk back from the newest post to the backfill horizon.
        const { headers, entries } = await fetchPage({ limit, ...(cursor.backfill ? { maxId: cursor.backfill.maxId } : {}) });
        const wanted = entries.filter((e) => Date.parse(e.createdAt) >= oldestWanted);
        const newestId = cursor.backfill?.newestId ?? maxId(entries);
        const oldest = entries.reduce<string | null>((min, e) => (min === null || compareIds(e.id, min) < 0 ? e.id : min), null);
        const more = entries.length === limit && wanted.length === entries.length && oldest !== null;
        const next: MastodonCursor = more
          ? { minId: null, backfill: { maxId: oldest!, newestId: newestId! } }
          : { minId: newestId, backfill: null };
        yield page(wanted, next, headers);
        Object.assign(cursor, next);
        if (!more) return;
        continue;
      }

      const { headers, entries } = await fetchPage({ minId: cursor.minId, limit });
      const next: MastodonCursor = { minId: maxId(entries) ?? cursor.minId, backfill: null };
      yield page(entries, next, headers);
      Object.assign(cursor, next);
      if (entries.length < limit) return;
    }
  }

  /**
   * `doctor`: who may read the instance's hashtag timelines (Mastodon 4.5's
   * `configuration.timelines_access.hashtag_feeds` in GET /api/v2/instance), and whether the token is used.
   */
  private async timelinesAccess(): Promise<SourceCheck> {
    const instance = this.options.config.instanceUrl.replace(/\/$/, '');
    try {
      const response = await httpRequest(`${instance}/api/v2/instance`, { timeout: this.options.config.timeout });
      const body = JSON.parse(response.text) as { configuration?: { timelines_access?: { hashtag_feeds?: { local?: string; remote?: string } } } };
      const feeds = body.configuration?.timelines_access?.hashtag_feeds;
      if (!feeds) return { name: 'hashtag timelines', status: 'ok', detail: 'the instance does not restrict them (no timelines_access: Mastodon before 4.5); read without a token' };
      const levels = [feeds.local ?? 'public', feeds.remote ?? 'public'];
      const detail = `timelines_access.hashtag_feeds: local ${levels[0]}, remote ${levels[1]}`;
      if (levels.includes('disabled')) {
        return { name: 'hashtag timelines', status: levels.every((l) => l === 'disabled') ? 'fail' : 'warn', detail: `${detail}: the instance does not serve ${levels.every((l) => l === 'disabled') ? 'them' : 'some of them'}`, fix: 'watch the brand from another instance (instanceUrl)' };
      }
      if (levels.includes('authenticated')) {
        return this.options.accessToken
          ? { name: 'hashtag timelines', status: 'ok', detail: `${detail}: logged-in users only, so polls send the access token` }
          : { name: 'hashtag timelines', status: 'fail', detail: `${detail}: logged-in users only, and there is no token`, fix: 'set accessTokenEnv to a token with read:statuses (Preferences → Development)' };
      }
      return { name: 'hashtag timelines', status: 'ok', detail: `${detail}: readable without a token${this.options.accessToken ? ' (the token is sent all the same)' : ''}` };
    } catch (error) {
      return { name: 'hashtag timelines', status: 'warn', detail: `could not read GET /api/v2/instance (${error instanceof Error ? error.message : String(error)})` };
    }
  }

  /** `doctor`: who may read hashtag timelines, one hashtag page of one post, and the token's account when there is a token. */
  async check(signal?: AbortSignal): Promise<SourceCheck[]> {
    const checks: SourceCheck[] = [await this.timelinesAccess()];
    const instance = this.options.config.instanceUrl;
    const tag = this.groups().find((g) => g.key !== OWN_GROUP && g.key !== MENTIONS_GROUP)?.query.split(' ')[0]?.slice(1);
    if (!tag) {
      checks.push({ name: 'keywords', status: 'warn', detail: 'no keyword makes a hashtag (only @handles): nothing to read on Mastodon', fix: 'add a keyword such as your brand name' });
    } else {
      try {
        const { headers } = await this.client.v1.timelines.tag.$select(tag).list.$raw({ limit: 1 });
        const rateLimit = rateLimitOf(headers);
        checks.push({ name: 'endpoint reachable', status: 'ok', detail: `${instance} answered the #${tag} timeline`, ...(rateLimit ? { rateLimit } : {}) });
      } catch (error) {
        checks.push({ name: 'endpoint reachable', status: 'fail', detail: classifyMastodonError(error).message, fix: 'check instanceUrl (and accessTokenEnv if the instance hides its timelines)' });
      }
    }
    if (signal?.aborted) return checks;
    if (!this.options.accessToken) {
      checks.push({ name: 'token accepted', status: 'warn', detail: 'no accessTokenEnv: reading works, replies open the web instead', fix: 'add a token with write:statuses to reply from brandwatch' });
      return checks;
    }
    try {
      const me = parse(lookedUpAccount, await this.client.v1.accounts.verifyCredentials(), 'account');
      const acct = fullAcct(me.acct, this.host);
      const own = this.own.length === 0 || this.own.includes(acct);
      checks.push(
        own
          ? { name: 'token accepted', status: 'ok', detail: `the token belongs to @${acct}` }
          : { name: 'token accepted', status: 'warn', detail: `the token belongs to @${acct}, not to ownAccounts.mastodon`, fix: "use a token of the brand's account, so replies come from it" },
      );
    } catch (error) {
      checks.push({ name: 'token accepted', status: 'fail', detail: error instanceof SourceFailure ? error.message : classifyMastodonError(error).message, fix: 'create a new access token (Preferences → Development) and export it' });
    }
    return checks;
  }

  /** The hashtags the poll reads (lower case, no `#`), each with the keyword it stands for: the streams follow the same. */
  hashtags(): Map<string, Keyword> {
    const byTag = new Map<string, Keyword>();
    for (const group of this.groups()) {
      if (group.key === OWN_GROUP || group.key === MENTIONS_GROUP) continue;
      group.query.split(' ').forEach((t, i) => byTag.set(t.slice(1), group.keywords[i]!));
    }
    return byTag;
  }

  /**
   * Streamed statuses as a page, mapped exactly as a polled one: a hashtag stream's under its tag's keyword,
   * the notification stream's (mentions of the account, `tag` null) under every keyword.
   */
  streamedPage(statuses: readonly Status[], tag: string | null): FetchedPage {
    const tags = tag === null ? new Map<string, Keyword>() : new Map([...this.hashtags()].filter(([t]) => t === tag));
    const found = mapStatuses(statuses, { ...this.ctx(), tags, keywords: tag === null ? this.options.keywords : [...tags.values()] });
    return { ...found, cursor: {}, postsRead: statuses.length };
  }

  private ctx() {
    return { instanceHost: this.host, ownAccounts: this.own };
  }

  private request(call: () => Promise<RawPage>, env: RequestEnvironment): Promise<RawPage> {
    return requestWithPolicy(call, classifyMastodonError, policyOf(this.options.config), env);
  }
}

/** One item of a page: its paging id (a status's, or a notification's), its time, and the status it carries. */
interface Entry {
  id: string;
  createdAt: string;
  status: Status | null;
}

function maxId(entries: readonly Entry[]): string | null {
  return entries.reduce<string | null>((max, e) => (max === null || compareIds(e.id, max) > 0 ? e.id : max), null);
}

function parse<T>(schema: PayloadSchema<T>, data: unknown, what: string): T {
  return parsePayload(schema, data, what, 'Mastodon');
}

/** Compare two Mastodon ids (decimal strings, or same-length sortable strings on some servers): longer is newer. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Mastodon's rate-limit headers; its reset is an ISO 8601 time, not epoch seconds. */
export function rateLimitOf(headers: Headers | undefined): RateLimitState | undefined {
  const limit = headers?.get('x-ratelimit-limit');
  if (!headers || limit === null || limit === undefined) return undefined;
  const remaining = headers.get('x-ratelimit-remaining');
  const reset = headers.get('x-ratelimit-reset');
  const resetAt = reset ? Date.parse(reset) : Number.NaN;
  return {
    limit: Number.isFinite(Number(limit)) ? Number(limit) : null,
    remaining: remaining !== null && Number.isFinite(Number(remaining)) ? Number(remaining) : null,
    resetAt: Number.isNaN(resetAt) ? null : resetAt,
  };
}

function describe(error: MastoHttpError): string {
  return [error.message, error.description].filter((p) => typeof p === 'string' && p.length > 0).join(': ').slice(0, 300);
}

/** Sort masto's errors into retry, wait-for-reset, or give up; messages never carry tokens. */
export function classifyMastodonError(error: unknown): Failure {
  if (error instanceof MastoHttpError) {
    const headers = error.cause instanceof Response ? error.cause.headers : undefined;
    const detail = describe(error);
    if (error.statusCode === 429) {
      return { kind: 'rate_limited', message: 'Mastodon rate limit reached', rateLimit: rateLimitOf(headers) ?? { limit: null, remaining: 0, resetAt: null } };
    }
    if (error.statusCode >= 500) return { kind: 'transient', message: `Mastodon answered ${error.statusCode}${detail ? ` (${detail})` : ''}` };
    if (error.statusCode === 401 || error.statusCode === 403) {
      return { kind: 'fatal', message: `Mastodon refused the request (${error.statusCode}${detail ? `: ${detail}` : ''}); check the access token's variable, or whether the instance allows public hashtag timelines` };
    }
    if (error.statusCode === 404) return { kind: 'fatal', message: `Mastodon answered 404 (${detail || 'not found'}); check instanceUrl and the brand's account in ownAccounts.mastodon` };
    return { kind: 'fatal', message: `Mastodon answered ${error.statusCode}${detail ? `: ${detail}` : ''}` };
  }
  if (error instanceof MastoDeserializeError) return { kind: 'transient', message: 'Mastodon sent a malformed response' };
  if (error instanceof MastoTimeoutError) return { kind: 'transient', message: 'Mastodon did not answer in time' };
  if (error instanceof TypeError) {
    const cause = (error.cause as Error | undefined)?.message ?? error.message;
    return { kind: 'transient', message: `cannot reach the Mastodon instance (${cause})` };
  }
  return { kind: 'fatal', message: error instanceof Error ? error.message : String(error) };
}

/** Mastodon counts every link as 23 characters and a remote mention by its local part. */
export function mastodonLength(text: string): number {
  const normalised = text.replace(/https?:\/\/\S+/g, 'x'.repeat(23)).replace(/(^|\s)@(\w+)@[\w.-]+\w/g, '$1@$2');
  return Array.from(normalised).length;
}

class MastodonReplies implements ReplyChannel {
  private accountId: string | null = null;
  readonly directMessages?: DirectMessageChannel;

  constructor(
    private readonly client: Client,
    private readonly options: MastodonSourceOptions,
    private readonly host: string,
    private readonly lookupAcct: string | null,
  ) {
    if (options.config.directMessages && options.accessToken) this.directMessages = new MastodonDirectMessages(client, options, host, (text, target) => this.text(target, text));
  }

  measure(text: string) {
    return { length: mastodonLength(text), limit: 500 };
  }

  ability(target: ReplyTarget): ReplyAbility {
    if (!this.options.accessToken) {
      return { ok: false, reason: 'this Mastodon source has no accessTokenEnv (a token with write:statuses) to reply with', webUrl: this.webReplyUrl(target) };
    }
    return { ok: true };
  }

  /** The instance's remote-interaction page opens the post where the person can reply. */
  webReplyUrl(target: ReplyTarget): string | null {
    if (!target.url) return null;
    return `${this.options.config.instanceUrl.replace(/\/$/, '')}/authorize_interaction?uri=${encodeURIComponent(target.url)}`;
  }

  /** The reply names the author, as Mastodon's own composer does, so they are notified. */
  text(target: ReplyTarget, text: string): string {
    const handle = fullAcct(target.authorHandle, this.host);
    const local = handle.endsWith(`@${this.host.toLowerCase()}`) ? handle.slice(0, -this.host.length - 1) : handle;
    return text.toLowerCase().includes(`@${local.split('@')[0]}`) ? text : `@${local} ${text}`;
  }

  async reply(target: ReplyTarget, text: string, options: { idempotencyKey: string }): Promise<SentReply> {
    const body = this.text(target, text);
    if (mastodonLength(body) > 500) throw new ReplyRefused(`the reply is ${mastodonLength(body)} characters with the author's handle; Mastodon allows 500`);
    if (!this.options.accessToken) throw new ReplyRefused('this Mastodon source has no accessTokenEnv to reply with');
    try {
      const created = await this.client.v1.statuses.create(
        { status: body, inReplyToId: target.externalId, visibility: 'public' },
        { requestInit: { headers: { 'Idempotency-Key': options.idempotencyKey } } },
      );
      const s = parse(status, created, 'new status');
      return { externalId: s.id, sentAt: Date.parse(s.createdAt), url: s.url ?? s.uri };
    } catch (error) {
      throw refusalOf(error);
    }
  }

  async findReply(target: ReplyTarget, text: string): Promise<SentReply | null> {
    try {
      if (!this.accountId) {
        const me = this.options.accessToken
          ? await this.client.v1.accounts.verifyCredentials()
          : await this.client.v1.accounts.lookup({ acct: this.lookupAcct ?? '' });
        this.accountId = parse(lookedUpAccount, me, 'account').id;
      }
      const statuses = parse(statusList, await this.client.v1.accounts.$select(this.accountId).statuses.list({ limit: PAGE, excludeReblogs: true }), 'statuses');
      const wanted = squash(text);
      const found = statuses.find((s) => s.inReplyToId === target.externalId && squash(htmlToText(s.content)).includes(wanted));
      return found ? { externalId: found.id, sentAt: Date.parse(found.createdAt), url: found.url ?? found.uri } : null;
    } catch (error) {
      if (error instanceof SourceFailure) throw error;
      throw refusalOf(error);
    }
  }
}

function squash(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A definite answer from Mastodon becomes a ReplyRefused; timeouts and 5xx stay unknown outcomes. */
function refusalOf(error: unknown): unknown {
  if (!(error instanceof MastoHttpError)) return error;
  if (error.statusCode >= 500) return error;
  const detail = describe(error);
  if (error.statusCode === 429) return new ReplyRefused('Mastodon rate limit reached; try again later', true);
  if (error.statusCode === 401 || error.statusCode === 403) {
    return new ReplyRefused(`Mastodon refused the token (${error.statusCode}${detail ? `: ${detail}` : ''}); it needs the write:statuses scope`);
  }
  return new ReplyRefused(`Mastodon refused the reply (${error.statusCode}${detail ? `: ${detail}` : ''})`);
}

/**
 * Answers by DM on Mastodon: a `visibility: direct` status that names the customer (only the accounts it
 * mentions see it), in reply to their newest post in the item. After an unknown outcome our message is
 * looked for in the DM list (`GET /api/v1/conversations`: each conversation's last status), then among the
 * account's own statuses. The Idempotency-Key also makes Mastodon answer a repeated request with the first status.
 */
class MastodonDirectMessages implements DirectMessageChannel {
  private accountId: string | null = null;

  constructor(
    private readonly client: Client,
    private readonly options: MastodonSourceOptions,
    private readonly host: string,
    private readonly addressed: (text: string, target: ReplyTarget) => string,
  ) {}

  measure(text: string) {
    return { length: mastodonLength(text), limit: 500 };
  }

  ability(): ReplyAbility {
    return this.options.accessToken ? { ok: true } : { ok: false, reason: 'this Mastodon source has no accessTokenEnv (a token with write:statuses) to send DMs with', webUrl: null };
  }

  async send(target: ReplyTarget, text: string, options: { idempotencyKey: string }): Promise<SentReply> {
    const body = this.addressed(text, target);
    if (mastodonLength(body) > 500) throw new ReplyRefused(`the message is ${mastodonLength(body)} characters with the customer's handle; Mastodon allows 500`);
    try {
      const created = await this.client.v1.statuses.create(
        { status: body, inReplyToId: target.externalId, visibility: 'direct' },
        { requestInit: { headers: { 'Idempotency-Key': options.idempotencyKey } } },
      );
      const s = parse(status, created, 'new status');
      return { externalId: s.id, sentAt: Date.parse(s.createdAt), url: s.url ?? s.uri };
    } catch (error) {
      throw refusalOf(error);
    }
  }

  async findMessage(target: ReplyTarget, text: string): Promise<SentReply | null> {
    try {
      if (!this.accountId) this.accountId = parse(lookedUpAccount, await this.client.v1.accounts.verifyCredentials(), 'account').id;
      const wanted = squash(text);
      const ours = (s: Status | null | undefined): s is Status => !!s && s.account.id === this.accountId && s.visibility === 'direct' && squash(htmlToText(s.content)).includes(wanted);
      const customer = fullAcct(target.authorHandle, this.host);
      const conversations = parse(conversationList, await this.client.v1.conversations.list({ limit: PAGE }), 'conversations');
      const inList = conversations.find((c) => c.accounts.some((a) => fullAcct(a.acct, this.host) === customer) && ours(c.lastStatus));
      const found =
        inList?.lastStatus ??
        parse(statusList, await this.client.v1.accounts.$select(this.accountId).statuses.list({ limit: PAGE }), 'statuses').find((s) => s.inReplyToId === target.externalId && ours(s));
      return found ? { externalId: found.id, sentAt: Date.parse(found.createdAt), url: found.url ?? found.uri } : null;
    } catch (error) {
      if (error instanceof SourceFailure) throw error;
      throw refusalOf(error);
    }
  }
}
