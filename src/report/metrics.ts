/**
 * The metric definitions (DESIGN §8), in one place for the report, the CSV export and triage.
 * Each definition exists twice: as a pure function over one mention, and as the SQL fragment the
 * aggregations run over millions of rows. test/report/metrics.test.ts checks that both agree.
 */
import type { Database } from 'better-sqlite3';
import type { ResponseClock } from '../time/business.js';
import type { Category, Status } from '../store/mentions.js';

const MINUTE = 60_000;

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

/** Taken to a private channel or resolved without a public response: handled, but not responded. */
export function handledPrivately(m: Pick<MeasuredMention, 'status' | 'firstResponseAt'>): boolean {
  return m.firstResponseAt === null && (m.status === 'private' || m.status === 'resolved');
}

/** First response time: first response sent − mention created, on the clock; null when unanswered. */
export function firstResponseTime(m: Pick<MeasuredMention, 'createdAt' | 'firstResponseAt'>, clock: ResponseClock): number | null {
  return m.firstResponseAt === null ? null : clock.elapsed(m.createdAt, m.firstResponseAt);
}

/**
 * Detection lag: fetched − created, the part of the wait the polling interval causes. A reply made
 * on the platform before we fetched the mention caps it at the first response.
 */
export function detectionLag(m: Pick<MeasuredMention, 'createdAt' | 'fetchedAt' | 'firstResponseAt'>, clock: ResponseClock): number {
  const detected = m.firstResponseAt === null ? m.fetchedAt : Math.min(m.fetchedAt, m.firstResponseAt);
  return clock.elapsed(m.createdAt, detected);
}

/** Handling time: first response time − detection lag (the person's part). */
export function handlingTime(m: Pick<MeasuredMention, 'createdAt' | 'fetchedAt' | 'firstResponseAt'>, clock: ResponseClock): number | null {
  const frt = firstResponseTime(m, clock);
  return frt === null ? null : frt - detectionLag(m, clock);
}

export type SlaState = 'met' | 'breached' | 'pending' | 'not-needed';

/**
 * Against the first-response deadline (see slaDeadline): met when answered by it; breached when
 * answered after it, or unanswered once `asOf` has passed it; pending while still within it.
 */
export function slaState(m: MeasuredMention, deadline: number, asOf: number): SlaState {
  if (!needsResponse(m)) return 'not-needed';
  if (m.firstResponseAt !== null) return m.firstResponseAt <= deadline ? 'met' : 'breached';
  return asOf > deadline ? 'breached' : 'pending';
}

/** Answered the same local calendar day: before the local midnight that ends the day it was created. */
export function answeredSameDay(firstResponseAt: number | null, createdDayEnd: number): boolean {
  return firstResponseAt !== null && firstResponseAt < createdDayEnd;
}

/** Nearest-rank percentile of ascending values: the smallest value with at least p% of values at or below it. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

export function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

/** A share rounded for reports; null when nothing to divide by. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

/** Milliseconds as minutes with one decimal, as the report and CSV print them. */
export function minutes(ms: number | null): number | null {
  return ms === null ? null : Math.round((ms / MINUTE) * 10) / 10;
}

/** The expectation table's thresholds (calendar time: that is how customers wait). */
export const EXPECTATIONS = [
  { key: 'within30m', label: 'within 30 min', ms: 30 * MINUTE },
  { key: 'within2h', label: 'within 2 h', ms: 120 * MINUTE },
  { key: 'sameDay', label: 'same day', ms: null },
  { key: 'within24h', label: 'within 24 h', ms: 1440 * MINUTE },
] as const;
export type ExpectationKey = (typeof EXPECTATIONS)[number]['key'];

/**
 * Share of customers expecting an answer within each threshold, from the surveys behind the product
 * (DESIGN §1). Platforms without their own survey are compared with X/Twitter's figures.
 */
export const CUSTOMER_EXPECTATIONS: Record<string, Partial<Record<ExpectationKey, number>>> = {
  twitter: { within30m: 0.3, within2h: 0.5, sameDay: 0.83 },
  facebook: { sameDay: 0.71, within24h: 0.5 },
};

export function customerExpectations(platform: string): { survey: string; figures: Partial<Record<ExpectationKey, number>> } {
  const own = CUSTOMER_EXPECTATIONS[platform];
  return own ? { survey: platform, figures: own } : { survey: 'twitter', figures: CUSTOMER_EXPECTATIONS.twitter! };
}

