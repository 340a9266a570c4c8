import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate } from '../../src/store/migrate.js';
import { STATUSES, CATEGORIES, type Category, type Status } from '../../src/store/mentions.js';
import { businessHoursSchema } from '../../src/config/business-hours.js';
import { businessHoursClock, CALENDAR_TIME, type ResponseClock } from '../../src/time/business.js';
import { slaDeadline, slaState, slaTarget } from '../../src/metrics/sla.js';
import { awaitingFirstResponse } from '../../src/metrics/response.js';
import { isOpen, isOpenItem, openItemSql } from '../../src/metrics/open.js';
import { isNegative, NEGATIVE_SQL } from '../../src/metrics/negative.js';
import { priority } from '../../src/triage/priority.js';
import { evaluateAlerts, type MentionFacts } from '../../src/alerts/rules.js';
import { detectionLag, firstResponseTime, handledPrivately, handlingTime, needsResponse, type MeasuredMention } from '../../src/metrics/response.js';
import { metricSql, positional, registerBusinessTimeSql } from '../../src/metrics/sql.js';
import { percentile } from '../../src/report/figures.js';
import { engineOf } from '../helpers/engine.js';

describe('percentile (nearest rank)', () => {
  it.each([
    [[], 50, null],
    [[7], 50, 7],
    [[7], 90, 7],
    [[1, 2], 50, 1],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4, 5], 50, 3],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90, 9],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 90, 10],
    [[10, 15, 20, 40, 80, 90, 300], 90, 300],
  ])('%j p%i = %s', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });
});

describe('needs a response', () => {
  it.each([
    ['new', 'question', false, true],
    ['private', 'complaint', false, true],
    ['resolved', null, false, true],
    ['ignored', 'question', false, false],
    ['spam', null, false, false],
    ['new', 'praise', false, false],
    ['replied', 'praise', true, true],
    ['ignored', 'question', true, true],
  ] as const)('%s %s answered=%s → %s', (status, category, answered, expected) => {
    expect(needsResponse({ status, category, firstResponseAt: answered ? 1 : null })).toBe(expected);
  });

  it('counts private and resolved without a reply as handled, not responded', () => {
    expect(handledPrivately({ status: 'private', firstResponseAt: null })).toBe(true);
    expect(handledPrivately({ status: 'resolved', firstResponseAt: null })).toBe(true);
    expect(handledPrivately({ status: 'private', firstResponseAt: 5 })).toBe(false);
    expect(handledPrivately({ status: 'open', firstResponseAt: null })).toBe(false);
  });
});

describe('times', () => {
  const m = { createdAt: 0, fetchedAt: 5 * 60_000, firstResponseAt: 30 * 60_000 };
  it('splits FRT into detection lag and handling', () => {
    expect(firstResponseTime(m, CALENDAR_TIME)).toBe(30 * 60_000);
    expect(detectionLag(m, CALENDAR_TIME)).toBe(5 * 60_000);
    expect(handlingTime(m, CALENDAR_TIME)).toBe(25 * 60_000);
  });
  it('caps detection lag at the first response (replied on the platform before we polled)', () => {
    const late = { ...m, fetchedAt: 60 * 60_000 };
    expect(detectionLag(late, CALENDAR_TIME)).toBe(30 * 60_000);
    expect(handlingTime(late, CALENDAR_TIME)).toBe(0);
  });
});

/*
 * The SQL fragments must say what the functions say. Every status × category × answered/late/unanswered
 * combination goes through both, on both clocks.
 */
