/**
 * The report's aggregations, in SQL: one pass over the period's mentions (an index-only range scan,
 * see migration 003) per grouping, with percentiles from window functions.
 */
import type { Db } from '../store/open.js';
import type { ResponseClock } from '../time/business.js';
import type { PeriodDay } from '../time/week.js';
import { answeredSameDay, EXPECTATIONS, type ExpectationKey, type MetricSql } from './metrics.js';

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
  key: string;
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
  lagMean: number | null;
  handlingMean: number | null;
}

export interface AggregateSpec {
  from: number;
  until: number;
  days: readonly PeriodDay[];
  clock: ResponseClock;
  /** The metric definitions as SQL for this clock and these targets. */
  sql: MetricSql;
}

/** Every grouping the report, the charts and the summary export draw from one period. */
export interface PeriodFigures {
  all: GroupFigures;
  platform: GroupFigures[];
  day: GroupFigures[];
  /** By the extra dimension asked for (keyword or category), when there is one. */
  extra: GroupFigures[];
  /** Key `${day}\t${platform}`. */
  dayPlatform: GroupFigures[];
}

/** The period's days as rows for SQL: day label, start, end (clipped) and the local midnight ending it. */
function daysJson(days: readonly PeriodDay[]): string {
  return JSON.stringify(days.map((d) => [d.day, d.start, d.end, d.dayEnd]));
}

/** The period's measured mentions (thread roots), days outside and mentions inside: one index range scan per day. */
function fromPeriod(): string {
  return `
    FROM days d CROSS JOIN mentions m INDEXED BY mentions_report ON m.created_at >= d.s AND m.created_at < d.e
    WHERE m.created_at >= @from AND m.created_at < @until AND m.thread_id IS NULL`;
}

const DAYS_CTE = `WITH days(idx, day, s, e, day_end) AS (
  SELECT key, value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(@days)
)`;

interface Accumulator extends Omit<GroupFigures, 'frtP50' | 'frtP90' | 'frtMean' | 'lagMean' | 'handlingMean'> {
  frtSum: number;
  lagSum: number;
  /** First response times in ascending order (the scan delivers them sorted). */
  frts: number[];
}

function accumulator(key: string): Accumulator {
  return { key, mentions: 0, needing: 0, responded: 0, handled: 0, met: 0, breached: 0, pending: 0, within30m: 0, within2h: 0, sameDay: 0, within24h: 0, frtSum: 0, lagSum: 0, frts: [] };
}