/** SQL fragments of the definitions for one clock and set of SLA targets, with the parameters they read. */
export interface MetricSql {
  needs: string;
  responded: string;
  handled: string;
  /** The platform's first-response target in ms. */
  target: string;
  deadline: string;
  frt: string;
  detectionLag: string;
  /** True when the mention breached its deadline: answered late, or unanswered past it as of `@asOf`. */
  breached: string;
  /** The breach rule over already computed columns (needs, deadline, first response). */
  breachedOf(needs: string, deadline: string, firstResponse: string): string;
  /** Answered by the deadline, over already computed columns. */
  metOf(firstResponse: string, deadline: string): string;
  elapsed(from: string, to: string): string;
  params: Record<string, number | string>;
}

/**
 * The same definitions as SQL over `mentions` rows aliased `m`. Targets become a CASE over
 * parameters (no per-row JSON); the business clock calls functions that registerBusinessTimeSql() adds.
 */
export function metricSql(clock: ResponseClock, sla: Record<string, number>, asOf: number): MetricSql {
  const params: Record<string, number | string> = { asOf, defaultTarget: sla.default ?? 86_400_000 };
  const cases = Object.keys(sla)
    .filter((platform) => platform !== 'default')
    .sort()
    .map((platform, i) => {
      params[`slaPlatform${i}`] = platform;
      params[`slaTarget${i}`] = sla[platform]!;
      return ` WHEN @slaPlatform${i} THEN @slaTarget${i}`;
    });
  const target = cases.length > 0 ? `(CASE m.platform${cases.join('')} ELSE @defaultTarget END)` : '@defaultTarget';
  const elapsed = (from: string, to: string) =>
    clock.kind === 'calendar' ? `max(0, (${to}) - (${from}))` : `bw_business_elapsed(${from}, ${to})`;
  const needs = "(m.first_response_at IS NOT NULL OR (m.status NOT IN ('ignored','spam') AND coalesce(m.category,'') <> 'praise'))";
  const deadline = clock.kind === 'calendar' ? `(m.created_at + ${target})` : `bw_business_add(m.created_at, ${target})`;
  const breachedOf = (n: string, d: string, fra: string) => `(${n} AND ${d} < coalesce(${fra}, @asOf))`;
  return {
    needs,
    responded: '(m.first_response_at IS NOT NULL)',
    handled: "(m.first_response_at IS NULL AND m.status IN ('private','resolved'))",
    target,
    deadline,
    frt: `CASE WHEN m.first_response_at IS NOT NULL THEN ${elapsed('m.created_at', 'm.first_response_at')} END`,
    detectionLag: elapsed('m.created_at', 'min(m.fetched_at, coalesce(m.first_response_at, m.fetched_at))'),
    breached: breachedOf(needs, deadline, 'm.first_response_at'),
    breachedOf,
    metOf: (fra, d) => `(${fra} IS NOT NULL AND ${fra} <= ${d})`,
    elapsed,
    params,
  };
}

/** Makes the business clock's SQL functions available on a connection (no-op for the calendar clock). */
export function registerBusinessTimeSql(db: Database, clock: ResponseClock): void {
  if (clock.kind === 'calendar') return;
  db.function('bw_business_elapsed', { deterministic: true }, (from: unknown, to: unknown) =>
    clock.elapsed(Number(from), Number(to)),
  );
  db.function('bw_business_add', { deterministic: true }, (from: unknown, duration: unknown) => {
    const at = clock.add(Number(from), Number(duration));
    return Number.isFinite(at) ? at : Number.MAX_SAFE_INTEGER;
  });
}

/** A SQL fragment with `@name` parameters rewritten to positional ones, for queries built with `?`. */
export function positional(sql: string, named: Record<string, unknown>): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const text = sql.replace(/@(\w+)/g, (_, name: string) => {
    if (!(name in named)) throw new Error(`no value for SQL parameter @${name}`);
    params.push(named[name]);
    return '?';
  });
  return { sql: text, params };
}

/** The SLA breach rule as a list filter: `list --breached`. */
export function breachCondition(clock: ResponseClock, sla: Record<string, number>, asOf: number): { sql: string; params: unknown[] } {
  const sql = metricSql(clock, sla, asOf);
  return positional(sql.breached, sql.params);
}