describe('SQL and function definitions agree', () => {
  const hours = businessHoursSchema.parse({ mon: '09:00-17:00', tue: '09:00-17:00', wed: '09:00-17:00', thu: '09:00-17:00', fri: '09:00-17:00' });
  const clocks: [string, ResponseClock][] = [
    ['calendar', CALENDAR_TIME],
    ['business', businessHoursClock(hours, 'Europe/London')],
  ];
  const sla = { twitter: 30 * 60_000, facebook: 2 * 3_600_000, default: 86_400_000 };
  const asOf = Date.parse('2026-11-20T12:00:00Z');
  const created = [Date.parse('2026-11-16T10:00:00Z'), Date.parse('2026-11-20T11:50:00Z'), Date.parse('2026-11-14T22:00:00Z')];
  const responses = [null, 10 * 60_000, 45 * 60_000, 3 * 3_600_000, 30 * 3_600_000];

  it.each(clocks)('on the %s clock', async (_, clock) => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:');
    registerBusinessTimeSql(engineOf(db), clock);
    const cases: MeasuredMention[] = [];
    // Every other mention is a follow-up, so open items are checked with and without a thread.
    const threads: (number | null)[] = [];
    const insert = db.prepare(`INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, status, status_changed_at, category, first_response_at, thread_id)
      VALUES (?, 's', ?, 'a', 't', ?, ?, ?, 0, ?, ?, ?)`);
    for (const platform of ['twitter', 'facebook', 'reddit'])
      for (const status of STATUSES as readonly Status[])
        for (const category of [...CATEGORIES, null] as (Category | null)[])
          for (const createdAt of created)
            for (const after of responses) {
              const m: MeasuredMention = { platform, status, category, createdAt, fetchedAt: createdAt + 7 * 60_000, firstResponseAt: after === null ? null : createdAt + after };
              cases.push(m);
              threads.push(cases.length % 2 === 0 ? 1 : null);
              insert.run(platform, String(cases.length), m.createdAt, m.fetchedAt, status, category, m.firstResponseAt, threads.at(-1));
            }
    const sql = metricSql(clock, sla, asOf);
    const rows = db
      .prepare(`SELECT ${sql.needs} AS needs, ${sql.deadline} AS deadline, ${sql.frt} AS frt, ${sql.detectionLag} AS lag, ${sql.breached} AS breached,
        ${sql.metOf('m.first_response_at', sql.deadline)} AS met, ${sql.handled} AS handled FROM mentions m ORDER BY id`)
      .all(sql.params) as { needs: number; deadline: number; frt: number | null; lag: number; breached: number; met: number; handled: number }[];
    expect(rows).toHaveLength(cases.length);
    rows.forEach((row, i) => {
      const m = cases[i]!;
      const deadline = slaDeadline(m.createdAt, sla[m.platform as 'twitter'] ?? sla.default, clock);
      const state = slaState(m, deadline, asOf);
      expect({ needs: row.needs === 1, deadline: row.deadline, frt: row.frt, lag: row.lag, breached: row.breached === 1, met: row.met === 1, handled: row.handled === 1 }).toEqual({
        needs: needsResponse(m),
        deadline,
        frt: firstResponseTime(m, clock),
        lag: detectionLag(m, clock),
        breached: state === 'breached',
        met: state === 'met',
        handled: handledPrivately(m),
      });
    });

    // Open items and "awaiting a first response" in SQL agree with their functions.
    const more = db
      .prepare(`SELECT ${openItemSql('m.')} AS openItem, (${sql.needs} AND m.first_response_at IS NULL) AS awaiting FROM mentions m ORDER BY id`)
      .all() as { openItem: number; awaiting: number }[];
    more.forEach((row, i) => {
      const m = cases[i]!;
      expect({ openItem: row.openItem === 1, awaiting: row.awaiting === 1 }).toEqual({
        openItem: isOpenItem({ status: m.status, threadId: threads[i]! }),
        awaiting: awaitingFirstResponse(m),
      });
    });

    // Triage's priority reads the same deadline, and calls the same mentions breached, as the SQL.
    rows.forEach((row, i) => {
      const m = cases[i]!;
      const p = priority(
        { category: m.category, sentiment: 0, authorFollowers: 0, waitingSince: m.createdAt, target: slaTarget({ sla }, m.platform), clock, metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 }, metricsAt: asOf, previous: null, createdAt: m.createdAt },
        asOf,
        { explain: false },
      );
      expect(p.sla.deadline).toBe(row.deadline);
      if (awaitingFirstResponse(m)) expect(p.sla.breached).toBe(row.breached === 1);
    });

    // The SLA alerts fire on the open mentions the SQL calls breached (breach) or within the lead of their deadline (SLA soon).
    const lead = 30 * 60_000;
    const facts: MentionFacts[] = cases.flatMap((m, i) =>
      isOpen(m.status)
        ? [{ id: i + 1, platform: m.platform, url: null, authorHandle: 'a', text: 't', keywords: [], createdAt: m.createdAt, status: m.status, category: m.category, sentiment: 0, priority: 0, firstResponseAt: m.firstResponseAt, engagement: null, previousEngagement: null, slaTarget: slaTarget({ sla }, m.platform), deadline: slaDeadline(m.createdAt, slaTarget({ sla }, m.platform), clock) }]
        : [],
    );
    const { alerts } = evaluateAlerts({
      now: asOf,
      settings: { minPriority: 'urgent', slaLead: lead, slaMinPriority: 'low', maxAge: 365 * 86_400_000, viral: { perHour: 100, minGrowth: 20 }, spike: { window: 600_000, baseline: 7 * 86_400_000, factor: 3, minCount: 10, cooldown: 3_600_000 } },
      mentions: facts,
      lastSeenMentionId: cases.length,
      volumes: [],
      spikes: [],
    });
    const raised = new Map(alerts.map((a) => [a.mentionId!, a.kind]));
    for (const f of facts) {
      const row = rows[f.id - 1]!;
      const awaiting = row.needs === 1 && f.firstResponseAt === null;
      const expected = !awaiting ? undefined : row.breached === 1 ? 'breach' : row.deadline - asOf <= lead ? 'sla_soon' : undefined;
      expect({ id: f.id, kind: raised.get(f.id) }).toEqual({ id: f.id, kind: expected });
    }
    expect([...raised.values()]).toContain('breach');
    expect([...raised.values()]).toContain('sla_soon');
    db.close();
  });

  it('agree on what a negative mention is', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:');
    const insert = db.prepare(`INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, status_changed_at, category, sentiment)
      VALUES ('x', 's', ?, 'a', 't', 0, 0, 0, ?, ?)`);
    const cases: { category: Category | null; sentiment: number | null }[] = [];
    for (const category of [...CATEGORIES, null] as (Category | null)[])
      for (const sentiment of [null, -0.5, 0, 0.5]) {
        cases.push({ category, sentiment });
        insert.run(String(cases.length), category, sentiment);
      }
    const rows = db.prepare(`SELECT ${NEGATIVE_SQL} AS negative FROM mentions m ORDER BY id`).all() as { negative: number }[];
    expect(rows.map((r) => r.negative === 1)).toEqual(cases.map(isNegative));
    db.close();
  });

  it('rewrites named parameters to positional ones for list filters', () => {
    expect(positional('a = @x AND b < @y OR c = @x', { x: 1, y: 'two' })).toEqual({ sql: 'a = ? AND b < ? OR c = ?', params: [1, 'two', 1] });
    expect(() => positional('a = @missing', {})).toThrow(/@missing/);
  });
});
