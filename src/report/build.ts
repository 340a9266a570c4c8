/**
 * The response-time report as data: the stable JSON shape that `report --format json` prints and the
 * table and HTML renderers draw. Durations are minutes (one decimal), shares are 0–1 (four decimals).
 */
import type { Config } from '../config/schema.js';
import type { Db } from '../store/open.js';
import { usageBetween, monthUsage, usageDay, volumeBetween } from '../store/usage.js';
import { sourceName } from '../sources/index.js';
import { slaTarget } from '../metrics/sla.js';
import { metricSql, registerBusinessTimeSql } from '../metrics/sql.js';
import { followUps, openBacklog, worstBreaches } from '../store/report.js';
import { privatePeriod } from '../store/private-report.js';
import type { ResponseClock } from '../time/business.js';
import { periodDays, type Period } from '../time/week.js';
import { formatInstant } from '../time/zone.js';
import { formatDuration } from '../config/duration.js';
import { aggregatePeriod, type AggregateSpec, type Dimension, type GroupFigures } from './aggregate.js';
import { customerExpectations, EXPECTATIONS, mean, minutes, percentile, share, type ExpectationKey } from './figures.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface Figures {
  mentions: number;
  needingResponse: number;
  responded: number;
  handledPrivately: number;
  responseRate: number | null;
  handledRate: number | null;
  frt: { p50Minutes: number | null; p90Minutes: number | null; meanMinutes: number | null };
  /** Means, so that FRT mean = detection lag mean + handling mean. */
  detectionLag: { meanMinutes: number | null };
  handling: { meanMinutes: number | null };
  sla: { met: number; breached: number; pending: number; attainment: number | null };
  expectations: Record<ExpectationKey, number | null>;
}

export interface PlatformFigures extends Figures {
  platform: string;
  slaTargetMinutes: number;
  /** Customer survey figures beside ours; `survey` names the platform they come from. */
  customerExpectations: { survey: string } & Partial<Record<ExpectationKey, number>>;
}

export interface Report {
  schemaVersion: number;
  generatedAt: string;
  period: { label: string; week: string | null; start: string; end: string; timeZone: string };
  clock: { kind: 'calendar' | 'business'; description: string };
  headline: Figures & { openBacklog: number; oldestOpenAt: string | null; oldestOpenAgeMinutes: number | null };
  platforms: PlatformFigures[];
  groupBy: Dimension;
  groups: (Figures & { key: string })[];
  days: (Figures & { day: string })[];
  breaches: {
    total: number;
    worst: {
      id: number;
      platform: string;
      url: string | null;
      author: string;
      /** Null for a direct message unless the report includes private text. */
      text: string | null;
      channel: 'public' | 'dm';
      status: string;
      category: string | null;
      createdAt: string;
      deadline: string;
      firstResponseAt: string | null;
      overdueMinutes: number;
    }[];
  };
  followUps: { count: number; answered: number; nextResponse: { p50Minutes: number | null; p90Minutes: number | null; meanMinutes: number | null } };
  backlog: { platform: string; open: number; oldestAt: string | null; oldestAgeMinutes: number | null }[];
  apiUsage: {
    source: string;
    platform: string;
    requests: number;
    postsRead: number;
    month: string;
    monthPostsRead: number;
    monthlyReadBudget: number | null;
    projectedMonthPostsRead: number;
    projectedShareOfBudget: number | null;
    /** Dollars billed in the period, this month and projected to month end; null where the platform does not bill (all but X). */
    spend: number | null;
    monthSpend: number | null;
    projectedMonthSpend: number | null;
    monthlyBudget: number | null;
    /** Posts the platform itself counted for the source's queries in the period (X's counts/recent, where configured), read or not; null without counts. */
    countedVolume: number | null;
  }[];
  /** The private channel: items taken private or opened by a DM, and answers in public and in private apart. */
  private: PrivateFigures & { platforms: (PrivateFigures & { platform: string })[] };
  suggestions: string[];
}

