/**
 * The report's aggregations: the store's period queries (src/store/report.ts) rolled up into every
 * grouping, with exact percentiles from each group's answered mentions sorted by response time.
 */
import type { Db } from '../store/open.js';
import { answeredInPeriod, periodCounts, type PeriodQuery } from '../store/report.js';
import type { ResponseClock } from '../time/business.js';
import { answeredSameDay, EXPECTATIONS, type ExpectationKey } from './figures.js';

export type Dimension = 'platform' | 'keyword' | 'category' | 'day' | 'person';
export const DIMENSIONS: readonly Dimension[] = ['platform', 'keyword', 'category', 'day', 'person'];

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

export interface AggregateSpec extends PeriodQuery {
  clock: ResponseClock;
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

interface Accumulator extends Omit<GroupFigures, 'frtP50' | 'frtP90' | 'frtMean' | 'lagMean' | 'handlingMean'> {
  frtSum: number;
  lagSum: number;
  /** First response times, in the order the scan met them (sorted when the group is finished). */
  frts: number[];
}

function accumulator(key: string): Accumulator {
  return { key, mentions: 0, needing: 0, responded: 0, handled: 0, met: 0, breached: 0, pending: 0, within30m: 0, within2h: 0, sameDay: 0, within24h: 0, frtSum: 0, lagSum: 0, frts: [] };
}

/** Nearest rank, as metrics.percentile, on an ascending array. */
function rank(sorted: ArrayLike<number>, p: number): number | null {
  return sorted.length === 0 ? null : sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

function finish(a: Accumulator): GroupFigures {
  const { frtSum, lagSum, frts: times, ...counts } = a;
  // A typed array sorts numbers by value without a comparator call per pair.
  const frts = Float64Array.from(times).sort();
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
 * (platform × day × extra) of the counts every mention adds to, whose sums roll up; and a scan of the
 * answered mentions, whose response times (sorted per group) give exact percentiles for every group,
 * and which counts the answered-only figures.
 */
export async function aggregatePeriod(db: Db, spec: AggregateSpec, extra: Dimension | null): Promise<PeriodFigures> {
  const grouping = extra === 'keyword' || extra === 'category' || extra === 'person' ? extra : null;
  const counts = await periodCounts(db, spec, grouping);

  const groups = { all: new Map<string, Accumulator>(), platform: new Map(), day: new Map(), extra: new Map(), dayPlatform: new Map() } as Record<keyof PeriodFigures, Map<string, Accumulator>>;
  // The accumulators a finest-grain group adds to, found once per group (the answered scan meets the
  // groups in no order, switching group on nearly every row).
  const targetsOf = new Map<string, Accumulator[]>();
  const targets = (platform: string, dayIndex: number, extraValue: string): Accumulator[] => {
    const fine = `${platform}\t${dayIndex}\t${extraValue}`;
    let found = targetsOf.get(fine);
    if (found === undefined) targetsOf.set(fine, (found = accumulatorsOf(platform, spec.days[dayIndex]!.day, extraValue)));
    return found;
  };
  const accumulatorsOf = (platform: string, day: string, extraValue: string): Accumulator[] => {
    const keyed: [keyof PeriodFigures, string][] = [
      ['all', ''],
      ['platform', platform],
      ['day', day],
      ['dayPlatform', `${day}\t${platform}`],
    ];
    if (grouping !== null) keyed.push(['extra', extraValue]);
    return keyed.map(([grouping, key]) => {
      let a = groups[grouping].get(key);
      if (!a) groups[grouping].set(key, (a = accumulator(key)));
      return a;
    });
  };
  for (const [platform, dayIndex, extraValue, mentions, needing, handled, breached] of counts) {
    for (const a of targets(platform, dayIndex, extraValue)) {
      a.mentions += mentions;
      a.needing += needing;
      a.handled += handled;
      a.breached += breached;
    }
  }

  // The answered mentions: the answered-only figures (met, expectation shares, time sums) are counted on
  // the way, and each group keeps its response times for the percentiles.
  const within = Object.fromEntries(EXPECTATIONS.map((e) => [e.key, e.ms ?? 0])) as Record<ExpectationKey, number>;
  for await (const batch of answeredInPeriod(db, spec, grouping)) {
    for (const [platform, dayIndex, extraValue, frt, lag, createdAt, firstResponseAt, met] of batch) {
      const day = spec.days[dayIndex]!;
      // Expectations are measured in calendar time: that is how customers wait.
      const wait = firstResponseAt - createdAt;
      const w30 = wait <= within.within30m ? 1 : 0;
      const w2h = wait <= within.within2h ? 1 : 0;
      const w24 = wait <= within.within24h ? 1 : 0;
      const sameDay = answeredSameDay(firstResponseAt, day.dayEnd) ? 1 : 0;
      for (const a of targets(platform, dayIndex, extraValue)) {
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
