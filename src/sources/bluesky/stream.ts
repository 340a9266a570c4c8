import WebSocket from 'ws';
import { z } from 'zod';
import type { BlueskySourceConfig, Keyword } from '../../config/schema.js';
import { matchKeywords } from '../keywords.js';
import { Backoff, Channel, GENERIC_BACKOFF, stallTimer, type Disconnect, type Stream, type StreamEnvironment, type StreamEvent } from '../stream.js';
import type { FetchedPage } from '../types.js';
import { mapPosts, postView, type PostView } from './payload.js';
import type { BlueskySource } from './source.js';

/** A restart resumes this far before the saved cursor: a replayed post is harmless (the unique key), a skipped one is lost. */
export const RESUME_OVERLAP_US = 5_000_000;
/** Save the position at most this often (of Jetstream's own time): it moves hundreds of times a second. */
const POSITION_EVERY_US = 5_000_000;

/** A Jetstream commit event (bluesky-social/jetstream README), as far as we rely on it. */
const jetstreamEvent = z.object({
  did: z.string().startsWith('did:'),
  time_us: z.number().int().positive(),
  kind: z.string(),
  commit: z
    .object({
      operation: z.string(),
      collection: z.string(),
      rkey: z.string().min(1),
      cid: z.string().optional(),
      record: z.record(z.string(), z.unknown()).optional(),
    })
    .passthrough()
    .optional(),
});
type JetstreamEvent = z.infer<typeof jetstreamEvent>;

export interface BlueskyStreamOptions {
  config: BlueskySourceConfig;
  keywords: readonly Keyword[];
  ownHandles: readonly string[];
  source: BlueskySource;
}

interface Position {
  timeUs?: number;
}

/**
 * Whether a post is ours to store: it names a keyword (the rules the search uses, excludes honoured), or the
 * brand's account (by handle or a mention facet), or it is by the brand's account (a native reply).
 */
export function wanted(event: JetstreamEvent, keywords: readonly Keyword[], ownHandles: readonly string[], ownDid: string | null): boolean {
  const record = event.commit?.record as { text?: unknown; facets?: { features?: { did?: unknown }[] }[] } | undefined;
  if (typeof record?.text !== 'string') return false;
  if (ownDid !== null && event.did === ownDid) return true;
  if (matchKeywords(record.text, keywords).length > 0) return true;
  const lower = record.text.toLowerCase();
  if (ownHandles.some((h) => lower.includes(`@${h}`))) return true;
  return ownDid !== null && (record.facets ?? []).some((f) => (f.features ?? []).some((x) => x.did === ownDid));
}

/**
 * Bluesky's Jetstream over WebSocket: every post on the network (`wantedCollections=app.bsky.feed.post`),
 * matched against the keywords here, resumed from the saved `time_us` cursor. zstd compression is not
 * asked for: Jetstream's needs its custom dictionary, and brand matching must read every post anyway.
 */
export class BlueskyStream implements Stream {
  readonly platform = 'bluesky';
  readonly source: string;
  private readonly own: string[];

  constructor(private readonly options: BlueskyStreamOptions) {
    this.source = options.config.name ?? 'bluesky';
    this.own = [options.config.identifier, ...options.ownHandles].map((h) => h.replace(/^@/, '').toLowerCase());
  }

  describe(): string {
    return 'Jetstream';
  }

  private ownDid(): string | null {
    const id = this.options.config.identifier;
    return id.startsWith('did:') ? id : (this.options.source.agent.session?.did ?? null);
  }

