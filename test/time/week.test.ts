import { describe, expect, it } from 'vitest';
import { isoWeekMonday, isoWeekOf, parseWeek, periodDays } from '../../src/time/week.js';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;
const HOUR = 3_600_000;

describe('ISO weeks', () => {
  it.each([
    ['2026-01-01', 2026, 1],
    ['2025-12-29', 2026, 1],
    ['2027-01-03', 2026, 53],
    ['2027-01-04', 2027, 1],
    ['2026-11-16', 2026, 47],
    ['2026-11-22', 2026, 47],
    ['2024-12-30', 2025, 1],
  ])('%s is in %i-W%i', (date, year, week) => {
    expect(isoWeekOf(day(date))).toEqual({ year, week });
  });

  it('knows which years have a week 53', () => {
    expect(isoWeekMonday(2026, 53)).toBe(day('2026-12-28'));
    expect(isoWeekMonday(2025, 53)).toBeNull();
    expect(isoWeekMonday(2026, 0)).toBeNull();
  });
});

describe('parseWeek', () => {
  const now = Date.parse('2026-11-22T09:00:00Z'); // Sunday of 2026-W47

  it.each([
    ['2026-W47', '2026-W47', '2026-11-16T00:00:00Z'],
    ['2026w47', '2026-W47', '2026-11-16T00:00:00Z'],
    ['this', '2026-W47', '2026-11-16T00:00:00Z'],
    ['last', '2026-W46', '2026-11-09T00:00:00Z'],
    ['LAST', '2026-W46', '2026-11-09T00:00:00Z'],
    ['2027-W01', '2027-W01', '2027-01-04T00:00:00Z'],
  ])('%s → %s', (text, week, start) => {
    const period = parseWeek(text, now, 'UTC')!;
    expect(period.week).toBe(week);
    expect(period.start).toBe(Date.parse(start));
    expect(period.end - period.start).toBe(168 * HOUR);
  });

  it.each(['2026-W54', '2025-W53', 'next', '47', '2026-11-16', ''])('rejects %j', (text) => {
    expect(parseWeek(text, now, 'UTC')).toBeNull();
  });

  it('takes "this" week from the local date, not the UTC one', () => {
    // Monday 00:30 in Auckland is still Sunday in UTC.
    const mondayAuckland = Date.parse('2026-11-22T11:30:00Z');
    expect(parseWeek('this', mondayAuckland, 'Pacific/Auckland')!.week).toBe('2026-W48');
    expect(parseWeek('this', mondayAuckland, 'UTC')!.week).toBe('2026-W47');
  });

  it('is 169 hours long when the clocks go back inside it (Europe/London, 2026-10-25)', () => {
    const period = parseWeek('2026-W43', now, 'Europe/London')!;
    expect(period.start).toBe(Date.parse('2026-10-18T23:00:00Z')); // Monday 00:00 BST
    expect(period.end).toBe(Date.parse('2026-10-26T00:00:00Z')); // Monday 00:00 GMT
    expect(period.end - period.start).toBe(169 * HOUR);
    const days = periodDays(period);
    expect(days.map((d) => d.day)).toEqual(['2026-10-19', '2026-10-20', '2026-10-21', '2026-10-22', '2026-10-23', '2026-10-24', '2026-10-25']);
    expect(days[6]!.end - days[6]!.start).toBe(25 * HOUR);
  });

  it('is 167 hours long when the clocks go forward inside it (America/New_York, 2026-03-08)', () => {
    const period = parseWeek('2026-W10', now, 'America/New_York')!;
    expect(period.start).toBe(Date.parse('2026-03-02T05:00:00Z')); // Monday 00:00 EST
    expect(period.end).toBe(Date.parse('2026-03-09T04:00:00Z')); // Monday 00:00 EDT
    expect(period.end - period.start).toBe(167 * HOUR);
    expect(periodDays(period)[6]!.end - periodDays(period)[6]!.start).toBe(23 * HOUR);
  });
});

describe('periodDays', () => {
  it('clips the first and last day to a --since/--until period', () => {
    const days = periodDays({ start: Date.parse('2026-11-16T18:00:00Z'), end: Date.parse('2026-11-18T06:00:00Z'), timeZone: 'UTC' });
    expect(days.map((d) => [d.day, new Date(d.start).toISOString(), new Date(d.end).toISOString(), new Date(d.dayEnd).toISOString()])).toEqual([
      ['2026-11-16', '2026-11-16T18:00:00.000Z', '2026-11-17T00:00:00.000Z', '2026-11-17T00:00:00.000Z'],
      ['2026-11-17', '2026-11-17T00:00:00.000Z', '2026-11-18T00:00:00.000Z', '2026-11-18T00:00:00.000Z'],
      ['2026-11-18', '2026-11-18T00:00:00.000Z', '2026-11-18T06:00:00.000Z', '2026-11-19T00:00:00.000Z'],
    ]);
  });
});
