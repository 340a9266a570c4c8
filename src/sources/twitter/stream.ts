import { ApiRequestError, ApiResponseError, ETwitterStreamEvent, TwitterApi, type TweetStream } from 'twitter-api-v2';
import type { Keyword, TwitterSourceConfig } from '../../config/schema.js';
import type { BilledRead } from '../../metrics/cost.js';
import { parsePayload } from '../schema.js';
import { Backoff, Channel, X_BACKOFF, stallTimer, type Disconnect, type Stream, type StreamEnvironment, type StreamEvent } from '../stream.js';
import type { FetchedPage } from '../types.js';
import { baseUrlPlugin, describeBody } from './client.js';
import { mapOwnReplies, mapSearchPage, streamedPost, streamRules, type StreamedPost } from './payload.js';
import { planQueries } from './query.js';

/** Every rule brandwatch adds carries this tag prefix: only such rules are ever deleted as stale. */
export const RULE_TAG_PREFIX = 'brandwatch:';
const OWN_REPLIES_TAG = `${RULE_TAG_PREFIX}own-replies`;

const STREAM_FIELDS = {
  'tweet.fields': 'author_id,conversation_id,created_at,in_reply_to_user_id,lang,public_metrics,referenced_tweets,entities',
  expansions: 'author_id,referenced_tweets.id.author_id',
  'user.fields': 'public_metrics,username,name,verified',
} as const;

export interface StreamRule {
  value: string;
  tag: string;
  /** The keywords the rule stands for (none for the brand's own replies). */
  keywords: Keyword[];
}

export interface TwitterStreamOptions {
  config: TwitterSourceConfig;
  keywords: readonly Keyword[];
  ownHandles: readonly string[];
  bearerToken: string;
  apiBaseUrl: string | null;
}

/**
 * Filtered-stream rules from the keyword groups, by the query planner the search uses (so a rule matches
 * what the search would), within the rule length; plus one rule for the brand's own replies. @mentions of
 * the brand are covered by the `@handle` keyword's rule. Throws a RangeError naming what does not fit.
 */
export function planRules(options: Pick<TwitterStreamOptions, 'config' | 'keywords' | 'ownHandles'>): StreamRule[] {
  const groups = planQueries({ keywords: options.keywords, ownHandles: options.ownHandles, lengthLimit: options.config.ruleLengthLimit });
  const rules: StreamRule[] = groups.map((g) => ({ value: g.query, tag: `${RULE_TAG_PREFIX}${g.key}`, keywords: g.keywords }));
  const own = options.ownHandles.map((h) => `from:${h}`);
  if (options.config.nativeReplies && own.length > 0) {
    rules.push({ value: `${own.length === 1 ? own[0] : `(${own.join(' OR ')})`} is:reply`, tag: OWN_REPLIES_TAG, keywords: [] });
  }
  if (rules.length > options.config.ruleLimit) {
    throw new RangeError(`the keywords need ${rules.length} filtered-stream rules; the app may hold ${options.config.ruleLimit} (ruleLimit): combine keywords, or set stream: false`);
  }
  return rules;
}

/** What syncing needs to do: the rules to add and the ids of our stale ones. Rules without our tag are left alone. */
export function ruleChanges(wanted: readonly StreamRule[], existing: readonly { id: string; value: string; tag?: string | undefined }[]): { add: StreamRule[]; remove: string[] } {
  const key = (r: { value: string; tag?: string | undefined }) => `${r.tag ?? ''}\u0000${r.value}`;
  const have = new Set(existing.map(key));
  const want = new Set(wanted.map(key));
  const add = wanted.filter((r, i) => !have.has(key(r)) && wanted.findIndex((w) => key(w) === key(r)) === i);
  // Ours and no longer wanted, or a second copy of one that is.
  const seen = new Set<string>();
  const remove = existing
    .filter((r) => {
      if (!r.tag?.startsWith(RULE_TAG_PREFIX)) return false;
      const k = key(r);
      if (!want.has(k) || seen.has(k)) return true;
      seen.add(k);
      return false;
    })
    .map((r) => r.id);
  return { add, remove };
}

