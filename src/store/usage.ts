import type { Db } from './open.js';
import { priceOf, toMicros, type BilledRead, type PriceTable } from '../metrics/cost.js';

/** UTC calendar day of an instant, the key of the usage counters. */
export function usageDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

export async function addUsage(db: Db, source: string, at: number, requests: number, postsRead: number): Promise<void> {
  await db.run(
    `INSERT INTO api_usage (source, day, requests, posts_read) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, day) DO UPDATE SET requests = api_usage.requests + excluded.requests, posts_read = api_usage.posts_read + excluded.posts_read`,
    [source, usageDay(at), requests, postsRead],
  );
}

/**
 * Bill resources as the platform does: each resource once per UTC day (a post re-read the same day costs
 * nothing). Returns the money billed in micro-dollars. Earlier days' resource lists are pruned: only the
 * current day de-duplicates.
 */
export async function billReads(db: Db, source: string, at: number, reads: readonly BilledRead[], prices: PriceTable): Promise<{ micros: number; billed: number }> {
  const day = usageDay(at);
  await db.run('DELETE FROM api_billed WHERE source = ? AND day < ?', [source, day]);
  const insert = 'INSERT INTO api_billed (source, day, kind, resource) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING';
  let micros = 0;
  let billed = 0;
  for (const read of reads) {
    // X de-duplicates the resource: a post read on an owned timeline and again by lookup is one post.
    const resource = read.kind === 'owned' ? 'post' : read.kind;
    if ((await db.run(insert, [source, day, resource, read.id])).changes === 0) continue;
    micros += toMicros(priceOf(prices, read.kind));
    billed++;
  }
  if (micros > 0 || billed > 0) await addCost(db, source, at, micros, billed);
  return { micros, billed };
}

/** Money spent on a write (a post, a reply), billed per request. */
export async function addCost(db: Db, source: string, at: number, micros: number, billedReads = 0): Promise<void> {
  await db.run(
    `INSERT INTO api_usage (source, day, cost_micros, billed_reads) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, day) DO UPDATE SET cost_micros = api_usage.cost_micros + excluded.cost_micros, billed_reads = api_usage.billed_reads + excluded.billed_reads`,
    [source, usageDay(at), micros, billedReads],
  );
}

export interface Usage {
  requests: number;
  postsRead: number;
  /** Money billed, in micro-dollars (0 on platforms that do not bill). */
  costMicros: number;
}

/** Usage of one source over [fromDay, toDay] (inclusive, `YYYY-MM-DD`). */
export async function usageBetween(db: Db, source: string, fromDay: string, toDay: string): Promise<Usage> {
  const row = await db.get<{ requests: number | null; posts: number | null; cost: number | null }>(
    'SELECT sum(requests) AS requests, sum(posts_read) AS posts, sum(cost_micros) AS cost FROM api_usage WHERE source = ? AND day BETWEEN ? AND ?',
    [source, fromDay, toDay],
  );
  return { requests: row?.requests ?? 0, postsRead: row?.posts ?? 0, costMicros: row?.cost ?? 0 };
}

/** Usage in the UTC calendar month of `at` (the billing month of X's API), with a straight-line month-end projection. */
export async function monthUsage(db: Db, source: string, at: number): Promise<Usage & { projectedPostsRead: number; projectedCostMicros: number; month: string }> {
  const day = usageDay(at);
  const month = day.slice(0, 7);
  const usage = await usageBetween(db, source, `${month}-01`, `${month}-31`);
  const date = new Date(at);
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  const elapsedDays = (at - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)) / 86_400_000;
  const factor = daysInMonth / Math.max(elapsedDays, 1);
  return { ...usage, projectedPostsRead: Math.round(usage.postsRead * factor), projectedCostMicros: Math.round(usage.costMicros * factor), month };
}

/** Store X's counts buckets (the latest answer for a bucket wins: a still-open bucket grows). */
export async function saveVolume(db: Db, source: string, queryKey: string, buckets: readonly { start: number; end: number; count: number }[]): Promise<void> {
  const upsert = `INSERT INTO volume_counts (source, query_key, bucket_start, bucket_end, count) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (source, query_key, bucket_start) DO UPDATE SET bucket_end = excluded.bucket_end, count = excluded.count`;
  for (const b of buckets) await db.run(upsert, [source, queryKey, b.start, b.end, b.count]);
}

/** Platform-counted volume per key (X's counts/recent) in [recentFrom, now] and [baselineFrom, recentFrom), all sources. */
export async function countedVolumes(db: Db, now: number, recentFrom: number, baselineFrom: number): Promise<{ key: string; recent: number; baseline: number; since: number }[]> {
  return db.all<{ key: string; recent: number; baseline: number; since: number }>(
    `SELECT query_key AS key,
       sum(CASE WHEN bucket_start >= @recentFrom THEN count ELSE 0 END) AS recent,
       sum(CASE WHEN bucket_start < @recentFrom THEN count ELSE 0 END) AS baseline,
       min(bucket_start) AS since
     FROM volume_counts WHERE bucket_start >= @baselineFrom AND bucket_start <= @now GROUP BY query_key`,
    { now, recentFrom, baselineFrom },
  );
}

/** Posts counted by the platform in [from, to) for one source (all its groups), from stored buckets. */
export async function volumeBetween(db: Db, source: string, from: number, to: number): Promise<number | null> {
  const row = await db.get<{ n: number | null; buckets: number }>(
    'SELECT sum(count) AS n, count(*) AS buckets FROM volume_counts WHERE source = ? AND bucket_start >= ? AND bucket_start < ?',
    [source, from, to],
  );
  return row && row.buckets > 0 ? (row.n ?? 0) : null;
}
