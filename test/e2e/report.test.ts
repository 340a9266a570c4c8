import { beforeAll, describe, expect, it } from 'vitest';
import { forEachEngine } from '../helpers/engines.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { runCommand, tempDir, writeConfig } from '../helpers/cli.js';
import { reportConfig, seedDatabase, type SeedMention } from '../report/fixture.js';

/*
 * A week with hand-computed figures (2026-W46, UTC, calendar clock; SLA twitter 30 min, facebook 2 h).
 * "Now" is Sunday 2026-11-15 20:00, inside the week, so one facebook mention is still pending.
 *
 * twitter (13 roots): FRTs 10, 20, 40, 90, 300 (created Mon 10:00), 15 (praise, answered), 80 (created
 * Mon 23:00, answered Tue 00:20 — not the same day); private and resolved without reply (handled, breached);
 * ignored, spam and unanswered praise (not needing); one unanswered question (breached).
 *   needing 10, responded 7, handled 2, rate 0.7; sorted FRT 10 15 20 40 80 90 300 → p50 40, p90 300,
 *   mean 555/7 = 79.3; met 3 (10, 15, 20), breached 7, pending 0; within 30 min 3/10, 2 h 6/10,
 *   same day 6/10, 24 h 7/10; lag 5 each.
 * facebook (4 roots): FRT 60 (fetched after 30), FRT 180 (fetched after 200: lag capped at 180),
 *   unanswered since 19:00 (pending until 21:00), spam.
 *   needing 3, responded 2, rate 0.6667; p50 60, p90 180, mean 120; met 1, breached 1, pending 1.
 * headline: 17 mentions, needing 13, responded 9, FRT 10 15 20 40 60 80 90 180 300 → p50 60, p90 300,
 *   mean 795/9 = 88.3; lag mean 245/9 = 27.2; handling mean 550/9 = 61.1; met 4, breached 8, pending 1.
 * Outside the week: Sunday 2026-11-08 23:59 and Monday 2026-11-16 00:00. A follow-up to the first
 * mention after our reply, answered 20 min later, is measured as next-response time, not as a mention.
 */
const MON = '2026-11-09T10:00:00Z';
const MENTIONS: SeedMention[] = [
  { platform: 'twitter', createdAt: MON, respondedAfter: 10 },
  { platform: 'twitter', createdAt: MON, respondedAfter: 20 },
  { platform: 'twitter', createdAt: MON, respondedAfter: 40 },
  { platform: 'twitter', createdAt: MON, respondedAfter: 90 },
  { platform: 'twitter', createdAt: MON, respondedAfter: 300 },
  { platform: 'twitter', createdAt: '2026-11-09T11:00:00Z', status: 'private' },
  { platform: 'twitter', createdAt: '2026-11-09T12:00:00Z', status: 'resolved' },
  { platform: 'twitter', createdAt: '2026-11-09T13:00:00Z', status: 'ignored' },
  { platform: 'twitter', createdAt: '2026-11-09T13:00:00Z', status: 'spam' },
  { platform: 'twitter', createdAt: '2026-11-09T13:00:00Z', status: 'new', category: 'praise' },
  { platform: 'twitter', createdAt: MON, respondedAfter: 15, category: 'praise' },
  { platform: 'twitter', createdAt: MON, status: 'open' },
  { platform: 'twitter', createdAt: '2026-11-09T23:00:00Z', respondedAfter: 80 },
  { platform: 'facebook', createdAt: MON, respondedAfter: 60, fetchedAfter: 30 },
  { platform: 'facebook', createdAt: MON, respondedAfter: 180, fetchedAfter: 200 },
  { platform: 'facebook', createdAt: '2026-11-15T19:00:00Z' },
  { platform: 'facebook', createdAt: MON, status: 'spam' },
  // Outside the week, on both boundaries.
  { platform: 'twitter', createdAt: '2026-11-08T23:59:00Z' },
  { platform: 'twitter', createdAt: '2026-11-16T00:00:00Z' },
  // A follow-up to mention 1 after our reply at 10:10.
  { platform: 'twitter', createdAt: '2026-11-09T10:30:00Z', threadOf: 1, status: 'replied', respondedAfter: 20 },
];
const NOW = '2026-11-15T20:00:00Z';