  /** Matched events as one page: authors looked up (Jetstream carries only DIDs), then mapped as a search page is. */
  async pageOf(events: readonly JetstreamEvent[], env: StreamEnvironment): Promise<FetchedPage> {
    const authors = await this.options.source.authors(
      events.map((e) => e.did),
      { now: env.now, sleep: env.sleep, verbose: env.verbose, countRequest: async () => undefined, signal: env.signal },
    );
    const posts: PostView[] = [];
    for (const event of events) {
      const author = authors.get(event.did);
      const candidate = {
        uri: `at://${event.did}/app.bsky.feed.post/${event.commit!.rkey}`,
        cid: event.commit!.cid ?? '',
        author: { did: event.did, handle: author?.handle ?? event.did, ...(author?.displayName ? { displayName: author.displayName } : {}) },
        record: event.commit!.record,
        indexedAt: new Date(Math.floor(event.time_us / 1000)).toISOString(),
      };
      const parsed = postView.safeParse(candidate);
      if (parsed.success) posts.push(parsed.data);
      else env.verbose(`${this.source}: skipped a streamed post (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    }
    const mapped = mapPosts(posts, { keywords: this.options.keywords, ownHandles: this.own, ownDid: this.ownDid() });
    for (const mention of mapped.mentions) mention.authorFollowers = authors.get(mention.authorId ?? '')?.followers ?? null;
    return { ...mapped, cursor: {}, postsRead: 0 };
  }

  async *run(env: StreamEnvironment): AsyncGenerator<StreamEvent> {
    const { config } = this.options;
    const backoff = new Backoff(GENERIC_BACKOFF);
    let cursor = (env.position as Position | null)?.timeUs ?? null;
    let savedAt = cursor ?? 0;
    while (!env.signal.aborted) {
      yield { kind: 'state', state: 'connecting' };
      const url = new URL(config.jetstreamUrl);
      url.searchParams.set('wantedCollections', 'app.bsky.feed.post');
      if (cursor !== null) url.searchParams.set('cursor', String(cursor - RESUME_OVERLAP_US));
      const socket = new WebSocket(url, { handshakeTimeout: config.timeout });
      type Item = { open: true } | { data: string } | { closed: Disconnect; message: string } | 'stall';
      const items = new Channel<Item>();
      const stall = stallTimer(config.streamStallTimeout, () => {
        items.push('stall');
        items.close();
      });
      socket.on('open', () => {
        stall.alive();
        items.push({ open: true });
      });
      socket.on('message', (data: WebSocket.RawData) => {
        stall.alive();
        items.push({ data: data.toString() });
      });
      // Jetstream's own keep-alive is the WebSocket ping (ws answers it): a sign of life too.
      socket.on('ping', () => stall.alive());
      socket.on('unexpected-response', (_request, response) => {
        const status = response.statusCode ?? 0;
        items.push({ closed: status === 429 ? 'rate_limited' : 'http', message: `Jetstream answered ${status}` });
        items.close();
        socket.terminate();
      });
      socket.on('error', (error: Error) => {
        items.push({ closed: 'network', message: `cannot reach Jetstream (${error.message})` });
        items.close();
      });
      socket.on('close', () => {
        items.push({ closed: 'network', message: 'Jetstream closed the connection' });
        items.close();
      });
      const stop = () => items.close();
      env.signal.addEventListener('abort', stop, { once: true });
      let failure: { reason: Disconnect; message: string } = { reason: 'network', message: 'Jetstream closed the connection' };
      try {
        for await (const item of items) {
          if (item === 'stall') {
            failure = { reason: 'network', message: `sent no event for ${Math.round(config.streamStallTimeout / 100) / 10}s` };
            break;
          }
          if ('open' in item) {
            backoff.reset();
            yield { kind: 'state', state: 'connected' };
            continue;
          }
          if ('closed' in item) {
            failure = { reason: item.closed, message: item.message };
            break;
          }
          let event: JetstreamEvent;
          try {
            const raw = JSON.parse(item.data) as { kind?: unknown; time_us?: unknown };
            // Identity, account and heartbeat events come to every subscriber: only their time counts.
            if (raw.kind !== 'commit') {
              if (typeof raw.time_us === 'number' && Number.isSafeInteger(raw.time_us)) cursor = Math.max(cursor ?? 0, raw.time_us);
              continue;
            }
            event = jetstreamEvent.parse(raw);
          } catch {
            env.verbose(`${this.source}: skipped an unreadable Jetstream event`);
            continue;
          }
          cursor = cursor === null ? event.time_us : Math.max(cursor, event.time_us);
          const commit = event.commit;
          if (event.kind === 'commit' && commit?.operation === 'create' && commit.collection === 'app.bsky.feed.post' && wanted(event, this.options.keywords, this.own, this.ownDid())) {
            const page = await this.pageOf([event], env);
            if (page.mentions.length > 0 || page.ownReplies.length > 0) yield { kind: 'page', page };
          }
          if (cursor - savedAt >= POSITION_EVERY_US) {
            savedAt = cursor;
            yield { kind: 'position', position: { timeUs: cursor } };
          }
        }
      } finally {
        stall.stop();
        env.signal.removeEventListener('abort', stop);
        socket.removeAllListeners();
        socket.on('error', () => undefined);
        socket.terminate();
      }
      if (env.signal.aborted) break;
      const wait = backoff.next(failure.reason);
      yield { kind: 'state', state: 'reconnecting', retryIn: wait, message: failure.message };
      await env.sleep(wait);
    }
    if (cursor !== null) yield { kind: 'position', position: { timeUs: cursor } };
    yield { kind: 'state', state: 'stopped' };
  }
}
