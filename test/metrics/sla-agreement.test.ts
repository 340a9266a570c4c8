/*
 * One SLA, three readers: triage's priority (time left, "SLA breached"), the alerts (SLA soon, breach)
 * and the report (breach list, CSV `sla` column, `list --breached`) must tell the same story about the
 * same mentions — with business hours, where each used to count its own way, and without.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { openStore } from '../../src/store/open.js';
import { insertMentions, listMentions, getMention } from '../../src/store/mentions.js';
import { markAnswered } from '../../src/store/responses.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { responseClockFor } from '../../src/time/business.js';
import { breachCondition, metricSql, registerBusinessTimeSql } from '../../src/metrics/sql.js';
import { priorityOf, waitingSince } from '../../src/triage/assess.js';
import { runAlerts } from '../../src/alerts/run.js';
import { buildReport } from '../../src/report/build.js';
import { exportMentions } from '../../src/report/csv.js';
import type { Category } from '../../src/store/mentions.js';
import type { NewMention } from '../../src/sources/types.js';

const MIN = 60_000;
const TZ = 'Europe/London';
// Monday 23 November 2026, 10:00 in London (GMT).
const NOW = Date.parse('2026-11-23T10:00:00Z');

interface Case {
  name: string;
  platform: string;
  createdAt: string;
  category?: Category;
  answeredAt?: string;
}

const CASES: Case[] = [
  { name: 'Friday 16:50 on X: due Monday 09:20 on business hours', platform: 'twitter', createdAt: '2026-11-20T16:50:00Z' },
  { name: '15 minutes left', platform: 'twitter', createdAt: '2026-11-23T09:45:00Z' },
  { name: '5 minutes left: SLA soon', platform: 'twitter', createdAt: '2026-11-23T09:35:00Z' },
  { name: 'due exactly now: not yet breached', platform: 'twitter', createdAt: '2026-11-23T09:30:00Z' },
  { name: 'posted at opening time', platform: 'twitter', createdAt: '2026-11-23T09:00:00Z' },
  { name: 'Facebook on Friday afternoon', platform: 'facebook', createdAt: '2026-11-20T15:30:00Z' },
  { name: 'Facebook on Saturday: its clock starts Monday 09:00', platform: 'facebook', createdAt: '2026-11-21T11:00:00Z' },
  { name: 'Reddit (24 h default) on Thursday', platform: 'reddit', createdAt: '2026-11-19T10:00:00Z' },
  { name: 'Reddit a week ago', platform: 'reddit', createdAt: '2026-11-17T12:00:00Z' },
  { name: 'praise needs no answer', platform: 'twitter', createdAt: '2026-11-23T08:00:00Z', category: 'praise' },
  { name: 'answered late', platform: 'twitter', createdAt: '2026-11-20T16:55:00Z', answeredAt: '2026-11-23T09:40:00Z' },
  { name: 'answered in time', platform: 'twitter', createdAt: '2026-11-23T09:10:00Z', answeredAt: '2026-11-23T09:20:00Z' },
];

function configWith(businessHours: boolean): Config {
  return configSchema.parse({
    brand: 'Acme',
    timezone: TZ,
    keywords: ['acme'],
    sources: [{ platform: 'twitter', bearerTokenEnv: 'T' }],
    sla: { twitter: '30m', facebook: '2h', default: '24h' },
    ...(businessHours ? { businessHours: { mon: '09:00-17:00', tue: '09:00-17:00', wed: '09:00-17:00', thu: '09:00-17:00', fri: '09:00-17:00' } } : {}),
    alerts: { minPriority: 'urgent', slaMinPriority: 'low', slaLead: '10m', maxAge: '30d' },
  });
}

function newMention(i: number, c: Case): NewMention {
  return {
    platform: c.platform,
    externalId: String(100 + i),
    url: null,
    authorHandle: `user${i}`,
    authorName: null,
    authorId: String(i),
    authorFollowers: 10,
    text: `acme ${c.name}`,
    lang: 'en',
    createdAt: Date.parse(c.createdAt),
    keywords: ['acme'],
    inReplyTo: null,
    conversationId: String(100 + i),
    summonsBrand: false,
    metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 },
  };
}

describe.each([
  ['business hours', true],
  ['calendar time', false],
])('triage, alerts and the report agree on SLA breach and time left (%s)', (_label, business) => {
  it('for every mention', async () => {
    const config = configWith(business);
    const clock = responseClockFor(config, TZ);
    const store = await openStore(':memory:');
    const { db } = store;
    const ids = new Map<string, number>();
    await db.transaction(async (tx) => {
      for (const [i, c] of CASES.entries()) {
        const m = newMention(i, c);
        await insertMentions(tx, c.platform, [m], m.createdAt + 2 * MIN, () => ({ category: c.category ?? 'question', sentiment: 0, priority: 50 }));
        const id = i + 1;
        ids.set(c.name, id);
        if (c.answeredAt) await markAnswered(tx, id, Date.parse(c.answeredAt), 'test');
      }
    });

    // Triage.
    const triage = new Map(
      await Promise.all(
        CASES.map(async (c) => {
          const m = (await getMention(db, ids.get(c.name)!))!;
          return [m.id, priorityOf(m, config, NOW, await waitingSince(db, m))] as const;
        }),
      ),
    );

    // Alerts.
    const alerts = await runAlerts({ db, config, env: {}, now: NOW, timeZone: TZ, signal: new AbortController().signal, verbose: () => undefined });
    const alertOf = new Map(alerts.raised.filter((a) => a.kind === 'breach' || a.kind === 'sla_soon').map((a) => [a.mentionId!, a]));

    // The report, the CSV and `list --breached`.
    const period = { start: Date.parse('2026-11-16T00:00:00Z'), end: Date.parse('2026-11-24T00:00:00Z'), label: 'test', week: null, timeZone: TZ };
    const report = await buildReport({ db, config, period, clock, by: 'platform', now: NOW, worst: 100 });
    const reportBreach = new Map(report.breaches.worst.map((b) => [b.id, Date.parse(b.deadline)]));
    let csv = '';
    await exportMentions({ db, config, period, clock, now: NOW, bom: false }, async (chunk) => {
      csv += chunk;
    });
    const csvState = new Map((parse(csv, { columns: true }) as { id: string; sla: string }[]).map((r) => [Number(r.id), r.sla]));
    registerBusinessTimeSql(db, clock);
    const listed = new Set((await listMentions(db, { condition: breachCondition(clock, config.sla, NOW) })).map((m) => m.id));
    const sql = metricSql(clock, config.sla, NOW);
    const sqlDeadline = new Map((await db.all<{ id: number; deadline: number }>(`SELECT m.id, ${sql.deadline} AS deadline FROM mentions m`, sql.params)).map((r) => [r.id, r.deadline]));

    expect(new Set(reportBreach.keys())).toEqual(listed);
    expect(listed.has(ids.get('answered late')!)).toBe(true);
    expect(new Set([...csvState].filter(([, s]) => s === 'breached').map(([id]) => id))).toEqual(listed);
    expect(report.breaches.total).toBe(listed.size);

    for (const c of CASES) {
      const id = ids.get(c.name)!;
      const p = triage.get(id)!;
      const alert = alertOf.get(id);
      const awaiting = !c.answeredAt && c.category !== 'praise';
      if (c.answeredAt) {
        // Answered: triage's clock now waits for follow-ups; the report judges the first response.
        expect(alert, c.name).toBeUndefined();
        expect(csvState.get(id), c.name).toBe(reportBreach.has(id) ? 'breached' : 'met');
        expect({ case: c.name, deadline: reportBreach.get(id) ?? sqlDeadline.get(id) }).toEqual({ case: c.name, deadline: sqlDeadline.get(id) });
        continue;
      }
      const facts = { case: c.name, deadline: p.sla.deadline, left: p.sla.left };
      // One deadline: the report's SQL, triage's standing, the alert payload and the breach list.
      expect({ ...facts, deadline: sqlDeadline.get(id) }).toEqual(facts);
      if (reportBreach.has(id)) expect({ ...facts, deadline: reportBreach.get(id) }).toEqual(facts);
      if (alert) expect({ ...facts, deadline: Date.parse((alert.payload.mention as { deadline: string }).deadline) }).toEqual(facts);
      expect(p.sla.left).toBe(p.sla.deadline - NOW);
      if (!awaiting) {
        expect(alert, c.name).toBeUndefined();
        expect(csvState.get(id), c.name).toBe('not-needed');
        continue;
      }
      // One breach verdict.
      const verdict = { case: c.name, triage: p.sla.breached, said: /SLA breached/.test(p.parts[0]!.detail), alert: alert?.kind === 'breach', report: reportBreach.has(id), csv: csvState.get(id) === 'breached', list: listed.has(id) };
      const b = p.sla.breached;
      expect(verdict).toEqual({ case: c.name, triage: b, said: b, alert: b, report: b, csv: b, list: b });
      expect(csvState.get(id), c.name).toBe(b ? 'breached' : 'pending');
      // SLA soon exactly when triage says ten minutes or less are left.
      expect(alert?.kind === 'sla_soon', c.name).toBe(!b && p.sla.left <= 10 * MIN);
    }

    const byName = (name: string) => triage.get(ids.get(name)!)!;
    expect(byName('due exactly now: not yet breached').sla).toMatchObject({ left: 0, breached: false });
    if (business) {
      expect(byName('Friday 16:50 on X: due Monday 09:20 on business hours').sla.deadline).toBe(Date.parse('2026-11-23T09:20:00Z'));
      // Saturday's post has used one business hour (Monday 09:00–10:00) of its two: half the SLA, not all of it.
      const saturday = byName('Facebook on Saturday: its clock starts Monday 09:00');
      expect(saturday.sla).toMatchObject({ used: 60 * MIN, breached: false, deadline: Date.parse('2026-11-23T11:00:00Z') });
      expect(saturday.parts[0]!.points).toBe(14.1);
    } else {
      expect(byName('Facebook on Saturday: its clock starts Monday 09:00').sla.breached).toBe(true);
    }
    await store.close();
  });
});
