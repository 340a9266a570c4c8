import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, schemaVersion, SCHEMA_VERSION } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/open.js';
import { insertMentions } from '../../src/store/mentions.js';
import { listAlerts } from '../../src/store/alerts.js';
import { runAlerts } from '../../src/alerts/run.js';
import { configSchema } from '../../src/config/schema.js';
import type { NewMention } from '../../src/sources/types.js';
import { engineOf } from '../helpers/engine.js';
import type { Engine } from '../../src/store/engine.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 20, 12, 0);

let nextId = 1;
function mention(createdAt: number, overrides: Partial<NewMention> = {}): NewMention {
  const id = String(nextId++);
  return {
    platform: 'twitter',
    externalId: id,
    url: `https://x.com/u/status/${id}`,
    authorHandle: `user${id}`,
    authorName: null,
    authorId: id,
    authorFollowers: 10,
    text: `acme post ${id}`,
    lang: 'en',
    createdAt,
    keywords: ['acme'],
    inReplyTo: null,
    conversationId: id,
    summonsBrand: false,
    metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 },
    ...overrides,
  };
}

const config = configSchema.parse({
  brand: 'Acme',
  keywords: ['acme'],
  sources: [{ platform: 'twitter', bearerTokenEnv: 'T' }],
  sla: { twitter: '30m', default: '24h' },
  alerts: { minPriority: 'high', slaMinPriority: 'urgent' },
});

function evaluate(db: Engine, now: number) {
  return runAlerts({ db, config, env: {}, now, timeZone: 'UTC', signal: new AbortController().signal, verbose: () => undefined });
}

describe('migration 006 (alerts)', () => {
  it('migrates a version-1 database with mentions, keeping them, and adds the alert log', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 1);
    expect(await schemaVersion(engineOf(db))).toBe(1);
    await engineOf(db).transaction(async (tx) => await insertMentions(tx, 'twitter', [mention(T0), mention(T0 + MIN)], T0 + 2 * MIN));
    await migrate(engineOf(db), ':memory:');
    expect(await schemaVersion(engineOf(db))).toBe(SCHEMA_VERSION);
    expect((db.prepare('SELECT count(*) AS n FROM mentions').get() as { n: number }).n).toBe(2);
    const id = (db.prepare('SELECT min(id) AS id FROM mentions').get() as { id: number }).id;
    db.prepare(
      "INSERT INTO alerts (key, kind, mention_id, raised_at, title, payload, delivery) VALUES ('new:1', 'new', ?, 1, 't', '{}', 'pending')",
    ).run(id);
    expect(() =>
      db.prepare("INSERT INTO alerts (key, kind, raised_at, title, payload, delivery) VALUES ('new:1', 'new', 1, 't', '{}', 'pending')").run(),
    ).toThrow(/UNIQUE/);
    expect(() =>
      db.prepare("INSERT INTO alerts (key, kind, raised_at, title, payload, delivery) VALUES ('x', 'other', 1, 't', '{}', 'pending')").run(),
    ).toThrow(/CHECK/);
    db.close();
  });
});