export interface PrivateFigures {
  /** Items of the period that went private (taken private, or a DM joined or opened them). */
  items: number;
  needingResponse: number;
  answeredPublicly: number;
  answeredPrivately: number;
  publicResponseRate: number | null;
  privateResponseRate: number | null;
  /** From going private to our first DM; `answered` of `items` have one. */
  firstPrivateAnswer: { answered: number; p50Minutes: number | null; p90Minutes: number | null; meanMinutes: number | null };
  /** From the customer's first post to the item's resolution; `resolved` of `items` are. */
  resolution: { resolved: number; p50Minutes: number | null; p90Minutes: number | null; meanMinutes: number | null };
}

export interface ReportInput {
  db: Db;
  config: Config;
  period: Period;
  clock: ResponseClock;
  by: Dimension;
  now: number;
  /** How many breaches to list (default 10). */
  worst?: number;
  /** Direct messages' text in the breach list (`--include-private`); left out by default. */
  includePrivate?: boolean;
}

export function toFigures(g: GroupFigures | undefined): Figures {
  const f = g ?? emptyGroup();
  return {
    mentions: f.mentions,
    needingResponse: f.needing,
    responded: f.responded,
    handledPrivately: f.handled,
    responseRate: share(f.responded, f.needing),
    handledRate: share(f.responded + f.handled, f.needing),
    frt: { p50Minutes: minutes(f.frtP50), p90Minutes: minutes(f.frtP90), meanMinutes: minutes(f.frtMean) },
    detectionLag: { meanMinutes: minutes(f.lagMean) },
    handling: { meanMinutes: minutes(f.handlingMean) },
    sla: { met: f.met, breached: f.breached, pending: f.pending, attainment: share(f.met, f.needing) },
    expectations: {
      within30m: share(f.within30m, f.needing),
      within2h: share(f.within2h, f.needing),
      sameDay: share(f.sameDay, f.needing),
      within24h: share(f.within24h, f.needing),
    },
  };
}

function emptyGroup(): GroupFigures {
  return {
    key: '',
    mentions: 0,
    needing: 0,
    responded: 0,
    handled: 0,
    met: 0,
    breached: 0,
    pending: 0,
    within30m: 0,
    within2h: 0,
    sameDay: 0,
    within24h: 0,
    frtP50: null,
    frtP90: null,
    frtMean: null,
    lagMean: null,
    handlingMean: null,
  };
}

/** The aggregation settings of a period: its days, the clock, the SLA targets, breaches judged at `now`. */
export function aggregateSpec(db: Db, config: Config, period: Period, clock: ResponseClock, now: number): AggregateSpec {
  registerBusinessTimeSql(db, clock);
  return { from: period.start, until: period.end, days: periodDays(period), clock, sql: metricSql(clock, config.sla, now) };
}

