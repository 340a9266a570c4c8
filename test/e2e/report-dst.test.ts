import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { runCommand, tempDir, writeConfig } from '../helpers/cli.js';
import { reportConfig, seedDatabase } from '../report/fixture.js';

/*
 * Europe/London leaves summer time on Sunday 2026-10-25 at 02:00 BST (01:00 UTC), inside 2026-W43,
 * which therefore runs from Monday 00:00 BST (2026-10-18T23:00Z) to Monday 00:00 GMT (2026-10-26T00:00Z).
 */
let dir: string;
const env = { BRANDWATCH_NOW: '2026-11-01T12:00:00Z' };
const cli = (...args: string[]) => runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { env });

beforeAll(async () => {
  dir = tempDir();
  writeConfig(dir, reportConfig().replace('timezone: UTC', 'timezone: Europe/London'));
  await seedDatabase(join(dir, 'bw.db'), [
    { platform: 'twitter', createdAt: '2026-10-18T22:59:00Z', text: 'W42: Sunday 23:59 BST' },
    { platform: 'twitter', createdAt: '2026-10-18T23:00:00Z', text: 'W43: Monday 00:00 BST' },
    { platform: 'twitter', createdAt: '2026-10-24T22:30:00Z', respondedAfter: 40, text: 'Saturday 23:30 BST, answered Sunday 00:10' },
    { platform: 'twitter', createdAt: '2026-10-25T00:30:00Z', text: '01:30 BST, before the change' },
    { platform: 'twitter', createdAt: '2026-10-25T01:30:00Z', text: '01:30 GMT, after the change' },
    { platform: 'twitter', createdAt: '2026-10-25T23:00:00Z', respondedAfter: 59, text: 'Sunday 23:00 GMT, answered 23:59' },
    { platform: 'twitter', createdAt: '2026-10-25T23:59:00Z', text: 'W43: Sunday 23:59 GMT' },
    { platform: 'twitter', createdAt: '2026-10-26T00:00:00Z', text: 'W44: Monday 00:00 GMT' },
  ]);
});

describe('a week with a DST change, in the config time zone', () => {
  it('counts 23:59 Sunday in the week and 00:00 Monday in the next, on both ends', async () => {
    const result = await cli('report', '--week', '2026-W43', '--json');
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.period).toMatchObject({ start: '2026-10-19T00:00:00+01:00', end: '2026-10-26T00:00:00+00:00', timeZone: 'Europe/London' });
    expect(report.headline.mentions).toBe(6);
    expect(Object.fromEntries(report.days.map((d: { day: string; mentions: number }) => [d.day, d.mentions]))).toEqual({
      '2026-10-19': 1,
      '2026-10-20': 0,
      '2026-10-21': 0,
      '2026-10-22': 0,
      '2026-10-23': 0,
      '2026-10-24': 1,
      '2026-10-25': 4,
    });
    // "Same day" is the local day: Saturday 23:30 answered at Sunday 00:10 BST is not, though both are the same UTC date.
    expect(report.headline.expectations.sameDay).toBe(Number((1 / 6).toFixed(4)));
    expect(report.headline.expectations.within2h).toBe(Number((2 / 6).toFixed(4)));
  });

  it('puts the neighbours into their own weeks', async () => {
    const before = JSON.parse((await cli('report', '--week', '2026-W42', '--json')).stdout);
    const after = JSON.parse((await cli('report', '--week', '2026-W44', '--json')).stdout);
    expect(before.headline.mentions).toBe(1);
    expect(after.headline.mentions).toBe(1);
    expect(before.days.at(-1)).toMatchObject({ day: '2026-10-18', mentions: 1 });
    expect(after.days[0]).toMatchObject({ day: '2026-10-26', mentions: 1 });
  });

  it('exports the same six mentions with local offsets on either side of the change', async () => {
    const result = await cli('export', '--week', '2026-W43');
    expect(result.code, result.stderr).toBe(0);
    const rows = parse(result.stdout, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.created_at)).toEqual([
      '2026-10-19T00:00:00+01:00',
      '2026-10-24T23:30:00+01:00',
      '2026-10-25T01:30:00+01:00',
      '2026-10-25T01:30:00+00:00',
      '2026-10-25T23:00:00+00:00',
      '2026-10-25T23:59:00+00:00',
    ]);
    expect(rows[1]!.first_response_at).toBe('2026-10-25T00:10:00+01:00');
  });

  it('takes --since/--until as local dates', async () => {
    const result = await cli('report', '--since', '2026-10-25', '--until', '2026-10-26', '--json');
    const report = JSON.parse(result.stdout);
    expect(report.period).toMatchObject({ start: '2026-10-25T00:00:00+01:00', end: '2026-10-26T00:00:00+00:00', week: null });
    expect(report.headline.mentions).toBe(4);
  });
});
