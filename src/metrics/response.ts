/**
 * Who needs a response and how long it took (DESIGN §8). Each definition sits beside its SQL twin over
 * `mentions` rows aliased `m`, which the report's aggregations run over millions of rows;
 * test/report/metrics.test.ts checks that both agree.
 */
import type { Category, Status } from './vocabulary.js';
import type { ResponseClock } from '../time/business.js';

/** What the definitions read from a mention. */
export interface MeasuredMention {
  platform: string;
  status: Status;
  category: Category | null;
  createdAt: number;
  fetchedAt: number;
  firstResponseAt: number | null;
}

/** Needs a response: everything but ignored, spam and praise — unless it was answered anyway. */
export function needsResponse(m: Pick<MeasuredMention, 'status' | 'category' | 'firstResponseAt'>): boolean {
  if (m.firstResponseAt !== null) return true;
  return m.status !== 'ignored' && m.status !== 'spam' && m.category !== 'praise';
}

export const NEEDS_RESPONSE_SQL = "(m.first_response_at IS NOT NULL OR (m.status NOT IN ('ignored','spam') AND coalesce(m.category,'') <> 'praise'))";

/** Still waiting for a first response that it needs: what SLA alerts, the watch status line and triage's SLA clock watch. */
export function awaitingFirstResponse(m: Pick<MeasuredMention, 'status' | 'category' | 'firstResponseAt'>): boolean {
  return m.firstResponseAt === null && needsResponse(m);
}

export const RESPONDED_SQL = '(m.first_response_at IS NOT NULL)';

/** Taken to a private channel or resolved without a public response: handled, but not responded. */
export function handledPrivately(m: Pick<MeasuredMention, 'status' | 'firstResponseAt'>): boolean {
  return m.firstResponseAt === null && (m.status === 'private' || m.status === 'resolved');
}

export const HANDLED_PRIVATELY_SQL = "(m.first_response_at IS NULL AND m.status IN ('private','resolved'))";

/** Time on the clock between two SQL expressions; the business clock needs registerBusinessTimeSql (src/metrics/sql.ts). */
export function elapsedSql(clock: Pick<ResponseClock, 'kind'>, from: string, to: string): string {
  // CASE rather than a scalar max(): the same SQL on SQLite and PostgreSQL, NULL when either end is.
  return clock.kind === 'calendar'
    ? `(CASE WHEN (${to}) IS NULL OR (${from}) IS NULL THEN NULL WHEN (${to}) > (${from}) THEN (${to}) - (${from}) ELSE 0 END)`
    : `bw_business_elapsed(${from}, ${to})`;
}

/** First response time: first response sent − mention created, on the clock; null when unanswered. */
export function firstResponseTime(m: Pick<MeasuredMention, 'createdAt' | 'firstResponseAt'>, clock: ResponseClock): number | null {
  return m.firstResponseAt === null ? null : clock.elapsed(m.createdAt, m.firstResponseAt);
}

export function firstResponseTimeSql(clock: Pick<ResponseClock, 'kind'>): string {
  return `CASE WHEN m.first_response_at IS NOT NULL THEN ${elapsedSql(clock, 'm.created_at', 'm.first_response_at')} END`;
}

/**
 * Detection lag: fetched − created, the part of the wait the polling interval causes. A reply made
 * on the platform before we fetched the mention caps it at the first response.
 */
export function detectionLag(m: Pick<MeasuredMention, 'createdAt' | 'fetchedAt' | 'firstResponseAt'>, clock: ResponseClock): number {
  const detected = m.firstResponseAt === null ? m.fetchedAt : Math.min(m.fetchedAt, m.firstResponseAt);
  return clock.elapsed(m.createdAt, detected);
}

export function detectionLagSql(clock: Pick<ResponseClock, 'kind'>): string {
  return elapsedSql(clock, 'm.created_at', '(CASE WHEN m.first_response_at < m.fetched_at THEN m.first_response_at ELSE m.fetched_at END)');
}

/** Handling time: first response time − detection lag (the person's part). */
export function handlingTime(m: Pick<MeasuredMention, 'createdAt' | 'fetchedAt' | 'firstResponseAt'>, clock: ResponseClock): number | null {
  const frt = firstResponseTime(m, clock);
  return frt === null ? null : frt - detectionLag(m, clock);
}
