/**
 * The report's aggregations, in SQL: one pass over the period's mentions (an index-only range scan,
 * see migration 003) per grouping, with percentiles from window functions.
 */
import type { Db } from '../store/open.js';
import type { Clock } from '../time/business.js';
import type { PeriodDay } from '../time/week.js';
import { SQL } from './metrics.js';

export type Dimension = 'platform' | 'keyword' | 'category' | 'day';
export const DIMENSIONS: readonly Dimension[] = ['platform', 'keyword', 'category', 'day'];

const KEY_SQL: Record<Dimension, string> = {
  platform: 'm.platform',
  keyword: "coalesce(m.keyword, '(none)')",
  category: "coalesce(m.category, 'unclassified')",
  day: 'd.day',
};

/** Raw figures of one group, durations in ms on the report's clock (expectations in calendar time). */
export interface GroupFigures {
  keys: string[];
  mentions: number;
  needing: number;
  responded: number;
  handled: number;
  met: number;
  breached: number;
  pending: number;
  within30m: number;
  within2h: number;
  sameDay: number;
  within24h: number;
  frtP50: number | null;
  frtP90: number | null;
  frtMean: number | null;
  lagP50: number | null;
  lagMean: number | null;
  handlingP50: number | null;
  handlingMean: number | null;
}

export interface AggregateSpec {
  from: number;
  until: number;
  days: readonly PeriodDay[];
  clock: Clock;
  params: { targets: string; defaultTarget: number; asOf: number };
}

/** The period's days as rows for SQL: day label, start, end (clipped) and the local midnight ending it. */
function daysJson(days: readonly PeriodDay[]): string {
  return JSON.stringify(days.map((d) => [d.day, d.start, d.end, d.dayEnd]));
}

/** The CTEs every aggregation starts from: the period's days, and one row per measured mention. */
function baseSql(clock: Clock, keys: readonly Dimension[]): string {
  const keyColumns = keys.map((k, i) => `${KEY_SQL[k]} AS k${i}`);
  return `
    WITH days(day, s, e, day_end) AS (
      SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(@days)
    ),
    base AS MATERIALIZED (
      SELECT ${[...keyColumns, "'' AS k_all"].join(', ')},
        ${SQL.needs} AS needs,
        ${SQL.responded} AS responded,
        ${SQL.handled} AS handled,
        ${SQL.frt(clock)} AS frt,
        ${SQL.detectionLag(clock)} AS lag,
        m.first_response_at - m.created_at AS wait,
        m.first_response_at < d.day_end AS same_day,
        ${SQL.breached(clock)} AS breached,
        (m.first_response_at IS NOT NULL AND m.first_response_at <= ${SQL.deadline(clock)}) AS met
      FROM mentions m INDEXED BY mentions_report
      JOIN days d ON m.created_at >= d.s AND m.created_at < d.e
      WHERE m.created_at >= @from AND m.created_at < @until AND m.thread_id IS NULL
    )`;
}

