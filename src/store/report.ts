/**
 * The report's and the export's queries over a period: one pass over the period's mentions (an
 * index-only range scan, see migration 003) per grouping, with the metric definitions spliced in as
 * SQL from src/metrics. The arithmetic on the rows stays in src/report.
 */
import type { Db } from './open.js';
import type { MetricSql } from '../metrics/sql.js';
import { openItemSql } from '../metrics/open.js';
import type { PeriodDay } from '../time/week.js';
import type { EngineKind } from './engine.js';
import { countWhere, indexedBy, jsonArrayItems, limitValue, orderedJoin } from './dialect.js';

/** A period as the queries read it: its bounds, its local days, and the definitions as SQL. */
export interface PeriodQuery {
  from: number;
  until: number;
  days: readonly PeriodDay[];
  sql: MetricSql;
}

/** A grouping finer than platform × day that the report may ask for. */
export type ExtraGrouping = 'keyword' | 'category' | 'person' | null;

/**
 * Who an item counts for in a report by person: the person who sent its first response (a reply made on the
 * platform itself counts as "(on the platform)"); while unanswered, the person it is assigned to.
 */
const PERSON_SQL = `coalesce(
  (SELECT CASE WHEN r.via = 'native' THEN '(on the platform)' ELSE coalesce(r.actor, '(unknown)') END FROM responses r
    WHERE r.state = 'sent' AND r.sent_at = m.first_response_at
      AND (r.mention_id = m.id OR r.mention_id IN (SELECT t.id FROM mentions t WHERE t.thread_id = m.id))
    ORDER BY r.id LIMIT 1),
  CASE WHEN m.first_response_at IS NOT NULL THEN '(unknown)' END,
  m.assigned_to,
  '(unassigned)')`;

const EXTRA_KEY_SQL: Record<'keyword' | 'category' | 'person', string> = {
  keyword: "coalesce(m.keyword, '(none)')",
  category: "coalesce(m.category, 'unclassified')",
  person: PERSON_SQL,
};

/** The period's days as rows for SQL: each day's start and end (clipped to the period), by position. */
function daysJson(days: readonly PeriodDay[]): string {
  return JSON.stringify(days.map((d) => [d.start, d.end]));
}

/**
 * The period's measured mentions (thread roots): one index range scan per day, the day's own bounds the
 * range. The days are clipped to the period, so their ranges are the period and nothing else bounds it (a
 * second range over the whole period beside them would be scanned once per day).
 */
const fromPeriod = (kind: EngineKind) => `
    FROM days d ${orderedJoin(kind)} mentions m${indexedBy(kind, 'mentions_report')} ON m.created_at >= d.s AND m.created_at < d.e
    WHERE m.thread_id IS NULL`;

/**
 * The days as a materialised table: not flattened into the join, so the bounds are read out of the JSON
 * once per day, not once per mention (SQLite ≥ 3.35 and PostgreSQL ≥ 12 know MATERIALIZED). `->>` gives
 * text on PostgreSQL: the bounds are cast back to integers (SQLite's are integers already).
 */
const daysCte = (kind: EngineKind) => `WITH days(idx, s, e) AS MATERIALIZED (
  SELECT d.key, ${[0, 1].map((i) => (kind === 'postgres' ? `(d.value ->> ${i})::bigint` : `d.value ->> ${i}`)).join(', ')}
  FROM ${jsonArrayItems(kind, '@days', 'd')}
)`;

function periodParams(q: PeriodQuery) {
  return { ...q.sql.params, days: daysJson(q.days) };
}

/** Counts at the finest grain (platform, day index, extra key): mentions, needing, handled privately, breached. */
export type PeriodCountRow = [platform: string, dayIndex: number, extra: string, mentions: number, needing: number, handled: number, breached: number];

export async function periodCounts(db: Db, q: PeriodQuery, extra: ExtraGrouping): Promise<PeriodCountRow[]> {
  const { sql } = q;
  const extraKey = extra ? EXTRA_KEY_SQL[extra] : "''";
  return db.rows<PeriodCountRow>(
    `${daysCte(db.kind)}
      SELECT m.platform, d.idx, ${extraKey}, count(*), ${countWhere(sql.needs)}, ${countWhere(sql.handled)}, ${countWhere(sql.breached)}
      ${fromPeriod(db.kind)}
      GROUP BY 1, 2, 3`,
    periodParams(q),
  );
}

/** One answered mention: where it groups, its first response time and detection lag on the clock, and whether it met the SLA. */
export type AnsweredRow = [platform: string, dayIndex: number, extra: string, frt: number, lag: number, createdAt: number, firstResponseAt: number, met: number];

/**
 * The period's answered mentions, a batch of rows at a time, in no particular order: the report sorts each
 * group's response times itself (a sort per group of plain numbers costs less than SQLite's sort of the rows).
 */
