/**
 * Migration 018: the report's private figures read the items with anything private about them through
 * their own partial index, beside the period's public counts. Whatever the items are, the figures are those
 * of the definitions in src/metrics applied to every item of the period, on both engines, and the query
 * reads the index alone.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import type { Engine } from '../../src/store/engine.js';
import type { Store } from '../../src/store/open.js';
import { privatePeriod, type PrivateCountRow, type PrivateTimeRow } from '../../src/store/private-report.js';
import { privateFiguresOf } from '../helpers/private.js';
import { metricSql } from '../../src/metrics/sql.js';
import { needsResponse } from '../../src/metrics/response.js';
import { answeredPrivately, answeredPublicly, timeToFirstPrivateAnswer, timeToResolution, wentPrivate } from '../../src/metrics/private.js';
import { CALENDAR_TIME } from '../../src/time/business.js';
import type { Category, Status } from '../../src/store/mentions.js';
import { engineOf } from '../helpers/engine.js';
import { forEachEngine } from '../helpers/engines.js';

const NOW = Date.UTC(2026, 11, 2, 9);
const MIN = 60_000;
const FROM = NOW - 7 * 24 * 60 * MIN;
const STATUSES: Status[] = ['new', 'open', 'replied', 'private', 'resolved', 'ignored', 'spam'];
const CATEGORIES: (Category | null)[] = ['question', 'complaint', 'praise', null];

interface Item {
  platform: string;
  createdAt: number;
  status: Status;
  category: Category | null;
  /** Minutes after creation, or null. */
  firstResponse: number | null;
  privateAfter: number | null;
  privateAnswerAfter: number | null;
  resolvedAfter: number | null;
  /** A follow-up of the first item (never measured). */
  followUp: boolean;
}

const item: fc.Arbitrary<Item> = fc.record({
  platform: fc.constantFrom('twitter', 'facebook', 'mastodon'),
  // Some before the period, some after it.
  createdAt: fc.integer({ min: FROM - 2 * 24 * 60 * MIN, max: NOW + 24 * 60 * MIN }),
  status: fc.constantFrom(...STATUSES),
  category: fc.constantFrom(...CATEGORIES),
  firstResponse: fc.option(fc.integer({ min: 0, max: 600 })),
  privateAfter: fc.option(fc.integer({ min: 0, max: 600 }), { freq: 2 }),
  privateAnswerAfter: fc.option(fc.integer({ min: 0, max: 900 }), { freq: 2 }),
  resolvedAfter: fc.option(fc.integer({ min: 0, max: 2000 }), { freq: 2 }),
  followUp: fc.boolean(),
});

const at = (createdAt: number, after: number | null) => (after === null ? null : createdAt + after * MIN);