export async function buildReport(input: ReportInput): Promise<Report> {
  const { db, config, period, clock, by, now } = input;
  const tz = period.timeZone;
  const spec = aggregateSpec(db, config, period, clock, now);
  const iso = (at: number) => formatInstant(at, tz);

  const figures = await aggregatePeriod(db, spec, by === 'platform' || by === 'day' ? null : by);
  const headline = figures.all;
  const byDay = new Map(figures.day.map((g) => [g.key, g]));
  const groups = by === 'platform' ? figures.platform : by === 'day' ? figures.day : figures.extra;

  const platforms: PlatformFigures[] = figures.platform.map((g) => {
    const platform = g.key;
    const { survey, figures } = customerExpectations(platform);
    return { platform, ...toFigures(g), slaTargetMinutes: minutes(slaTarget(config, platform))!, customerExpectations: { survey, ...figures } };
  });

  const breaches = await worstBreaches(db, spec, input.worst ?? 10);
  const follow = await followUps(db, spec);
  const nextTimes = follow
    .filter((f) => f.nextResponseAt !== null)
    .map((f) => clock.elapsed(f.createdAt, f.nextResponseAt!))
    .sort((a, b) => a - b);

  const backlogRows = await openBacklog(db);
  const oldest = backlogRows.reduce<number | null>((min, r) => (r.oldestAt !== null && (min === null || r.oldestAt < min) ? r.oldestAt : min), null);

  const apiUsage = await Promise.all(config.sources.map(async (source) => {
    const name = sourceName(source);
    const used = await usageBetween(db, name, usageDay(period.start), usageDay(period.end - 1));
    const month = await monthUsage(db, name, now);
    const budget = source.monthlyReadBudget ?? null;
    return {
      source: name,
      platform: source.platform,
      requests: used.requests,
      postsRead: used.postsRead,
      month: month.month,
      monthPostsRead: month.postsRead,
      monthlyReadBudget: budget,
      projectedMonthPostsRead: month.projectedPostsRead,
      projectedShareOfBudget: budget === null ? null : share(month.projectedPostsRead, budget),
      ...moneyOf(source, used.costMicros, month.costMicros, month.projectedCostMicros),
      countedVolume: await volumeBetween(db, name, period.start, period.end),
    };
  }));

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    generatedAt: iso(now),
    period: { label: period.label, week: period.week, start: iso(period.start), end: iso(period.end), timeZone: tz },
    clock: { kind: clock.kind, description: clock.describe() },
    headline: {
      ...toFigures(headline),
      openBacklog: backlogRows.reduce((n, r) => n + r.open, 0),
      oldestOpenAt: oldest === null ? null : iso(oldest),
      oldestOpenAgeMinutes: oldest === null ? null : minutes(now - oldest),
    },
    platforms,
    groupBy: by,
    groups: groups.map((g) => ({ key: g.key, ...toFigures(g) })),
    days: spec.days.map((d) => ({ day: d.day, ...toFigures(byDay.get(d.day)) })),
    breaches: {
      total: headline.breached,
      worst: breaches.map((b) => ({
        id: b.id,
        platform: b.platform,
        url: b.url,
        author: b.author,
        // A direct message's text stays out of the report unless asked for (--include-private).
        text: b.channel === 'dm' && !input.includePrivate ? null : b.text,
        channel: b.channel,
        status: b.status,
        category: b.category,
        createdAt: iso(b.createdAt),
        deadline: iso(b.deadline),
        firstResponseAt: b.firstResponseAt === null ? null : iso(b.firstResponseAt),
        overdueMinutes: minutes(b.overdue)!,
      })),
    },
    followUps: {
      count: follow.length,
      answered: nextTimes.length,
      nextResponse: {
        p50Minutes: minutes(percentile(nextTimes, 50)),
        p90Minutes: minutes(percentile(nextTimes, 90)),
        meanMinutes: minutes(mean(nextTimes)),
      },
    },
    backlog: backlogRows.map((r) => ({
      platform: r.platform,
      open: r.open,
      oldestAt: r.oldestAt === null ? null : iso(r.oldestAt),
      oldestAgeMinutes: r.oldestAt === null ? null : minutes(now - r.oldestAt),
    })),
    apiUsage,
    private: await privateSection(db, spec, figures.platform),
    suggestions: suggestions(platforms, apiUsage),
  };
}

/** The private channel in one line, for the terminal and the HTML report. */
export function privateLine(p: PrivateFigures): string {
  const d = (m: number | null) => (m === null ? '—' : formatDuration(Math.round(m * 60_000)));
  const rate = (r: number | null) => (r === null ? '—' : `${Math.round(r * 100)}%`);
  return (
    `${p.items} item${p.items === 1 ? '' : 's'} went private; answered in public ${rate(p.publicResponseRate)} (${p.answeredPublicly}/${p.needingResponse}), ` +
    `in private ${rate(p.privateResponseRate)} (${p.answeredPrivately}/${p.needingResponse}); ` +
    `first private answer p50 ${d(p.firstPrivateAnswer.p50Minutes)}, p90 ${d(p.firstPrivateAnswer.p90Minutes)} (${p.firstPrivateAnswer.answered} answered); ` +
    `time to resolution p50 ${d(p.resolution.p50Minutes)}, p90 ${d(p.resolution.p90Minutes)} (${p.resolution.resolved} resolved)`
  );
}