/** Nearest rank, as metrics.percentile, on an ascending array. */
function rank(sorted: readonly number[], p: number): number | null {
  return sorted.length === 0 ? null : sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

function finish(a: Accumulator): GroupFigures {
  const { frtSum, lagSum, frts, ...counts } = a;
  return {
    ...counts,
    // Every needing mention is met, breached, or still within its deadline.
    pending: a.needing - a.met - a.breached,
    frtP50: rank(frts, 50),
    frtP90: rank(frts, 90),
    frtMean: a.responded === 0 ? null : frtSum / a.responded,
    lagMean: a.responded === 0 ? null : lagSum / a.responded,
    handlingMean: a.responded === 0 ? null : (frtSum - lagSum) / a.responded,
  };
}

/**
 * All groupings of a period in two passes over the index range: a GROUP BY at the finest grain
 * (platform × day × extra) of the counts every mention adds to, whose sums roll up; and an ordered
 * scan of the answered mentions by first-response time, which gives exact percentiles for every
 * group and the answered-only figures.
 */
export function aggregatePeriod(db: Db, spec: AggregateSpec, extra: Dimension | null): PeriodFigures {
  const { sql } = spec;
  const extraKey = extra === 'keyword' || extra === 'category' ? KEY_SQL[extra] : "''";
  const params = { ...sql.params, from: spec.from, until: spec.until, days: daysJson(spec.days) };
  const counts = db
    .prepare(
      `${DAYS_CTE}
      SELECT m.platform, d.idx, ${extraKey}, count(*), total(${sql.needs}), total(${sql.handled}), total(${sql.breached})
      ${fromPeriod()}
      GROUP BY 1, 2, 3`,
    )
    .raw(true)
    .all(params) as [string, number, string, number, number, number, number][];

  const groups = { all: new Map<string, Accumulator>(), platform: new Map(), day: new Map(), extra: new Map(), dayPlatform: new Map() } as Record<keyof PeriodFigures, Map<string, Accumulator>>;
  const targets = (platform: string, day: string, extraValue: string): Accumulator[] => {
    const keyed: [keyof PeriodFigures, string][] = [
      ['all', ''],
      ['platform', platform],
      ['day', day],
      ['dayPlatform', `${day}\t${platform}`],
    ];
    if (extra === 'keyword' || extra === 'category') keyed.push(['extra', extraValue]);
    return keyed.map(([grouping, key]) => {
      let a = groups[grouping].get(key);
      if (!a) groups[grouping].set(key, (a = accumulator(key)));
      return a;
    });
  };
  for (const [platform, dayIndex, extraValue, mentions, needing, handled, breached] of counts) {
    for (const a of targets(platform, spec.days[dayIndex]!.day, extraValue)) {
      a.mentions += mentions;
      a.needing += needing;
      a.handled += handled;
      a.breached += breached;
    }
  }

  // The answered mentions, fastest first: percentiles fall out of the order, and the answered-only
  // figures (met, expectation shares, time sums) are counted on the way.
  const scan = db
    .prepare(
      `${DAYS_CTE}
      SELECT m.platform, d.idx, ${extraKey}, ${sql.frt} AS frt, ${sql.detectionLag}, m.created_at, m.first_response_at,
        ${sql.metOf('m.first_response_at', sql.deadline)}
      ${fromPeriod()} AND m.first_response_at IS NOT NULL
      ORDER BY frt`,
    )
    .raw(true);
  const within = Object.fromEntries(EXPECTATIONS.map((e) => [e.key, e.ms ?? 0])) as Record<ExpectationKey, number>;
  let lastKey = '';
  let lastTargets: Accumulator[] = [];
  for (const [platform, dayIndex, extraValue, frt, lag, createdAt, firstResponseAt, met] of scan.iterate(params) as Iterable<
    [string, number, string, number, number, number, number, number]
  >) {
    const day = spec.days[dayIndex]!;
    const key = `${platform}\t${dayIndex}\t${extraValue}`;
    if (key !== lastKey) {
      lastKey = key;
      lastTargets = targets(platform, day.day, extraValue);
    }
    // Expectations are measured in calendar time: that is how customers wait.
    const wait = firstResponseAt - createdAt;
    const w30 = wait <= within.within30m ? 1 : 0;
    const w2h = wait <= within.within2h ? 1 : 0;
    const w24 = wait <= within.within24h ? 1 : 0;
    const sameDay = answeredSameDay(firstResponseAt, day.dayEnd) ? 1 : 0;
    for (const a of lastTargets) {
      a.responded++;
      a.met += met;
      a.within30m += w30;
      a.within2h += w2h;
      a.within24h += w24;
      a.sameDay += sameDay;
      a.frtSum += frt;
      a.lagSum += lag;
      a.frts.push(frt);
    }
  }
  const sorted = (grouping: keyof PeriodFigures) => [...groups[grouping].values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map(finish);
  return {
    all: finish(groups.all.get('') ?? accumulator('')),
    platform: sorted('platform'),
    day: sorted('day'),
    extra: sorted('extra'),
    dayPlatform: sorted('dayPlatform'),
  };
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
  const deadline = spec.sql.deadline;
  const sql = `
    SELECT m.id, m.platform, m.url, m.author_handle AS author, m.text, m.status, m.category, m.created_at,
      ${deadline} AS deadline, m.first_response_at,
      coalesce(m.first_response_at, @asOf) - ${deadline} AS overdue
    FROM mentions m INDEXED BY mentions_report
    WHERE m.created_at >= @from AND m.created_at < @until AND m.thread_id IS NULL AND ${spec.sql.breached}
    ORDER BY overdue DESC, m.id LIMIT @limit`;
  const rows = db.prepare(sql).all({ ...spec.sql.params, from: spec.from, until: spec.until, limit }) as {
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
