import type { CursorState, FetchedPage } from './types.js';

/** Where a stream stands, as the status line and `watch --json` show it. */
export type StreamState = 'connecting' | 'connected' | 'reconnecting' | 'stopped';

/**
 * What a platform stream yields. `page`: posts it delivered (mentions and the brand's own replies), to be
 * stored exactly as a polled page is — but its `cursor` is the stream's, never a poll cursor. `state`: the
 * connection changed (`retryIn`: ms until the next attempt). `position`: where a restart resumes.
 */
export type StreamEvent =
  | { kind: 'page'; page: FetchedPage }
  | { kind: 'keepalive' }
  | { kind: 'state'; state: StreamState; retryIn?: number; message?: string }
  | { kind: 'position'; position: CursorState };

export interface StreamEnvironment {
  now(): number;
  /** Waits (the reconnect backoff), returning early when the stream is being stopped. */
  sleep(ms: number): Promise<void>;
  /** Fires on SIGINT/SIGTERM: the connection is closed, the last position yielded, the iteration ends. */
  signal: AbortSignal;
  verbose(message: string): void;
  /** The position saved by the last run (null the first time). */
  position: CursorState | null;
}

/** One platform stream of one source; `watch --stream` holds them all through this. */
export interface Stream {
  /** The source's name from config. */
  readonly source: string;
  readonly platform: string;
  /** What is streamed, for the status line (e.g. "filtered stream, 2 rules"). */
  describe(): string;
  run(env: StreamEnvironment): AsyncIterable<StreamEvent>;
}

/**
 * Callbacks (socket events) into an async iterable: pushed items queue until read; `close` ends the
 * iteration once the queue is drained.
 */
export class Channel<T> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private closed = false;

  push(item: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: item, done: false });
    } else {
      this.queue.push(item);
    }
  }

  close(): void {
    this.closed = true;
    if (this.waiting && this.queue.length === 0) {
      const resolve = this.waiting;
      this.waiting = null;
      resolve({ value: undefined as never, done: true });
    }
  }

  get isClosed(): boolean {
    return this.closed;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.queue.length > 0) return Promise.resolve({ value: this.queue.shift()!, done: false });
        if (this.closed) return Promise.resolve({ value: undefined as never, done: true });
        return new Promise((resolve) => (this.waiting = resolve));
      },
    };
  }
}

/** Why a connection ended, which decides the wait before the next attempt. */
export type Disconnect = 'network' | 'http' | 'rate_limited';

/**
 * Reconnect delays. X documents them for its filtered stream: network errors back off linearly from
 * 250 ms to 16 s, HTTP errors exponentially from 5 s to 320 s, a 429 exponentially from 1 minute.
 * A successful connection starts every sequence afresh.
 */
export class Backoff {
  private counts: Record<Disconnect, number> = { network: 0, http: 0, rate_limited: 0 };

  constructor(
    private readonly rules: Record<Disconnect, (attempt: number) => number> = X_BACKOFF,
  ) {}

  next(reason: Disconnect): number {
    const attempt = ++this.counts[reason];
    return this.rules[reason](attempt);
  }

  reset(): void {
    this.counts = { network: 0, http: 0, rate_limited: 0 };
  }
}

export const X_BACKOFF: Record<Disconnect, (attempt: number) => number> = {
  network: (n) => Math.min(250 * n, 16_000),
  http: (n) => Math.min(5_000 * 2 ** (n - 1), 320_000),
  rate_limited: (n) => Math.min(60_000 * 2 ** (n - 1), 960_000),
};

/** Jetstream and Mastodon document no schedule: exponential from 1 s to 1 minute, a 429 from 1 minute. */
export const GENERIC_BACKOFF: Record<Disconnect, (attempt: number) => number> = {
  network: (n) => Math.min(1_000 * 2 ** (n - 1), 60_000),
  http: (n) => Math.min(5_000 * 2 ** (n - 1), 300_000),
  rate_limited: (n) => Math.min(60_000 * 2 ** (n - 1), 960_000),
};

/** A timer reset by every sign of life; fires once when the connection has been silent for `ms`. */
export function stallTimer(ms: number, onStall: () => void): { alive(): void; stop(): void } {
  let timer: NodeJS.Timeout | null = null;
  const arm = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onStall, ms);
    timer.unref?.();
  };
  arm();
  return {
    alive: arm,
    stop: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
