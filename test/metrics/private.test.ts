import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { migrate } from '../../src/store/migrate.js';
import type { Engine } from '../../src/store/engine.js';
import { engineOf } from '../helpers/engine.js';
import { businessHoursSchema } from '../../src/config/business-hours.js';
import { configSchema } from '../../src/config/schema.js';
import { businessHoursClock, CALENDAR_TIME, type ResponseClock } from '../../src/time/business.js';
import { metricSql, registerBusinessTimeSql } from '../../src/metrics/sql.js';
import { slaTarget } from '../../src/metrics/sla.js';
import { answeredPrivately, answeredPublicly, timeToFirstPrivateAnswer, timeToResolution, wentPrivate, type PrivateFacts } from '../../src/metrics/private.js';

/** The private channel's definitions against their SQL twins, and the DM SLA targets against theirs, on both clocks. */
const H = 3_600_000;
const BASE = Date.parse('2026-11-23T08:00:00Z');
const hours = businessHoursSchema.parse({ mon: '09:00-17:00', tue: '09:00-17:00', wed: '09:00-17:00', thu: '09:00-17:00', fri: '09:00-17:00' });
const CLOCKS: [string, ResponseClock][] = [
  ['calendar', CALENDAR_TIME],
  ['business', businessHoursClock(hours, 'Europe/London')],
];

const at = fc.option(fc.integer({ min: 0, max: 200 }).map((n) => BASE + n * 0.5 * H), { nil: null });
const facts = fc.record({ createdAt: fc.integer({ min: 0, max: 100 }).map((n) => BASE + n * 0.25 * H), firstResponseAt: at, privateAt: at, firstPrivateResponseAt: at, resolvedAt: at });

async function store(rows: (PrivateFacts & { platform: string; channel: 'public' | 'dm' })[]): Promise<Engine> {
  const db = engineOf(new Database(':memory:'));
  await migrate(db, ':memory:');
  for (const [i, r] of rows.entries()) {
    await db.run(
      `INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at,
          first_response_at, private_at, first_private_response_at, resolved_at, channel)
        VALUES (?, ?, ?, 'kim', 'hi', ?, ?, '[]', 'new', ?, ?, ?, ?, ?, ?)`,
      [r.platform, r.platform, String(i), r.createdAt, r.createdAt, r.createdAt, r.firstResponseAt, r.privateAt, r.firstPrivateResponseAt, r.resolvedAt, r.channel],
    );
  }
  return db;
}

describe('private channel definitions', () => {
  for (const [name, clock] of CLOCKS) {
    it(`agree with their SQL twins on the ${name} clock`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(facts, { minLength: 1, maxLength: 12 }), async (all) => {
          const db = await store(all.map((f) => ({ ...f, platform: 'twitter', channel: 'public' })));
          registerBusinessTimeSql(db, clock);
          const sql = metricSql(clock, { default: 24 * H }, BASE);
          const got = await db.all<{ p: number; pub: number; priv: number; fpa: number | null; res: number | null }>(
            `SELECT ${sql.wentPrivate} AS p, ${sql.answeredPublicly} AS pub, ${sql.answeredPrivately} AS priv, ${sql.firstPrivateAnswer} AS fpa, ${sql.resolution} AS res FROM mentions m ORDER BY id`,
          );
          got.forEach((row, i) => {
            const f = all[i]!;
            expect(row.p === 1).toBe(wentPrivate(f));
            expect(row.pub === 1).toBe(answeredPublicly(f));
            expect(row.priv === 1).toBe(answeredPrivately(f));
            expect(row.fpa).toBe(timeToFirstPrivateAnswer(f, clock));
            expect(row.res).toBe(timeToResolution(f, clock));
          });
          await db.close();
        }),
        { numRuns: 40 },
      );
    });
  }

  it('a private answer after a public one counts in both; a private answer alone only in private', () => {
    expect(answeredPublicly({ firstResponseAt: 1, firstPrivateResponseAt: 5 })).toBe(true);
    expect(answeredPublicly({ firstResponseAt: 5, firstPrivateResponseAt: 5 })).toBe(false);
    expect(answeredPrivately({ firstPrivateResponseAt: 5 })).toBe(true);
    expect(timeToFirstPrivateAnswer({ privateAt: null, firstPrivateResponseAt: 5 }, CALENDAR_TIME)).toBeNull();
  });
});

describe('SLA targets of direct messages (sla.dm)', () => {
  const cases = [
    { sla: { twitter: '30m', dm: { twitter: '2h' } }, expect: { twitter: [30, 120], mastodon: [24 * 60, 24 * 60] } },
    { sla: { twitter: '30m', default: '4h', dm: { default: '1h' } }, expect: { twitter: [30, 60], mastodon: [240, 60] } },
    { sla: { twitter: '30m' }, expect: { twitter: [30, 30], bluesky: [24 * 60, 24 * 60] } },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.sla)}: TS and SQL agree per platform and channel`, async () => {
      const config = configSchema.shape.sla.parse(c.sla);
      const db = await store(
        Object.keys(c.expect).flatMap((platform) => (['public', 'dm'] as const).map((channel) => ({ platform, channel, createdAt: BASE, firstResponseAt: null, privateAt: null, firstPrivateResponseAt: null, resolvedAt: null }))),
      );
      const sql = metricSql(CALENDAR_TIME, config, BASE);
      const rows = await db.all<{ platform: string; channel: 'public' | 'dm'; target: number }>(`SELECT m.platform, m.channel, ${sql.target} AS target FROM mentions m ORDER BY id`, sql.params);
      for (const row of rows) {
        const [pub, dm] = c.expect[row.platform as keyof typeof c.expect]!;
        const wanted = (row.channel === 'dm' ? dm : pub)! * 60_000;
        expect(slaTarget({ sla: config }, row.platform, row.channel)).toBe(wanted);
        expect(row.target).toBe(wanted);
      }
    });
  }
});