let dir: string;
let db: string;
let env: Record<string, string>;
const cli = (...args: string[]) => runCommand(['--config', join(dir, 'config.yml'), '--db', db, ...args], { env });

forEachEngine('report on a hand-computed week', (engine) => {
  beforeAll(async () => {
    dir = tempDir();
    db = engine.kind === 'sqlite' ? join(dir, 'bw.db') : await engine.freshLocation();
    writeConfig(dir, reportConfig());
    await seedDatabase(db, MENTIONS, [
      { mentionId: 1, sentAt: '2026-11-09T10:10:00Z' },
      { mentionId: 1, sentAt: '2026-11-09T10:50:00Z' },
    ]);
    env = { BRANDWATCH_NOW: NOW };
  });

  describe('report --format json on a hand-computed week', () => {
    it('gives the headline, per-platform, expectation, breach and follow-up figures', async () => {
      const result = await cli('report', '--week', '2026-W46', '--format', 'json');
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.period).toEqual({
        label: '2026-W46 (2026-11-09 – 2026-11-15)',
        week: '2026-W46',
        start: '2026-11-09T00:00:00+00:00',
        end: '2026-11-16T00:00:00+00:00',
        timeZone: 'UTC',
      });
      expect(report.clock.kind).toBe('calendar');
      expect(report.headline).toMatchObject({
        mentions: 17,
        needingResponse: 13,
        responded: 9,
        handledPrivately: 2,
        responseRate: 0.6923,
        handledRate: 0.8462,
        frt: { p50Minutes: 60, p90Minutes: 300, meanMinutes: 88.3 },
        detectionLag: { meanMinutes: 27.2 },
        handling: { meanMinutes: 61.1 },
        sla: { met: 4, breached: 8, pending: 1, attainment: 0.3077 },
        expectations: { within30m: 0.2308, within2h: 0.5385, sameDay: 0.6154, within24h: 0.6923 },
      });
      const [facebook, twitter] = report.platforms;
      expect(twitter).toMatchObject({
        platform: 'twitter',
        slaTargetMinutes: 30,
        mentions: 13,
        needingResponse: 10,
        responded: 7,
        handledPrivately: 2,
        responseRate: 0.7,
        frt: { p50Minutes: 40, p90Minutes: 300, meanMinutes: 79.3 },
        detectionLag: { meanMinutes: 5 },
        sla: { met: 3, breached: 7, pending: 0, attainment: 0.3 },
        expectations: { within30m: 0.3, within2h: 0.6, sameDay: 0.6, within24h: 0.7 },
        customerExpectations: { survey: 'twitter', within30m: 0.3, within2h: 0.5, sameDay: 0.83 },
      });
      expect(facebook).toMatchObject({
        platform: 'facebook',
        slaTargetMinutes: 120,
        mentions: 4,
        needingResponse: 3,
        responded: 2,
        responseRate: 0.6667,
        frt: { p50Minutes: 60, p90Minutes: 180, meanMinutes: 120 },
        detectionLag: { meanMinutes: 105 },
        handling: { meanMinutes: 15 },
        sla: { met: 1, breached: 1, pending: 1, attainment: 0.3333 },
        expectations: { within30m: 0, within2h: 0.3333, sameDay: 0.6667, within24h: 0.6667 },
        customerExpectations: { survey: 'facebook', sameDay: 0.71, within24h: 0.5 },
      });
      expect(report.breaches.total).toBe(8);
      expect(report.breaches.worst.map((b: { id: number }) => b.id)).toEqual([12, 6, 7, 5, 4, 15, 13, 3]);
      expect(report.breaches.worst[0]).toMatchObject({ platform: 'twitter', status: 'open', firstResponseAt: null, overdueMinutes: 9210 });
      expect(report.followUps).toEqual({ count: 1, answered: 1, nextResponse: { p50Minutes: 20, p90Minutes: 20, meanMinutes: 20 } });
      expect(report.days).toHaveLength(7);
      expect(report.days[0]).toMatchObject({ day: '2026-11-09', mentions: 16 });
      expect(report.days[6]).toMatchObject({ day: '2026-11-15', mentions: 1, needingResponse: 1, responded: 0 });
      expect(report.apiUsage).toEqual([
        expect.objectContaining({ source: 'twitter', requests: 0, postsRead: 0, monthlyReadBudget: 10000 }),
      ]);
      // Open now: the unanswered praise, the open question, Sunday's facebook item and both outside the week.
      expect(report.headline.openBacklog).toBe(5);
    });

    it('groups by keyword, category and day with the same definitions', async () => {
      const byCategory = JSON.parse((await cli('report', '--week', '2026-W46', '--by', 'category', '--json')).stdout);
      expect(byCategory.groupBy).toBe('category');
      const praise = byCategory.groups.find((g: { key: string }) => g.key === 'praise');
      expect(praise).toMatchObject({ mentions: 2, needingResponse: 1, responded: 1, frt: { p50Minutes: 15 } });
      const byDay = JSON.parse((await cli('report', '--week', '2026-W46', '--by', 'day', '--json')).stdout);
      expect(byDay.groups.map((g: { key: string }) => g.key)).toEqual(['2026-11-09', '2026-11-15']);
    });

    it('lists the breaches behind the figures with list --breached', async () => {
      const result = await cli('list', '--breached', '--json');
      expect(result.code, result.stderr).toBe(0);
      const ids = JSON.parse(result.stdout).map((m: { id: number }) => m.id).sort((a: number, b: number) => a - b);
      // The week's 8, plus the unanswered mention of the week before (24 h and more past its 30 min).
      expect(ids).toEqual([3, 4, 5, 6, 7, 12, 13, 15, 18]);
    });

    it('prints a readable table with the clock, the expectation table and the daily chart', async () => {
      const result = await cli('report', '--week', '2026-W46');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Clock: calendar time (24/7)');
      expect(result.stdout).toMatch(/twitter\s+30% \(30%\)\s+60% \(50%\)\s+60% \(83%\)/);
      expect(result.stdout).toContain('SLA breaches: 8');
      expect(result.stdout).toMatch(/Mon 2026-11-09 █+\s+16/);
      expect(result.stdout).not.toMatch(/\x1b\[/);
    });

    it('says which clock it used when business hours are configured', async () => {
      const bizDir = tempDir();
      writeConfig(bizDir, reportConfig('businessHours:\n  mon: 09:00-17:00\n  tue: 09:00-17:00\n  holidays: [2026-11-10]'));
      const result = await runCommand(['--config', join(bizDir, 'config.yml'), '--db', db, 'report', '--week', '2026-W46', '--json'], { env });
      if (engine.kind === 'postgres') {
        // Business-hours SLA figures stay SQLite-only (README, Working as a team): said so, exit 2.
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/businessHours: SLA figures on business hours are computed in the SQLite store only/);
        return;
      }
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout);
      expect(report.clock).toEqual({ kind: 'business', description: 'business hours only (Mon–Tue 09:00–17:00 UTC, 1 holiday)' });
      // Created Mon 23:00, answered Tue 00:20: no open time passed, so its FRT is 0 and the median drops to 20.
      expect(report.platforms[1].frt.p50Minutes).toBe(20);
    });

    it('writes a self-contained HTML report', async () => {
      const out = join(dir, 'week.html');
      const result = await cli('report', '--week', '2026-W46', '--format', 'html', '--out', out);
      expect(result.code, result.stderr).toBe(0);
      const html = readFileSync(out, 'utf8');
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain('<svg');
      expect(html).not.toMatch(/<script|src=["']?http|<link/i);
    });

    it('rejects a bad period with a one-line usage error (exit 2)', async () => {
      for (const args of [['--week', '2026-W60'], ['--week', 'soon'], ['--since', 'yesterday'], ['--week', 'last', '--since', '7d'], ['--by', 'author']]) {
        const result = await cli('report', ...args);
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr.trim().split('\n')).toHaveLength(1);
        expect(result.stderr).not.toMatch(/at .*\.js/);
      }
    });
  });
});
