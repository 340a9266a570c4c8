import type { Db } from './open.js';
import { statement } from './statements.js';
import { priceOf, toMicros, type BilledRead, type PriceTable } from '../metrics/cost.js';

/** UTC calendar day of an instant, the key of the usage counters. */
export function usageDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export function addUsage(db: Db, source: string, at: number, requests: number, postsRead: number): void {
  statement(
    db,
    `INSERT INTO api_usage (source, day, requests, posts_read) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, day) DO UPDATE SET requests = requests + excluded.requests, posts_read = posts_read + excluded.posts_read`,
  ).run(source, usageDay(at), requests, postsRead);
}

/**
 * Bill resources as the platform does: each resource once per UTC day (a post re-read the same day costs
 * nothing). Returns the money billed in micro-dollars. Earlier days' resource lists are pruned: only the
 * current day de-duplicates.
 */
export function billReads(db: Db, source: string, at: number, reads: readonly BilledRead[], prices: PriceTable): { micros: number; billed: number } {
  const day = usageDay(at);
  statement(db, 'DELETE FROM api_billed WHERE source = ? AND day < ?').run(source, day);
  const insert = statement(db, 'INSERT INTO api_billed (source, day, kind, resource) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
  let micros = 0;
  let billed = 0;
  for (const read of reads) {
    // X de-duplicates the resource: a post read on an owned timeline and again by lookup is one post.
    const resource = read.kind === 'owned' ? 'post' : read.kind;
    if (insert.run(source, day, resource, read.id).changes === 0) continue;
    micros += toMicros(priceOf(prices, read.kind));
    billed++;
  }
  if (micros > 0 || billed > 0) addCost(db, source, at, micros, billed);
  return { micros, billed };
}

/** Money spent on a write (a post, a reply), billed per request. */
export function addCost(db: Db, source: string, at: number, micros: number, billedReads = 0): void {
  statement(
    db,
    `INSERT INTO api_usage (source, day, cost_micros, billed_reads) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, day) DO UPDATE SET cost_micros = cost_micros + excluded.cost_micros, billed_reads = billed_reads + excluded.billed_reads`,
  ).run(source, usageDay(at), micros, billedReads);
}

export interface Usage {
  requests: number;
  postsRead: number;
  /** Money billed, in micro-dollars (0 on platforms that do not bill). */
  costMicros: number;
}

/** Usage of one source over [fromDay, toDay] (inclusive, `YYYY-MM-DD`). */
export function usageBetween(db: Db, source: string, fromDay: string, toDay: string): Usage {
  const row = statement<[string, string, string], { requests: number | null; posts: number | null; cost: number | null }>(
    db,
    'SELECT sum(requests) AS requests, sum(posts_read) AS posts, sum(cost_micros) AS cost FROM api_usage WHERE source = ? AND day BETWEEN ? AND ?',
  ).get(source, fromDay, toDay);
  return { requests: row?.requests ?? 0, postsRead: row?.posts ?? 0, costMicros: row?.cost ?? 0 };
}

/** Usage in the UTC calendar month of `at` (the billing month of X's API), with a straight-line month-end projection. */
export function monthUsage(db: Db, source: string, at: number): Usage & { projectedPostsRead: number; projectedCostMicros: number; month: string } {
  const day = usageDay(at);
  const month = day.slice(0, 7);
  const usage = usageBetween(db, source, `${month}-01`, `${month}-31`);
  const date = new Date(at);
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  const elapsedDays = (at - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)) / 86_400_000;
  const factor = daysInMonth / Math.max(elapsedDays, 1);
  return { ...usage, projectedPostsRead: Math.round(usage.postsRead * factor), projectedCostMicros: Math.round(usage.costMicros * factor), month };
}

/** Store X's counts buckets (the latest answer for a bucket wins: a still-open bucket grows). */
export function saveVolume(db: Db, source: string, queryKey: string, buckets: readonly { start: number; end: number; count: number }[]): void {
  const upsert = statement(
    db,
    `INSERT INTO volume_counts (source, query_key, bucket_start, bucket_end, count) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (source, query_key, bucket_start) DO UPDATE SET bucket_end = excluded.bucket_end, count = excluded.count`,
  );
  for (const b of buckets) upsert.run(source, queryKey, b.start, b.end, b.count);
}

/** Platform-counted volume per key (X's counts/recent) in [recentFrom, now] and [baselineFrom, recentFrom), all sources. */
export function countedVolumes(db: Db, now: number, recentFrom: number, baselineFrom: number): { key: string; recent: number; baseline: number; since: number }[] {
  return statement<{ now: number; recentFrom: number; baselineFrom: number }, { key: string; recent: number; baseline: number; since: number }>(
    db,
    `SELECT query_key AS key,
       sum(CASE WHEN bucket_start >= @recentFrom THEN count ELSE 0 END) AS recent,
       sum(CASE WHEN bucket_start < @recentFrom THEN count ELSE 0 END) AS baseline,
       min(bucket_start) AS since
     FROM volume_counts WHERE bucket_start >= @baselineFrom AND bucket_start <= @now GROUP BY query_key`,
  ).all({ now, recentFrom, baselineFrom });
}

/** Posts counted by the platform in [from, to) for one source (all its groups), from stored buckets. */
export function volumeBetween(db: Db, source: string, from: number, to: number): number | null {
  const row = statement<[string, number, number], { n: number | null; buckets: number }>(
    db,
    'SELECT sum(count) AS n, count(*) AS buckets FROM volume_counts WHERE source = ? AND bucket_start >= ? AND bucket_start < ?',
  ).get(source, from, to);
  return row && row.buckets > 0 ? (row.n ?? 0) : null;
}
