import type { Db } from './open.js';
import { statement } from './statements.js';

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

export interface Usage {
  requests: number;
  postsRead: number;
}

/** Usage of one source over [fromDay, toDay] (inclusive, `YYYY-MM-DD`). */
export function usageBetween(db: Db, source: string, fromDay: string, toDay: string): Usage {
  const row = statement<[string, string, string], { requests: number | null; posts: number | null }>(
    db,
    'SELECT sum(requests) AS requests, sum(posts_read) AS posts FROM api_usage WHERE source = ? AND day BETWEEN ? AND ?',
  ).get(source, fromDay, toDay);
  return { requests: row?.requests ?? 0, postsRead: row?.posts ?? 0 };
}

/** Usage in the UTC calendar month of `at` (the billing month of X's API), with a straight-line month-end projection. */
export function monthUsage(db: Db, source: string, at: number): Usage & { projectedPostsRead: number; month: string } {
  const day = usageDay(at);
  const month = day.slice(0, 7);
  const usage = usageBetween(db, source, `${month}-01`, `${month}-31`);
  const date = new Date(at);
  const daysInMonth = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  const elapsedDays = (at - Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)) / 86_400_000;
  const projectedPostsRead = Math.round(usage.postsRead * (daysInMonth / Math.max(elapsedDays, 1)));
  return { ...usage, projectedPostsRead, month };
}
