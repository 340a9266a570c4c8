import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { openStore, type Store } from '../../src/store/open.js';
import { openBacklog, OPEN_ITEMS_INDEX, periodCounts, answeredInPeriod } from '../../src/store/report.js';
import { metricSql } from '../../src/metrics/sql.js';
import { CALENDAR_TIME } from '../../src/time/business.js';
import { periodDays } from '../../src/time/week.js';
import { seedDatabase } from './fixture.js';

let store: Store;
const DAY = 86_400_000;
const start = Date.parse('2026-11-16T00:00:00Z');

/** The SQL each query sends, with the plan SQLite makes of it. */
async function plansOf(run: () => Promise<unknown>): Promise<string[]> {
  const db = store.db;
  const sent: [string, unknown][] = [];
  const all = db.all.bind(db);
  const rows = db.rows.bind(db);
  const stream = db.stream.bind(db);
  const batches = db.batches.bind(db);
  db.all = (async (sql: string, params?: never) => (sent.push([sql, params]), all(sql, params))) as typeof db.all;
  db.rows = (async (sql: string, params?: never) => (sent.push([sql, params]), rows(sql, params))) as typeof db.rows;
  db.stream = ((sql: string, params?: never) => (sent.push([sql, params]), stream(sql, params))) as typeof db.stream;
  db.batches = ((sql: string, params?: never) => (sent.push([sql, params]), batches(sql, params))) as typeof db.batches;
  try {
    await run();
  } finally {
    db.all = all;
    db.rows = rows;
    db.stream = stream;
    db.batches = batches;
  }
  const plans: string[] = [];
  for (const [sql, params] of sent) {
    const plan = await all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params as never);
    plans.push(plan.map((p) => p.detail).join(' | '));
  }
  return plans;
}

beforeAll(async () => {
  const path = join(tempDir(), 'bw.db');
  const platforms = ['twitter', 'facebook', 'reddit'];
  const statuses = ['new', 'open', 'replied', 'ignored', 'resolved', 'spam', 'private'];
  await seedDatabase(
    path,
    Array.from({ length: 400 }, (_, i) => ({
      platform: platforms[i % 3]!,
      // Two weeks: the week before the period and the period itself, every few hours.
      createdAt: start - 7 * DAY + i * 3 * 3_600_000 + (i % 7) * 60_000,
      status: statuses[i % 7]!,
      respondedAfter: i % 7 === 2 ? 10 + (i % 50) : null,
      // Some follow-ups: never open items, never measured.
      threadOf: i % 11 === 5 && i > 20 ? 1 + (i % 20) : undefined,
    })),
  );
  store = await openStore(path);
});

afterAll(async () => {
  await store.close();
});

describe('open backlog', () => {
  /** The store's own definition of the index (migration 015), to put it back as it was. */
  const definition = async () =>
    (await store.db.get<{ sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", [OPEN_ITEMS_INDEX]))?.sql;

  it('reads the partial index of open items the store has, with the same figures as without it', async () => {
    const sql = await definition();
    expect(sql, 'migration 015 makes the index').toBeDefined();
    const withIndex = await openBacklog(store.db);
    expect(withIndex.reduce((n, r) => n + r.open, 0)).toBeGreaterThan(0);
    const plans = await plansOf(() => openBacklog(store.db));
    expect(plans.at(-1)).toContain(`INDEX ${OPEN_ITEMS_INDEX}`);
    await store.db.exec(`DROP INDEX ${OPEN_ITEMS_INDEX}`);
    try {
      expect((await plansOf(() => openBacklog(store.db))).join('\n')).not.toContain(OPEN_ITEMS_INDEX);
      expect(await openBacklog(store.db)).toEqual(withIndex);
    } finally {
      await store.db.exec(sql!);
    }
  });

  it('an index of that name the query cannot use leaves the planner its own choice', async () => {
    const sql = await definition();
    const withIndex = await openBacklog(store.db);
    await store.db.exec(`DROP INDEX ${OPEN_ITEMS_INDEX}`);
    await store.db.exec(`CREATE INDEX ${OPEN_ITEMS_INDEX} ON mentions (created_at) WHERE status = 'spam'`);
    try {
      expect(await openBacklog(store.db)).toEqual(withIndex);
    } finally {
      await store.db.exec(`DROP INDEX ${OPEN_ITEMS_INDEX}`);
      await store.db.exec(sql!);
    }
  });
});

describe('period queries', () => {
  const period = { start, end: start + 7 * DAY, timeZone: 'UTC' };
  const spec = () => ({ from: period.start, until: period.end, days: periodDays(period), sql: metricSql(CALENDAR_TIME, { twitter: 1_800_000, default: 86_400_000 }, period.end) });

  it('scan the index once per day, bounded by the materialised days alone', async () => {
    const plans = await plansOf(async () => {
      await periodCounts(store.db, spec(), null);
      for await (const _ of answeredInPeriod(store.db, spec(), null));
    });
    expect(plans).toHaveLength(2);
    for (const plan of plans) {
      expect(plan).toContain('MATERIALIZE days');
      expect(plan).toContain('SEARCH m USING COVERING INDEX mentions_report (created_at>? AND created_at<?)');
    }
  });

  it('count every measured mention of the period once, in its own day', async () => {
    const counts = await periodCounts(store.db, spec(), null);
    const expected = await store.db.all<{ platform: string; day: number; n: number }>(
      `SELECT platform, CAST((created_at - ?) / ${DAY} AS INTEGER) AS day, count(*) AS n FROM mentions
        WHERE created_at >= ? AND created_at < ? AND thread_id IS NULL GROUP BY 1, 2 ORDER BY 1, 2`,
      [period.start, period.start, period.end],
    );
    const got = counts.map(([platform, day, , n]) => ({ platform, day, n })).sort((a, b) => (a.platform < b.platform ? -1 : a.platform > b.platform ? 1 : a.day - b.day));
    expect(got).toEqual(expected);
    expect(expected.length).toBe(21);
  });
});
