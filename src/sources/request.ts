import { AsyncLocalStorage } from 'node:async_hooks';
import pRetry, { AbortError } from 'p-retry';
import type { PagingEnvironment, RateLimitState } from './types.js';

/** How a failed request should be handled. */
export type Failure =
  | { kind: 'transient'; message: string }
  | { kind: 'rate_limited'; message: string; rateLimit: RateLimitState }
  | { kind: 'fatal'; message: string };

/** The platform ran out of requests for now and the reset is further off than we may wait. */
export class RateLimitStop extends Error {
  constructor(
    message: string,
    readonly rateLimit: RateLimitState,
  ) {
    super(message);
  }
}

/** A failure that retrying will not fix (bad token, malformed payload, refused query). */
export class SourceFailure extends Error {}

/** The poll is being stopped (SIGTERM, Ctrl-C): the request in flight was abandoned at once. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted; the next poll resumes here');
  }
}

export interface RequestPolicy {
  attempts: number;
  baseDelay: number;
  rateLimitWait: number;
  /** The whole exchange's deadline per attempt (connect, headers and body), in ms. */
  timeout: number;
}

/** The retry settings every source's config carries, as one policy. */
export function policyOf(config: { retry: { attempts: number; baseDelay: number }; rateLimitWait: number; timeout: number }): RequestPolicy {
  return { attempts: config.retry.attempts, baseDelay: config.retry.baseDelay, rateLimitWait: config.rateLimitWait, timeout: config.timeout };
}

/** What a request needs from the poll: the clock, sleeping, request accounting, the verbose log, the stop signal. */
export type RequestEnvironment = Pick<PagingEnvironment, 'now' | 'sleep' | 'countRequest' | 'verbose'> & { signal?: AbortSignal };

/**
 * The deadline of the attempt running now. Clients that take no signal per call (twitter-api-v2's plugin,
 * the Bluesky agent's fetch, plain fetch in http.ts) read it here, so each call site need not thread it.
 */
const deadlines = new AsyncLocalStorage<AbortSignal>();

export function currentDeadline(): AbortSignal | undefined {
  return deadlines.getStore();
}

/** The attempt's own timeout message, so a deadline reads the same on every platform. */
export class DeadlineExceeded extends Error {
  constructor(readonly timeout: number) {
    super(`no complete answer within ${Math.round(timeout / 1000)}s`);
  }
}

/** Run `call` under an overall deadline that also fires on `stop`; whatever the client does, the wait ends then. */
export async function withDeadline<T>(call: (signal: AbortSignal) => Promise<T>, timeout: number, stop?: AbortSignal): Promise<T> {
  if (stop?.aborted) throw new Interrupted();
  const timer = AbortSignal.timeout(timeout);
  const signal = stop ? AbortSignal.any([timer, stop]) : timer;
  let onAbort: () => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(stop?.aborted ? new Interrupted() : new DeadlineExceeded(timeout));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const running = deadlines.run(signal, () => call(signal));
  running.catch(() => undefined);
  try {
    return await Promise.race([running, aborted]);
  } catch (error) {
    // A client that saw the abort reports it in its own words: say which deadline it was.
    if (signal.aborted) throw stop?.aborted ? new Interrupted() : new DeadlineExceeded(timeout);
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Run one platform request: transient failures (5xx, timeouts, resets, truncated bodies) are retried
 * with exponential backoff; a rate limit waits for its reset when that is within `rateLimitWait`,
 * else stops the source. Every attempt counts as a request.
 */
export async function requestWithPolicy<T>(
  call: (signal: AbortSignal) => Promise<T>,
  classify: (error: unknown) => Failure,
  policy: RequestPolicy,
  env: RequestEnvironment,
): Promise<T> {
  for (let rateLimitWaits = 0; ; rateLimitWaits++) {
    let limited: Failure & { kind: 'rate_limited' } | null = null;
    try {
      return await pRetry(
        async () => {
          await env.countRequest();
          try {
            return await withDeadline(call, policy.timeout, env.signal);
          } catch (error) {
            if (error instanceof Interrupted) throw new AbortError(error);
            if (error instanceof DeadlineExceeded) throw new Error(error.message);
            const failure = classify(error);
            if (failure.kind === 'transient') throw new Error(failure.message);
            if (failure.kind === 'rate_limited') limited = failure;
            throw new AbortError(failure.message);
          }
        },
        {
          retries: policy.attempts - 1,
          minTimeout: policy.baseDelay,
          factor: 2,
          randomize: true,
          ...(env.signal ? { signal: env.signal } : {}),
          onFailedAttempt: ({ error, retriesLeft }) => {
            if (retriesLeft > 0) env.verbose(`request failed (${error.message}); retrying`);
          },
        },
      );
    } catch (error) {
      if (error instanceof Interrupted || env.signal?.aborted) throw new Interrupted();
      if (!limited) {
        const message = error instanceof Error ? error.message : String(error);
        throw new SourceFailure(message);
      }
      const { rateLimit, message } = limited as Failure & { kind: 'rate_limited' };
      const wait = rateLimit.resetAt === null ? Number.POSITIVE_INFINITY : rateLimit.resetAt - env.now() + 1000;
      if (wait > policy.rateLimitWait || rateLimitWaits >= 2) throw new RateLimitStop(message, rateLimit);
      env.verbose(`rate limited; waiting ${Math.ceil(Math.max(wait, 0) / 1000)}s for the reset`);
      await env.sleep(Math.max(wait, 0));
    }
  }
}