async function insert(db: Engine, items: readonly Item[]): Promise<void> {
  for (const [i, it] of items.entries()) {
    await db.run(
      `INSERT INTO mentions (id, platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at,
         category, first_response_at, private_at, first_private_response_at, resolved_at, thread_id)
       VALUES (?, ?, ?, ?, 'kim', 'acme', ?, ?, '[]', ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        i + 1, it.platform, it.platform, String(i + 1), it.createdAt, it.createdAt, it.status, it.createdAt, it.category,
        at(it.createdAt, it.firstResponse), at(it.createdAt, it.privateAfter), at(it.createdAt, it.privateAnswerAfter), at(it.createdAt, it.resolvedAfter),
        it.followUp && i > 0 ? 1 : null,
      ],
    );
  }
}

/** The figures as the definitions give them, item by item, over every thread root of the period. */
function expected(items: readonly Item[]): { counts: PrivateCountRow[]; times: PrivateTimeRow[] } {
  const counts = new Map<string, PrivateCountRow>();
  const times: [string, number, number, PrivateTimeRow][] = [];
  items.forEach((it, i) => {
    if ((it.followUp && i > 0) || it.createdAt < FROM || it.createdAt >= NOW) return;
    const m = {
      ...it,
      firstResponseAt: at(it.createdAt, it.firstResponse),
      privateAt: at(it.createdAt, it.privateAfter),
      firstPrivateResponseAt: at(it.createdAt, it.privateAnswerAfter),
      resolvedAt: at(it.createdAt, it.resolvedAfter),
    };
    const row = counts.get(it.platform) ?? [it.platform, 0, 0, 0, 0];
    counts.set(it.platform, row);
    const needs = needsResponse(m);
    row[1] += needs ? 1 : 0;
    row[2] += needs && answeredPublicly(m) ? 1 : 0;
    row[3] += needs && answeredPrivately(m) ? 1 : 0;
    row[4] += wentPrivate(m) ? 1 : 0;
    if (wentPrivate(m)) times.push([it.platform, it.createdAt, i + 1, [it.platform, timeToFirstPrivateAnswer(m, CALENDAR_TIME), timeToResolution(m, CALENDAR_TIME)]]);
  });
  const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  times.sort((a, b) => byKey(a[0], b[0]) || a[1] - b[1] || a[2] - b[2]);
  return { counts: [...counts.values()].sort((a, b) => byKey(a[0], b[0])), times: times.map((t) => t[3]) };
}

const query = () => ({ from: FROM, until: NOW, sql: metricSql(CALENDAR_TIME, { default: 24 * 60 * MIN }, NOW) });

/** The period's public counts, written out here (an oracle beside the report's own pass). */
async function answeredOf(db: Engine) {
  const rows = await db.all<{ platform: string; needing: number; responded: number }>(
    `SELECT m.platform, sum(CASE WHEN ${query().sql.needs} THEN 1 ELSE 0 END) AS needing, sum(CASE WHEN m.first_response_at IS NOT NULL THEN 1 ELSE 0 END) AS responded
       FROM mentions m WHERE m.created_at >= ? AND m.created_at < ? AND m.thread_id IS NULL GROUP BY m.platform`,
    [FROM, NOW],
  );
  return rows.map((r) => ({ platform: r.platform, needing: Number(r.needing), responded: Number(r.responded) }));
}

describe('migration 018: private items index', () => {
  it('indexes the private items a version-17 store holds, and the figures read that index alone', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 17);
    const items: Item[] = [
      { platform: 'twitter', createdAt: FROM + 60 * MIN, status: 'private', category: 'complaint', firstResponse: 10, privateAfter: 10, privateAnswerAfter: 30, resolvedAfter: null, followUp: false },
      { platform: 'twitter', createdAt: FROM + 90 * MIN, status: 'replied', category: 'question', firstResponse: 5, privateAfter: null, privateAnswerAfter: null, resolvedAfter: null, followUp: false },
    ];
    await insert(engineOf(db), items);
    await migrate(engineOf(db), ':memory:');
    expect(db.prepare('SELECT count(*) AS n FROM mentions INDEXED BY mentions_private_items WHERE created_at > 0 AND thread_id IS NULL AND (private_at IS NOT NULL OR first_private_response_at IS NOT NULL)').get()).toEqual({ n: 1 });
    expect(await privateFiguresOf(engineOf(db), query())).toEqual(expected(items));

    const sent: string[] = [];
    const engine = engineOf(db);
    const rows = engine.rows.bind(engine);
    engine.rows = (async (sql: string, params?: never) => (sent.push(sql), rows(sql, params))) as typeof engine.rows;
    await privatePeriod(engine, query(), await answeredOf(engineOf(db)));
    expect(sent).toHaveLength(1);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sent[0]}`).all({ ...query().sql.params, from: FROM, until: NOW }) as { detail: string }[]).map((p) => p.detail);
    expect(plan[0]).toBe('SEARCH m USING COVERING INDEX mentions_private_items (created_at>? AND created_at<?)');
  });

  it('gives the definitions’ figures for any items, with the report’s own counts or the test’s', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 30 }), async (items) => {
        const db = new Database(':memory:');
        await migrate(engineOf(db), ':memory:');
        await insert(engineOf(db), items);
        const want = expected(items);
        expect(await privateFiguresOf(engineOf(db), query())).toEqual(want);
        expect(await privatePeriod(engineOf(db), query(), await answeredOf(engineOf(db)))).toEqual(want);
        db.close();
      }),
      { numRuns: 150 },
    );
  });
});

forEachEngine('the private figures from the private items alone', (engine) => {
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  it('match the definitions on a period with every kind of item', async () => {
    store = await engine.fresh();
    const items = fc.sample(item, { numRuns: 200, seed: 18 });
    await insert(store.db, items);
    const want = expected(items);
    expect(want.times.length).toBeGreaterThan(0);
    expect(await privateFiguresOf(store.db, query())).toEqual(want);
    expect(await privatePeriod(store.db, query(), await answeredOf(store.db))).toEqual(want);
  });
});
