import { htmlToText } from './html.js';
import { currentDeadline, type Failure } from './request.js';
import type { RateLimitState } from './types.js';

/** Sent with every request of the fetch-based sources: some platforms refuse anonymous clients. */
export const USER_AGENT = 'brandwatch/0.1 (brand mention monitor)';

/** The platform answered with a status other than 2xx/304. The body is kept for the platform's own error details. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
  }
}

/** The request did not complete: refused, reset, timed out or cut short. */
export class NetworkError extends Error {}

/** The body is not the JSON (or XML) it should be: possibly cut short, so worth one more try. */
export class MalformedBody extends Error {}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpRequest {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** Milliseconds before the request is abandoned. */
  timeout: number;
}

/**
 * One HTTP exchange with plain `fetch`. Error messages never include the request headers (tokens travel
 * there, not in URLs).
 */
export async function httpRequest(url: string, request: HttpRequest): Promise<HttpResponse> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: request.method ?? 'GET',
      headers: { 'user-agent': USER_AGENT, ...request.headers },
      ...(request.body !== undefined ? { body: request.body } : {}),
      // The whole exchange, body included: a body trickled byte by byte still ends at the deadline.
      signal: deadlineSignal(request.timeout),
      redirect: 'follow',
    });
    text = await response.text();
  } catch (error) {
    throw new NetworkError(describeNetworkError(error, request.timeout));
  }
  if (response.status === 304 || (response.status >= 200 && response.status < 300)) {
    return { status: response.status, headers: response.headers, text };
  }
  throw new HttpError(response.status, response.headers, text);
}

function deadlineSignal(timeout: number): AbortSignal {
  const own = AbortSignal.timeout(timeout);
  const outer = currentDeadline();
  return outer ? AbortSignal.any([own, outer]) : own;
}

function describeNetworkError(error: unknown, timeout: number): string {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${Math.round(timeout / 1000)}s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Parse a JSON body; a body that is not JSON may be cut short, so it is a (retryable) MalformedBody. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedBody('malformed JSON');
  }
}

/** `Retry-After` (seconds or an HTTP date) as an epoch-ms reset time. */
export function retryAfter(headers: Headers, now: number): number | null {
  const value = headers.get('retry-after');
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return now + Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : at;
}

/**
 * The common cases of a fetch-based platform: unreachable, cut-short bodies and 5xx are retried; 429 waits
 * for `Retry-After`; 401/403 blame the credentials; other 4xx give up with the platform's detail.
 */
export function classifyHttpError(
  platform: string,
  error: unknown,
  now: number,
  options: {
    detail?: (body: string) => string;
    /** What to do when the platform refuses the credentials (401/403). */
    credentials?: string;
    /** The platform's own rate-limit headers, read on a 429 before `Retry-After`. */
    rateLimit?: (headers: Headers, now: number) => RateLimitState | undefined;
  } = {},
): Failure {
  if (error instanceof NetworkError) return { kind: 'transient', message: `cannot reach ${platform} (${error.message})` };
  if (error instanceof MalformedBody) return { kind: 'transient', message: `${platform} sent an incomplete or malformed response` };
  if (error instanceof HttpError) {
    const detail = (options.detail ?? bodySnippet)(error.body);
    const suffix = detail ? `: ${detail}` : '';
    if (error.status === 429) {
      const rateLimit = options.rateLimit?.(error.headers, now) ?? { limit: null, remaining: 0, resetAt: retryAfter(error.headers, now) };
      return { kind: 'rate_limited', message: `${platform} rate limit reached`, rateLimit };
    }
    if (error.status >= 500) return { kind: 'transient', message: `${platform} answered ${error.status}${detail ? ` (${detail})` : ''}` };
    if ((error.status === 401 || error.status === 403) && options.credentials) {
      return { kind: 'fatal', message: `${platform} refused the request (${error.status}${suffix}); ${options.credentials}` };
    }
    return { kind: 'fatal', message: `${platform} answered ${error.status}${suffix}` };
  }
  return { kind: 'fatal', message: error instanceof Error ? error.message : String(error) };
}

/** A short, single-line excerpt of an error body (JSON `message`/`error` when there is one). */
export function bodySnippet(body: string): string {
  try {
    const data = JSON.parse(body) as { message?: unknown; error?: unknown };
    const message = typeof data.message === 'string' ? data.message : typeof data.error === 'string' ? data.error : null;
    if (message) return message.slice(0, 200);
  } catch {
    // Not JSON: fall through to the raw text.
  }
  return htmlToText(body).replace(/\s+/g, ' ').slice(0, 120);
}