/** The private channel's figures of the period, overall and per platform (`platforms`: the period's own figures). */
async function privateSection(db: Db, spec: AggregateSpec, platforms: readonly GroupFigures[]): Promise<Report['private']> {
  const { counts, times } = await privatePeriod(db, spec, platforms.map((g) => ({ platform: g.key, needing: g.needing, responded: g.responded })));
  const figures = (rows: typeof counts, timeRows: typeof times): PrivateFigures => {
    const sum = (i: 1 | 2 | 3 | 4) => rows.reduce((n, r) => n + r[i], 0);
    const needing = sum(1);
    const answer = timeRows.map((r) => r[1]).filter((t): t is number => t !== null).sort((a, b) => a - b);
    const resolution = timeRows.map((r) => r[2]).filter((t): t is number => t !== null).sort((a, b) => a - b);
    const spread = (sorted: number[]) => ({ p50Minutes: minutes(percentile(sorted, 50)), p90Minutes: minutes(percentile(sorted, 90)), meanMinutes: minutes(mean(sorted)) });
    return {
      items: sum(4),
      needingResponse: needing,
      answeredPublicly: sum(2),
      answeredPrivately: sum(3),
      publicResponseRate: share(sum(2), needing),
      privateResponseRate: share(sum(3), needing),
      firstPrivateAnswer: { answered: answer.length, ...spread(answer) },
      resolution: { resolved: resolution.length, ...spread(resolution) },
    };
  };
  return {
    ...figures(counts, times),
    platforms: counts.filter((r) => r[4] > 0 || r[3] > 0).map((r) => ({ platform: r[0], ...figures([r], times.filter((t) => t[0] === r[0])) })),
  };
}

/** One line per thing worth changing: detection lag eating the SLA, a read budget about to run out. */
/** Money figures for a source whose platform bills in money (X); nulls elsewhere. */
function moneyOf(source: { platform: string; monthlyBudget?: number | undefined }, period: number, month: number, projected: number) {
  const billed = source.platform === 'twitter';
  return {
    spend: billed ? period / 1e6 : null,
    monthSpend: billed ? month / 1e6 : null,
    projectedMonthSpend: billed ? projected / 1e6 : null,
    monthlyBudget: billed ? (source.monthlyBudget ?? null) : null,
  };
}

function suggestions(platforms: readonly PlatformFigures[], usage: Report['apiUsage']): string[] {
  const lines: string[] = [];
  for (const p of platforms) {
    const lag = p.detectionLag.meanMinutes;
    const frt = p.frt.meanMinutes;
    if (lag === null || frt === null || frt === 0) continue;
    const target = p.slaTargetMinutes;
    if (lag >= target / 2 || (lag >= frt / 2 && lag >= target / 4)) {
      const every = Math.max(1, Math.floor(target / 6));
      lines.push(
        `${p.platform}: polling delay is the bottleneck — mean detection lag ${formatDuration(lag * 60_000)} of a ${formatDuration(target * 60_000)} target (${Math.round((lag / target) * 100)}%); poll more often (e.g. cron every ${every} min).`,
      );
    }
  }
  for (const u of usage) {
    if (u.projectedShareOfBudget !== null && u.projectedShareOfBudget > 1) {
      lines.push(
        `${u.source}: reads project to ${u.projectedMonthPostsRead.toLocaleString('en')} this month, over the budget of ${u.monthlyReadBudget!.toLocaleString('en')}; polling will stop when it is reached — narrow the keywords or raise monthlyReadBudget.`,
      );
    }
  }
  return lines;
}

export { EXPECTATIONS };