/** Why a connection attempt or a connection failed, and which backoff applies. */
export function classifyStreamError(error: unknown): { reason: Disconnect; message: string } {
  if (error instanceof ApiResponseError) {
    const body = error.data as { connection_issue?: unknown; title?: unknown } | undefined;
    if (error.code === 429 && (body?.connection_issue === 'TooManyConnections' || body?.title === 'ConnectionException')) {
      return {
        reason: 'rate_limited',
        message: "X allows one filtered-stream connection per app and another is open (another watch, or another tool using this app's bearer token); close it",
      };
    }
    if (error.code === 429) return { reason: 'rate_limited', message: 'X rate limit reached on the filtered stream' };
    const detail = describeBody(error.data);
    if (error.code === 401 || error.code === 403) return { reason: 'http', message: `X refused the bearer token for the filtered stream (${error.code}${detail ? `: ${detail}` : ''})` };
    return { reason: 'http', message: `X answered ${error.code}${detail ? ` (${detail})` : ''}` };
  }
  if (error instanceof ApiRequestError) return { reason: 'network', message: 'cannot reach X' };
  return { reason: 'network', message: error instanceof Error ? error.message : String(error) };
}

interface Position {
  newestId?: string;
}

/**
 * X's filtered stream (GET /2/tweets/search/stream): rules synced on start, one connection, keep-alive
 * `\r\n` about every 20 s, a stall reconnected, X's documented backoff between attempts.
 */
export class TwitterStream implements Stream {
  readonly platform = 'twitter';
  readonly source: string;
  readonly rules: StreamRule[];
  private readonly client: TwitterApi;

  constructor(private readonly options: TwitterStreamOptions) {
    this.source = options.config.name ?? 'twitter';
    this.rules = planRules(options);
    this.client = new TwitterApi(options.bearerToken, { plugins: [baseUrlPlugin(options.apiBaseUrl, options.config.timeout)] });
  }

  describe(): string {
    return `filtered stream, ${this.rules.length} rule${this.rules.length === 1 ? '' : 's'}`;
  }

  /** Make the app's rules ours: add the missing, delete our stale ones, never a duplicate. */
  async syncRules(): Promise<{ added: number; removed: number }> {
    const existing = parsePayload(streamRules, (await this.client.v2.streamRules()) as unknown, 'stream rules', 'X').data ?? [];
    const { add, remove } = ruleChanges(this.rules, existing);
    if (remove.length > 0) await this.client.v2.updateStreamRules({ delete: { ids: remove } });
    if (add.length > 0) await this.client.v2.updateStreamRules({ add: add.map((r) => ({ value: r.value, tag: r.tag })) });
    return { added: add.length, removed: remove.length };
  }

  /** A delivered post as a page: a mention (keywords from its text, else from the rules it matched) or our own reply. */
  pageOf(post: StreamedPost): FetchedPage {
    const tags = new Set(post.matching_rules.map((r) => r.tag));
    const page = { data: [post.data], includes: post.includes, meta: { result_count: 1 } };
    const matched = this.rules.filter((r) => tags.has(r.tag));
    const own = this.options.ownHandles.includes((post.includes?.users ?? []).find((u) => u.id === post.data.author_id)?.username.toLowerCase() ?? '');
    const keywords = matched.flatMap((r) => r.keywords);
    const mentions = own ? [] : mapSearchPage(page, { keywords: keywords.length > 0 ? keywords : this.options.keywords, ownHandles: this.options.ownHandles });
    for (const m of mentions) if (m.keywords.length === 0 && keywords[0]) m.keywords = [keywords[0].term];
    const billed: BilledRead[] = [{ kind: 'post', id: post.data.id }, ...(post.includes?.users ?? []).map((u) => ({ kind: 'user' as const, id: u.id }))];
    return { mentions, ownReplies: own ? mapOwnReplies(page) : [], cursor: {}, postsRead: 1, billed };
  }