export function answeredInPeriod(db: Db, q: PeriodQuery, extra: ExtraGrouping): AsyncIterable<AnsweredRow[]> {
  const { sql } = q;
  const extraKey = extra ? EXTRA_KEY_SQL[extra] : "''";
  return db.batches<AnsweredRow>(
    `${daysCte(db.kind)}
      SELECT m.platform, d.idx, ${extraKey}, ${sql.frt} AS frt, ${sql.detectionLag}, m.created_at, m.first_response_at,
        CASE WHEN ${sql.metOf('m.first_response_at', sql.deadline)} THEN 1 ELSE 0 END
      ${fromPeriod(db.kind)} AND m.first_response_at IS NOT NULL`,
    periodParams(q),
  );
}

export interface BreachRow {
  id: number;
  platform: string;
  url: string | null;
  author: string;
  text: string;
  channel: 'public' | 'dm';
  status: string;
  category: string | null;
  createdAt: number;
  deadline: number;
  firstResponseAt: number | null;
  /** How far past the deadline: to the response, or to `asOf` while unanswered. */
  overdue: number;
}

/** The worst SLA breaches of the period, most overdue first. */
export async function worstBreaches(db: Db, q: Pick<PeriodQuery, 'from' | 'until' | 'sql'>, limit: number): Promise<BreachRow[]> {
  const deadline = q.sql.deadline;
  const rows = await db.all<{
    id: number;
    platform: string;
    url: string | null;
    author: string;
    text: string;
    channel: 'public' | 'dm';
    status: string;
    category: string | null;
    created_at: number;
    deadline: number;
    first_response_at: number | null;
    overdue: number;
  }>(
    `SELECT m.id, m.platform, m.url, m.author_handle AS author, m.text, m.channel, m.status, m.category, m.created_at,
        ${deadline} AS deadline, m.first_response_at,
        coalesce(m.first_response_at, @asOf) - ${deadline} AS overdue
      FROM mentions m${indexedBy(db.kind, 'mentions_report')}
      WHERE m.created_at >= @from AND m.created_at < @until AND m.thread_id IS NULL AND ${q.sql.breached}
      ORDER BY overdue DESC, m.id LIMIT @limit`,
    { ...q.sql.params, from: q.from, until: q.until, limit: limitValue(db.kind, limit) },
  );
  return rows.map((r) => ({
    id: r.id,
    platform: r.platform,
    url: r.url,
    author: r.author,
    text: r.text,
    channel: r.channel,
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
export async function followUps(db: Db, q: Pick<PeriodQuery, 'from' | 'until'>): Promise<FollowUp[]> {
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
  return (await db.all<{ id: number; platform: string; created_at: number; next_at: number | null }>(sql, { from: q.from, until: q.until })).map(
    (r) => ({ id: r.id, platform: r.platform, createdAt: r.created_at, nextResponseAt: r.next_at }),
  );
}

export interface BacklogRow {
  platform: string;
  open: number;
  oldestAt: number | null;
}

/**
 * The partial index of open items (`… WHERE` openItemSql()), where the store has one. SQLite's planner
 * prices a full scan of a partial index as one of the whole table and never picks it on its own, so the
 * backlog query names it; a store without it (or with another definition) is served by the status index.
 */
export const OPEN_ITEMS_INDEX = 'mentions_open_items';

const BACKLOG_SQL = (hint: string) =>
  `SELECT platform, count(*) AS open, min(created_at) AS oldest FROM mentions${hint} WHERE ${openItemSql()} GROUP BY platform ORDER BY platform`;

/** Open items still waiting for the person now, per platform: the open items' own index, not a scan of every status entry. */
export async function openBacklog(db: Db): Promise<BacklogRow[]> {
  type Row = { platform: string; open: number; oldest: number | null };
  let rows: Row[] | null = null;
  if (db.kind === 'sqlite' && (await db.get(`SELECT 1 AS present FROM sqlite_master WHERE type = 'index' AND name = ?`, [OPEN_ITEMS_INDEX]))) {
    try {
      rows = await db.all<Row>(BACKLOG_SQL(indexedBy(db.kind, OPEN_ITEMS_INDEX)));
    } catch (error) {
      // An index of that name whose definition this query does not imply: the planner's own choice.
      if (!/no query solution/i.test(String((error as Error).message))) throw error;
    }
  }
  rows ??= await db.all<Row>(BACKLOG_SQL(''));
  return rows.map((r) => ({ platform: r.platform, open: r.open, oldestAt: r.oldest }));
}

/** Runs a one-way scan with a small page cache (it gains nothing from a big one), restoring the size after. */
export async function withSmallPageCache<T>(db: Db, scan: () => Promise<T>): Promise<T> {
  if (db.kind !== 'sqlite') return scan();
  const cacheSize = (await db.get<{ cache_size: number }>('PRAGMA cache_size'))!.cache_size;
  await db.exec('PRAGMA cache_size = -2000');
  try {
    return await scan();
  } finally {
    await db.exec(`PRAGMA cache_size = ${Number(cacheSize)}`);
  }
}
