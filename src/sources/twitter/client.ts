import { ApiPartialResponseError, ApiRequestError, ApiResponseError, type ITwitterApiClientPlugin } from 'twitter-api-v2';
import { currentDeadline, type Failure } from '../request.js';
import type { RateLimitState } from '../types.js';

/**
 * Rewrites every request to another HTTPS origin (the client has no base-URL setting), and gives each
 * request the attempt's overall deadline as its `signal`: the client's own `timeout` is a socket idle
 * timer, which a body trickled one byte a second never trips.
 */
export function baseUrlPlugin(apiBaseUrl: string | null, timeout: number): ITwitterApiClientPlugin {
  const base = apiBaseUrl ? new URL(apiBaseUrl) : null;
  return {
    onBeforeRequest: ({ requestOptions }) => {
      const signal = currentDeadline() ?? AbortSignal.timeout(timeout);
      (requestOptions as { signal?: AbortSignal }).signal = signal;
    },
    onBeforeRequestConfig: ({ params }) => {
      params.timeout = timeout;
      if (base) params.url = rebase(base, params.url);
    },
    // The filtered stream is one long response: no overall deadline, only the stall timer of the stream.
    onBeforeStreamRequestConfig: ({ params }) => {
      if (base) params.url = rebase(base, params.url);
    },
  };
}

function rebase(base: URL, url: string): string {
  const original = new URL(url.startsWith('http') ? url : `https://${url}`);
  const prefix = base.pathname.replace(/\/$/, '');
  return `${base.origin}${prefix}${original.pathname}${original.search}`;
}

export function toRateLimit(rateLimit: { limit?: number; remaining?: number; reset?: number } | undefined): RateLimitState | undefined {
  if (!rateLimit || rateLimit.limit === undefined) return undefined;
  return {
    limit: rateLimit.limit ?? null,
    remaining: rateLimit.remaining ?? null,
    resetAt: rateLimit.reset !== undefined ? rateLimit.reset * 1000 : null,
  };
}

/** Sort X's errors into retry, wait-for-reset, or give up; messages never carry request headers or tokens. */
export function classifyTwitterError(error: unknown): Failure {
  if (error instanceof ApiResponseError) {
    const detail = describeBody(error.data);
    if (error.code === 429) {
      const type = (error.data as { type?: unknown } | undefined)?.type;
      if (typeof type === 'string' && type.endsWith('/usage-capped')) {
        return { kind: 'fatal', message: `X refused the request: the app's monthly usage cap is reached (${detail})` };
      }
      return {
        kind: 'rate_limited',
        message: 'X rate limit reached',
        rateLimit: toRateLimit(error.rateLimit) ?? { limit: null, remaining: 0, resetAt: null },
      };
    }
    if (error.code >= 500) return { kind: 'transient', message: `X answered ${error.code}${detail ? ` (${detail})` : ''}` };
    if (error.code === 401 || error.code === 403) {
      return { kind: 'fatal', message: `X refused the token (${error.code}${detail ? `: ${detail}` : ''}); check the bearer token's variable` };
    }
    return { kind: 'fatal', message: `X answered ${error.code}${detail ? `: ${detail}` : ''}` };
  }
  if (error instanceof ApiPartialResponseError) return { kind: 'transient', message: 'X sent an incomplete or malformed response' };
  if (error instanceof ApiRequestError) return { kind: 'transient', message: `cannot reach X (${requestCause(error)})` };
  return { kind: 'fatal', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Why a request never got an answer (TLS, refused, reset, timed out). twitter-api-v2 1.29 builds its
 * ApiRequestError with the cause under `error` while its `requestError` getter reads another key, so
 * both are tried; the bare "Request failed." is the last resort.
 */
export function requestCause(error: ApiRequestError): string {
  const options = (error as unknown as { _options?: { error?: unknown; requestError?: unknown } })._options;
  const cause = (error.requestError ?? options?.error ?? options?.requestError ?? (error as unknown as { error?: unknown }).error) as
    | (Error & { code?: string })
    | undefined;
  if (!cause) return error.message;
  if (cause.name === 'AbortError') return 'no complete answer before the deadline';
  const code = cause.code && !cause.message.includes(cause.code) ? `${cause.code}: ` : '';
  return `${code}${cause.message}`;
}

/** X's problem details (`title`, `detail`, or v1-style `errors[0].message`), de-duplicated, on one line. */
export function describeBody(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  const body = data as { detail?: unknown; title?: unknown; errors?: { message?: unknown }[] };
  const parts = [body.title, body.detail, body.errors?.[0]?.message].filter((p): p is string => typeof p === 'string');
  return [...new Set(parts)].join(': ').slice(0, 300);
}