describe('alerts over a generated series', () => {
  it('a burst of 30 problem reports in 10 minutes raises one spike alert, evaluated every minute', async () => {
    const store = await openStore(':memory:');
    const { db } = store;
    // A week of ordinary traffic: about one question every 2 hours.
    const history = Array.from({ length: 84 }, (_, i) => mention(T0 - 7 * 24 * HOUR + i * 2 * HOUR));
    await engineOf(db).transaction(async (tx) => await insertMentions(tx, 'twitter', history, T0 - HOUR, () => ({ category: 'question', sentiment: 0, priority: 20 })));
    await evaluate(db, T0 - HOUR);

    // The outage: 30 problem reports over 10 minutes, high priority, polled and evaluated every minute for 20 minutes.
    const burst = Array.from({ length: 30 }, (_, i) => mention(T0 + 1000 + i * 20_000, { text: `acme is down ${i}` }));
    const raised: { kind: string; foldedInto: string | null }[] = [];
    for (let minute = 1; minute <= 20; minute++) {
      const now = T0 + minute * MIN;
      const arrived = burst.filter((m) => m.createdAt <= now && m.createdAt > now - MIN);
      await engineOf(db).transaction(async (tx) => await insertMentions(tx, 'twitter', arrived, now, () => ({ category: 'problem', sentiment: -0.6, priority: 70 })));
      const report = await evaluate(db, now);
      raised.push(...report.raised.map((a) => ({ kind: a.kind, foldedInto: a.foldedInto })));
    }
    const spikes = raised.filter((a) => a.kind === 'spike');
    expect(spikes).toHaveLength(1);
    const individual = raised.filter((a) => a.kind !== 'spike' && !a.foldedInto);
    // Only the reports polled before the burst was recognisable as one get alerts of their own.
    expect(individual.length).toBeLessThan(10);
    expect(raised.filter((a) => a.kind === 'new')).toHaveLength(30);
    const log = await listAlerts(engineOf(db));
    expect(log.filter((a) => a.kind === 'spike')[0]!.title).toMatch(/^Spike: \d+ mentions of "acme" in the last 10m \(usually 0\.1\); \d+ are problem reports/);
    expect(new Set(log.map((a) => a.key)).size).toBe(log.length);
    await store.close();
  });

  it('raises each alert once per mention per reason however often it runs, and remembers engagement between runs', async () => {
    const store = await openStore(':memory:');
    const { db } = store;
    const m = mention(T0, { metrics: { likes: 5, reposts: 0, replies: 0, quotes: 0 } });
    await engineOf(db).transaction(async (tx) => await insertMentions(tx, 'twitter', [m], T0 + MIN, () => ({ category: 'complaint', sentiment: -0.4, priority: 80 })));
    const first = await evaluate(db, T0 + MIN);
    expect(first.raised.map((a) => a.key)).toEqual([expect.stringMatching(/^new:\d+$/)]);
    expect((await evaluate(db, T0 + 2 * MIN)).raised).toEqual([]);
    // Engagement jumps between polls: 5 → 60 in 4 minutes.
    await engineOf(db).transaction(async (tx) => await insertMentions(tx, 'twitter', [{ ...m, metrics: { likes: 50, reposts: 10, replies: 0, quotes: 0 } }], T0 + 5 * MIN));
    expect((await evaluate(db, T0 + 5 * MIN)).raised.map((a) => a.kind)).toEqual(['viral']);
    expect((await evaluate(db, T0 + 6 * MIN)).raised).toEqual([]);
    expect((await evaluate(db, T0 + 21 * MIN)).raised.map((a) => a.kind)).toEqual(['sla_soon']);
    // The deadline (T0 + 30 min) itself is not yet a breach: an answer then still meets the SLA, as the report counts it.
    expect((await evaluate(db, T0 + 30 * MIN)).raised).toEqual([]);
    expect((await evaluate(db, T0 + 31 * MIN)).raised.map((a) => a.kind)).toEqual(['breach']);
    expect((await evaluate(db, T0 + 40 * MIN)).raised).toEqual([]);
    expect((await listAlerts(engineOf(db))).map((a) => a.delivery)).toEqual(['none', 'none', 'none', 'none']);
    await store.close();
  });

  it('follows business hours when configured: a complaint at 16:50 on a Friday is due at 09:20 on Monday', async () => {
    const store = await openStore(':memory:');
    const { db } = store;
    const business = configSchema.parse({
      brand: 'Acme',
      keywords: ['acme'],
      sources: [{ platform: 'twitter', bearerTokenEnv: 'T' }],
      sla: { twitter: '30m' },
      businessHours: { mon: '09:00-17:00', tue: '09:00-17:00', wed: '09:00-17:00', thu: '09:00-17:00', fri: '09:00-17:00' },
      alerts: { minPriority: 'urgent' },
    });
    const friday = Date.UTC(2026, 10, 20, 16, 50); // Friday 20 November 2026, UTC
    await engineOf(db).transaction(async (tx) => await insertMentions(tx, 'twitter', [mention(friday)], friday + MIN, () => ({ category: 'complaint', sentiment: -1, priority: 60 })));
    const at = (t: number) => runAlerts({ db, config: business, env: {}, now: t, timeZone: 'UTC', signal: new AbortController().signal, verbose: () => undefined });
    expect((await at(friday + 2 * HOUR)).raised).toEqual([]);
    expect((await at(Date.UTC(2026, 10, 23, 9, 11))).raised.map((a) => a.kind)).toEqual(['sla_soon']);
    expect((await at(Date.UTC(2026, 10, 23, 9, 20))).raised).toEqual([]);
    const breach = await at(Date.UTC(2026, 10, 23, 9, 21));
    expect(breach.raised.map((a) => [a.kind, a.payload.mention])).toEqual([
      ['breach', expect.objectContaining({ deadline: '2026-11-23T09:20:00.000Z' })],
    ]);
    await store.close();
  });
});

describe('alert delivery within a time budget', () => {
  it('stops when the budget is used and leaves the rest, in order, for the next run', async () => {
    const { FakeServer } = await import('../fakes/server.js');
    const { raiseAlerts, deliverAlerts } = await import('../../src/alerts/run.js');
    const receiver = new FakeServer(false);
    const got: number[] = [];
    receiver.route('POST', /^\/hook$/, (r) => {
      got.push((JSON.parse(r.body) as { alert: { id: number } }).alert.id);
      return { status: 200, body: 'ok' };
    });
    await receiver.start();
    try {
      const { db } = await openStore(':memory:');
      await insertMentions(engineOf(db), 'twitter', Array.from({ length: 4 }, (_, i) => mention(T0 - (5 - i) * MIN)), T0);
      const withHook = configSchema.parse({
        brand: 'Acme',
        keywords: ['acme'],
        sources: [{ platform: 'twitter', bearerTokenEnv: 'T' }],
        sla: { twitter: '30m', default: '24h' },
        alerts: { minPriority: 'low', webhook: `${receiver.url}/hook`, retry: { attempts: 1 } },
      });
      const options = { db, config: withHook, env: {}, now: T0, timeZone: 'UTC', signal: new AbortController().signal, verbose: () => undefined };
      // Each delivery "takes" 10 s of the 25 s budget.
      const first = await deliverAlerts({ ...options, budgetMs: 25_000, elapsed: () => got.length * 10_000 }, await raiseAlerts(options));
      expect(first.raised.length).toBe(4);
      expect(first.delivered).toBe(3);
      expect(first.waiting).toBe(1);
      const next = await deliverAlerts(options, await raiseAlerts({ ...options, now: T0 + MIN }));
      expect(next.delivered).toBe(1);
      expect(got).toEqual([1, 2, 3, 4]);
    } finally {
      await receiver.stop();
    }
  });
});