  async *run(env: StreamEnvironment): AsyncGenerator<StreamEvent> {
    const backoff = new Backoff(X_BACKOFF);
    let newest = (env.position as Position | null)?.newestId ?? null;
    let synced = false;
    while (!env.signal.aborted) {
      yield { kind: 'state', state: 'connecting' };
      let failure: { reason: Disconnect; message: string };
      try {
        if (!synced) {
          const changes = await this.syncRules();
          env.verbose(`${this.source}: filtered-stream rules synced (${changes.added} added, ${changes.removed} removed, ${this.rules.length} in use)`);
          synced = true;
        }
        const stream = this.client.v2.searchStream({ ...STREAM_FIELDS, autoConnect: false });
        await connectWithin(stream, this.options.config.timeout, env.signal);
        backoff.reset();
        yield { kind: 'state', state: 'connected' };
        const events = new Channel<{ data: unknown } | 'keepalive' | 'stall'>();
        const stall = stallTimer(this.options.config.streamStallTimeout, () => {
          events.push('stall');
          events.close();
        });
        stream.on(ETwitterStreamEvent.Data, (data: unknown) => {
          stall.alive();
          events.push({ data });
        });
        stream.on(ETwitterStreamEvent.DataKeepAlive, () => {
          stall.alive();
          events.push('keepalive');
        });
        stream.on(ETwitterStreamEvent.ConnectionClosed, () => events.close());
        stream.on(ETwitterStreamEvent.Error, () => undefined);
        const stop = () => events.close();
        env.signal.addEventListener('abort', stop, { once: true });
        let stalled = false;
        try {
          for await (const item of events) {
            if (item === 'stall') {
              stalled = true;
              break;
            }
            if (item === 'keepalive') {
              yield { kind: 'keepalive' };
              continue;
            }
            const line = item.data as { errors?: unknown; data?: unknown };
            if (!line.data) {
              env.verbose(`${this.source}: the filtered stream sent a notice: ${describeBody((line.errors as unknown[] | undefined)?.[0])}`);
              continue;
            }
            let post: StreamedPost;
            try {
              post = parsePayload(streamedPost, line, 'filtered stream', 'X');
            } catch (error) {
              env.verbose(`${this.source}: skipped a streamed post: ${(error as Error).message}`);
              continue;
            }
            yield { kind: 'page', page: this.pageOf(post) };
            if (newest === null || BigInt(post.data.id) > BigInt(newest)) newest = post.data.id;
            yield { kind: 'position', position: { newestId: newest } };
          }
        } finally {
          stall.stop();
          env.signal.removeEventListener('abort', stop);
          stream.destroy();
        }
        if (env.signal.aborted) break;
        failure = { reason: 'network', message: stalled ? `sent no data or keep-alive for ${Math.round(this.options.config.streamStallTimeout / 100) / 10}s` : 'X closed the stream' };
      } catch (error) {
        if (env.signal.aborted) break;
        failure = classifyStreamError(error);
      }
      const wait = backoff.next(failure.reason);
      yield { kind: 'state', state: 'reconnecting', retryIn: wait, message: failure.message };
      await env.sleep(wait);
    }
    if (newest !== null) yield { kind: 'position', position: { newestId: newest } };
    yield { kind: 'state', state: 'stopped' };
  }
}

/** Connect, or give up after `timeout` (no response headers) or on the stop signal. */
async function connectWithin(stream: TweetStream, timeout: number, signal: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const abandon = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`X sent no answer within ${Math.round(timeout / 1000)}s`)), timeout);
    onAbort = () => reject(new Error('stopped'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  abandon.catch(() => undefined);
  try {
    await Promise.race([stream.connect({ autoReconnect: false, keepAliveTimeout: 'disable' }), abandon]);
  } catch (error) {
    stream.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
