import { createParser } from 'eventsource-parser';
import { z } from 'zod';
import type { MastodonSourceConfig } from '../../config/schema.js';
import { Backoff, Channel, GENERIC_BACKOFF, stallTimer, type Disconnect, type Stream, type StreamEnvironment, type StreamEvent } from '../stream.js';
import type { FetchedPage } from '../types.js';
import { status, type Status } from './payload.js';
import type { MastodonSource } from './source.js';

/** Mastodon sends entities in snake_case; the statuses the poll maps come from masto in camelCase. */
export function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), camelKeys(v)]));
}

const notification = z.object({ type: z.string(), status: z.unknown().optional() }).passthrough();

export interface MastodonStreamOptions {
  config: MastodonSourceConfig;
  accessToken: string;
  source: MastodonSource;
}

/** One server-sent-events connection: a hashtag's statuses, or the account's notifications (`tag` null). */
interface Feed {
  path: string;
  tag: string | null;
}

type Item =
  | { feed: Feed; open: true }
  | { feed: Feed; page: FetchedPage }
  | { feed: Feed; keepalive: true }
  | { feed: Feed; closed: Disconnect; message: string; wait: number };

/**
 * Mastodon's streaming API over server-sent events (it needs a token since 4.2): one connection per hashtag
 * the poll reads (`/api/v1/streaming/hashtag?tag=…`) and one for the account's notifications
 * (`/api/v1/streaming/user/notification`, mentions kept). `:thump` comments are the heartbeat.
 */
export class MastodonStream implements Stream {
  readonly platform = 'mastodon';
  readonly source: string;
  readonly feeds: Feed[];

  constructor(private readonly options: MastodonStreamOptions) {
    this.source = options.config.name ?? 'mastodon';
    const local = options.config.localOnly ? '/local' : '';
    this.feeds = [
      ...[...options.source.hashtags().keys()].map((tag) => ({ path: `/api/v1/streaming/hashtag${local}?tag=${encodeURIComponent(tag)}`, tag })),
      { path: '/api/v1/streaming/user/notification', tag: null },
    ];
  }

  describe(): string {
    return `streaming API, ${this.feeds.length} feed${this.feeds.length === 1 ? '' : 's'}`;
  }

  /** A streamed event as a page, or null when it brings nothing to store. */
  pageOf(event: string | undefined, data: string, tag: string | null): FetchedPage | null {
    let statuses: Status[];
    if (event === 'update' && tag !== null) {
      statuses = [status.parse(camelKeys(JSON.parse(data)))];
    } else if (event === 'notification' && tag === null) {
      const n = notification.parse(JSON.parse(data));
      if (n.type !== 'mention' || !n.status) return null;
      statuses = [status.parse(camelKeys(n.status))];
    } else {
      return null;
    }
    const page = this.options.source.streamedPage(statuses, tag);
    return page.mentions.length > 0 || page.ownReplies.length > 0 ? page : null;
  }

  /** Hold one feed until it ends, pushing what it brings; returns why it ended. */
  private async follow(feed: Feed, items: Channel<Item>, env: StreamEnvironment, signal: AbortSignal): Promise<{ reason: Disconnect; message: string; opened?: boolean }> {
    const base = (this.options.config.streamingUrl ?? this.options.config.instanceUrl).replace(/\/$/, '');
    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    const connectTimer = setTimeout(abort, this.options.config.timeout);
    let stalled = false;
    const stall = stallTimer(this.options.config.streamStallTimeout, () => {
      stalled = true;
      controller.abort();
    });
    try {
      const response = await fetch(`${base}${feed.path}`, {
        headers: { authorization: `Bearer ${this.options.accessToken}`, accept: 'text/event-stream' },
        signal: controller.signal,
      });
      clearTimeout(connectTimer);
      if (!response.ok || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        const why = response.status === 401 ? ' (the token was refused: check accessTokenEnv; streaming needs read:statuses and read:notifications)' : '';
        return { reason: response.status === 429 ? 'rate_limited' : 'http', message: `${feed.path} answered ${response.status}${why}` };
      }
      stall.alive();
      items.push({ feed, open: true });
      const parser = createParser({
        onEvent: (message) => {
          try {
            const page = this.pageOf(message.event, message.data, feed.tag);
            if (page) items.push({ feed, page });
          } catch (error) {
            env.verbose(`${this.source}: skipped a streamed event (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
          }
        },
        onComment: () => items.push({ feed, keepalive: true }),
      });
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        stall.alive();
        parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      }
      return { reason: 'network', message: `${feed.path}: the instance closed the stream`, opened: true };
    } catch (error) {
      if (stalled) return { reason: 'network', message: `${feed.path} sent no event or heartbeat for ${Math.round(this.options.config.streamStallTimeout / 100) / 10}s`, opened: true };
      const cause = (error as { cause?: { message?: string } }).cause?.message;
      return { reason: 'network', message: `cannot reach ${base} (${cause ?? (error as Error).message})` };
    } finally {
      clearTimeout(connectTimer);
      stall.stop();
      signal.removeEventListener('abort', abort);
    }
  }

  async *run(env: StreamEnvironment): AsyncGenerator<StreamEvent> {
    const items = new Channel<Item>();
    const up = new Set<Feed>();
    let live = this.feeds.length;
    // Each feed keeps itself connected with its own backoff; the stream is connected when all of them are.
    const loops = this.feeds.map(async (feed) => {
      const backoff = new Backoff(GENERIC_BACKOFF);
      while (!env.signal.aborted) {
        const ended = await this.follow(feed, items, env, env.signal);
        if (env.signal.aborted) break;
        if (ended.opened) backoff.reset();
        const wait = backoff.next(ended.reason);
        items.push({ feed, closed: ended.reason, message: ended.message, wait });
        await env.sleep(wait);
      }
      if (--live === 0) items.close();
    });
    const stop = () => items.close();
    env.signal.addEventListener('abort', stop, { once: true });
    yield { kind: 'state', state: 'connecting' };
    try {
      for await (const item of items) {
        if ('open' in item) {
          up.add(item.feed);
          if (up.size === this.feeds.length) yield { kind: 'state', state: 'connected' };
        } else if ('page' in item) {
          yield { kind: 'page', page: item.page };
        } else if ('keepalive' in item) {
          yield { kind: 'keepalive' };
        } else {
          up.delete(item.feed);
          yield { kind: 'state', state: 'reconnecting', retryIn: item.wait, message: item.message };
        }
      }
    } finally {
      env.signal.removeEventListener('abort', stop);
    }
    await Promise.allSettled(loops);
    yield { kind: 'state', state: 'stopped' };
  }
}
