import type { Db } from '../../src/store/open.js';
import type { MetricSql } from '../../src/metrics/sql.js';
import { aggregatePeriod } from '../../src/report/aggregate.js';
import { privatePeriod } from '../../src/store/private-report.js';
import { CALENDAR_TIME } from '../../src/time/business.js';
import { periodDays } from '../../src/time/week.js';

/** The private figures of a period (UTC, calendar clock) as the report makes them: its own pass first, then the private items. */
export async function privateFiguresOf(db: Db, q: { from: number; until: number; sql: MetricSql }) {
  const days = periodDays({ start: q.from, end: q.until, timeZone: 'UTC' });
  const { platform } = await aggregatePeriod(db, { ...q, days, clock: CALENDAR_TIME }, null);
  return privatePeriod(db, q, platform.map((g) => ({ platform: g.key, needing: g.needing, responded: g.responded })));
}