/** Figures per combination of `keys` (none: one row for the whole period). */
export function aggregate(db: Db, spec: AggregateSpec, keys: readonly Dimension[]): GroupFigures[] {
  const cols = keys.length > 0 ? keys.map((_, i) => `k${i}`) : ['k_all'];
  const list = cols.join(', ');
  const sql = `${baseSql(spec.clock, keys)},
    grouped AS (
      SELECT ${list}, count(*) AS mentions, sum(needs) AS needing, sum(responded) AS responded, sum(handled) AS handled,
        sum(met) AS met, sum(breached) AS breached,
        sum(needs AND NOT responded AND NOT breached) AS pending,
        sum(wait <= ${30 * 60_000}) AS within30m, sum(wait <= ${120 * 60_000}) AS within2h,
        sum(same_day) AS same_day, sum(wait <= ${1440 * 60_000}) AS within24h,
        avg(frt) AS frt_mean, avg(lag) FILTER (WHERE responded) AS lag_mean, avg(frt - lag) AS handling_mean
      FROM base GROUP BY ${list}
    ),
    ranked AS (
      SELECT ${list}, frt, lag, frt - lag AS handling,
        row_number() OVER (PARTITION BY ${list} ORDER BY frt) AS r_frt,
        row_number() OVER (PARTITION BY ${list} ORDER BY lag) AS r_lag,
        row_number() OVER (PARTITION BY ${list} ORDER BY frt - lag) AS r_handling,
        count(*) OVER (PARTITION BY ${list}) AS n
      FROM base WHERE responded
    ),
    percentiles AS (
      SELECT ${list},
        max(CASE WHEN r_frt = (n * 50 + 99) / 100 THEN frt END) AS frt_p50,
        max(CASE WHEN r_frt = (n * 90 + 99) / 100 THEN frt END) AS frt_p90,
        max(CASE WHEN r_lag = (n * 50 + 99) / 100 THEN lag END) AS lag_p50,
        max(CASE WHEN r_handling = (n * 50 + 99) / 100 THEN handling END) AS handling_p50
      FROM ranked GROUP BY ${list}
    )
    SELECT g.*, p.frt_p50, p.frt_p90, p.lag_p50, p.handling_p50
    FROM grouped g LEFT JOIN percentiles p USING (${list})
    ORDER BY ${keys.length > 0 ? cols.map((c) => `g.${c}`).join(', ') : '1'}`;
  const rows = db.prepare(sql).all({ ...spec.params, from: spec.from, until: spec.until, days: daysJson(spec.days) }) as Record<string, number | string | null>[];
  return rows.map((r) => ({
    keys: keys.length > 0 ? cols.map((c) => String(r[c])) : [],
    mentions: num(r.mentions),
    needing: num(r.needing),
    responded: num(r.responded),
    handled: num(r.handled),
    met: num(r.met),
    breached: num(r.breached),
    pending: num(r.pending),
    within30m: num(r.within30m),
    within2h: num(r.within2h),
    sameDay: num(r.same_day),
    within24h: num(r.within24h),
    frtP50: nullable(r.frt_p50),
    frtP90: nullable(r.frt_p90),
    frtMean: nullable(r.frt_mean),
    lagP50: nullable(r.lag_p50),
    lagMean: nullable(r.lag_mean),
    handlingP50: nullable(r.handling_p50),
    handlingMean: nullable(r.handling_mean),
  }));
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function nullable(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

export interface BreachRow {
  id: number;
  platform: string;
  url: string | null;
  author: string;
  text: string;
  status: string;
  category: string | null;
  createdAt: number;
  deadline: number;
  firstResponseAt: number | null;
  /** How far past the deadline: to the response, or to `asOf` while unanswered. */
  overdue: number;
}

/** The worst SLA breaches of the period, most overdue first. */
export function worstBreaches(db: Db, spec: AggregateSpec, limit: number): BreachRow[] {
  const deadline = SQL.deadline(spec.clock);
  const sql = `
    SELECT m.id, m.platform, m.url, m.author_handle AS author, m.text, m.status, m.category, m.created_at,
      ${deadline} AS deadline, m.first_response_at,
      coalesce(m.first_response_at, @asOf) - ${deadline} AS overdue
    FROM mentions m INDEXED BY mentions_report
    WHERE m.created_at >= @from AND m.created_at < @until AND m.thread_id IS NULL AND ${SQL.breached(spec.clock)}
    ORDER BY overdue DESC, m.id LIMIT @limit`;
  const rows = db.prepare(sql).all({ ...spec.params, from: spec.from, until: spec.until, limit }) as {
    id: number;
    platform: string;
    url: string | null;
    author: string;
    text: string;
    status: string;
    category: string | null;
    created_at: number;
    deadline: number;
    first_response_at: number | null;
    overdue: number;
  }[];
  return rows.map((r) => ({
    id: r.id,
    platform: r.platform,
    url: r.url,
    author: r.author,
    text: r.text,
    status: r.status,
    category: r.category,
    createdAt: r.created_at,
    deadline: r.deadline,
    firstResponseAt: r.first_response_at,
    overdue: r.overdue,
  }));
}

export interface FollowUp {
  id: number;
  platform: string;
  createdAt: number;
  /** Our next reply in the thread after the follow-up, if any. */
  nextResponseAt: number | null;
}

/**
 * Follow-ups of the period that came after our reply in their thread (DESIGN §4), with our next
 * reply in that thread.
 */
export function followUps(db: Db, spec: Pick<AggregateSpec, 'from' | 'until'>): FollowUp[] {
  const sql = `
    SELECT f.id, f.platform, f.created_at,
      (SELECT min(r.sent_at) FROM responses r
        WHERE r.state = 'sent' AND r.sent_at >= f.created_at
          AND r.mention_id IN (SELECT t.id FROM mentions t WHERE t.id = f.thread_id
                               UNION SELECT t.id FROM mentions t WHERE t.thread_id = f.thread_id)) AS next_at
    FROM mentions f JOIN mentions root ON root.id = f.thread_id
    WHERE f.thread_id IS NOT NULL AND f.created_at >= @from AND f.created_at < @until
      AND root.first_response_at IS NOT NULL AND root.first_response_at <= f.created_at
    ORDER BY f.created_at`;
  return (db.prepare(sql).all({ from: spec.from, until: spec.until }) as { id: number; platform: string; created_at: number; next_at: number | null }[]).map(
    (r) => ({ id: r.id, platform: r.platform, createdAt: r.created_at, nextResponseAt: r.next_at }),
  );
}

export interface BacklogRow {
  platform: string;
  open: number;
  oldestAt: number | null;
}

/** Items still waiting for the person now (new or open), per platform. */
export function openBacklog(db: Db): BacklogRow[] {
  return (
    db
      .prepare(
        `SELECT platform, count(*) AS open, min(created_at) AS oldest FROM mentions
         WHERE status IN ('new', 'open') AND thread_id IS NULL GROUP BY platform ORDER BY platform`,
      )
      .all() as { platform: string; open: number; oldest: number | null }[]
  ).map((r) => ({ platform: r.platform, open: r.open, oldestAt: r.oldest }));
}
