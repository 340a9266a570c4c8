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

export interface RequestPolicy {
  attempts: number;
  baseDelay: number;
  rateLimitWait: number;
}

/** The retry settings every source's config carries, as one policy. */
export function policyOf(config: { retry: { attempts: number; baseDelay: number }; rateLimitWait: number }): RequestPolicy {
  return { attempts: config.retry.attempts, baseDelay: config.retry.baseDelay, rateLimitWait: config.rateLimitWait };
}

/** What a request needs from the poll: the clock, sleeping, request accounting, the verbose log. */
export type RequestEnvironment = Pick<PagingEnvironment, 'now' | 'sleep' | 'countRequest' | 'verbose'>;

/**
 * Run one platform request: transient failures (5xx, timeouts, resets, truncated bodies) are retried
 * with exponential backoff; a rate limit waits for its reset when that is within `rateLimitWait`,
 * else stops the source. Every attempt counts as a request.
 */
export async function requestWithPolicy<T>(
  call: () => Promise<T>,
  classify: (error: unknown) => Failure,
  policy: RequestPolicy,
  env: RequestEnvironment,
): Promise<T> {
  for (let rateLimitWaits = 0; ; rateLimitWaits++) {
    let limited: Failure & { kind: 'rate_limited' } | null = null;
    try {
      return await pRetry(
        async () => {
          env.countRequest();
          try {
            return await call();
          } catch (error) {
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
          onFailedAttempt: ({ error, retriesLeft }) => {
            if (retriesLeft > 0) env.verbose(`request failed (${error.message}); retrying`);
          },
        },
      );
    } catch (error) {
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
