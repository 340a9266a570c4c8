import { describe, expect, it } from 'vitest';
import { businessHoursSchema } from '../../src/config/business-hours.js';
import { businessHoursClock, CALENDAR_TIME } from '../../src/time/business.js';
import { slaDeadline } from '../../src/metrics/sla.js';
import { localCalendar } from '../../src/time/zone.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const hours = businessHoursSchema.parse({
  mon: '09:00-17:00',
  tue: '09:00-17:00',
  wed: '09:00-17:00',
  thu: '09:00-17:00',
  fri: '09:00-13:00',
  holidays: ['2026-12-25'],
});
const london = businessHoursClock(hours, 'Europe/London');
const t = (iso: string) => Date.parse(iso);

describe('business time (Europe/London, Mon–Thu 09–17, Fri 09–13, 25 Dec closed)', () => {
  it.each([
    ['within one open day', '2026-11-16T10:00:00Z', '2026-11-16T11:30:00Z', 90 * MIN],
    ['before opening to after closing', '2026-11-16T06:00:00Z', '2026-11-16T20:00:00Z', 8 * HOUR],
    ['overnight', '2026-11-16T16:00:00Z', '2026-11-17T10:00:00Z', 2 * HOUR],
    ['Friday afternoon to Monday morning', '2026-11-20T12:00:00Z', '2026-11-23T10:00:00Z', 2 * HOUR],
    ['entirely on a weekend', '2026-11-21T10:00:00Z', '2026-11-22T18:00:00Z', 0],
    ['across a holiday', '2026-12-24T16:00:00Z', '2026-12-28T10:00:00Z', 1 * HOUR + 1 * HOUR],
    ['backwards', '2026-11-16T12:00:00Z', '2026-11-16T10:00:00Z', 0],
    ['in summer time (09:00 BST is 08:00 UTC)', '2026-07-06T08:00:00Z', '2026-07-06T09:00:00Z', 1 * HOUR],
    ['over the weekend the clocks go back (Thu 16:00 BST → Mon 09:30 GMT)', '2026-10-22T15:00:00Z', '2026-10-26T09:30:00Z', 5 * HOUR + 30 * MIN],
  ])('elapsed %s', (_, from, to, expected) => {
    expect(london.elapsed(t(from), t(to))).toBe(expected);
  });

  it.each([
    ['inside the day', '2026-11-16T10:00:00Z', 30 * MIN, '2026-11-16T10:30:00Z'],
    ['outside hours starts at opening', '2026-11-16T07:00:00Z', 30 * MIN, '2026-11-16T09:30:00Z'],
    ['spills into the next day', '2026-11-16T16:30:00Z', 1 * HOUR, '2026-11-17T09:30:00Z'],
    ['Friday short day to Monday', '2026-11-20T12:30:00Z', 1 * HOUR, '2026-11-23T09:30:00Z'],
    ['skips the holiday', '2026-12-24T16:30:00Z', 1 * HOUR, '2026-12-28T09:30:00Z'],
    ['exactly at closing stays at closing', '2026-11-16T16:00:00Z', 1 * HOUR, '2026-11-16T17:00:00Z'],
    ['in summer time', '2026-07-06T07:00:00Z', 30 * MIN, '2026-07-06T08:30:00Z'],
  ])('add %s', (_, from, duration, expected) => {
    expect(new Date(london.add(t(from), duration)).toISOString()).toBe(new Date(t(expected)).toISOString());
  });

  it('adds and measures consistently', () => {
    const start = t('2026-11-20T11:17:00Z');
    for (const duration of [0, 1 * MIN, 2 * HOUR, 7 * HOUR, 40 * HOUR]) {
      expect(london.elapsed(start, london.add(start, duration))).toBe(duration);
    }
  });

  it('moves SLA deadlines past closed hours; the calendar clock is unchanged', () => {
    const created = t('2026-11-20T12:45:00Z');
    expect(slaDeadline(created, 30 * MIN)).toBe(created + 30 * MIN);
    expect(slaDeadline(created, 30 * MIN, CALENDAR_TIME)).toBe(created + 30 * MIN);
    expect(new Date(slaDeadline(created, 30 * MIN, london)).toISOString()).toBe('2026-11-23T09:15:00.000Z');
  });

  it('describes itself for the report header', () => {
    expect(london.describe()).toBe('business hours only (Mon–Thu 09:00–17:00, Fri 09:00–13:00 Europe/London, 1 holiday)');
    expect(CALENDAR_TIME.describe()).toBe('calendar time (24/7)');
  });
});

describe('businessHours config', () => {
  it.each([
    [{ mon: '9:00-17:00' }, true],
    [{ mon: '09:00-24:00' }, true],
    [{ mon: 'closed', tue: '08:30-12:00' }, true],
    [{ mon: '17:00-09:00' }, false],
    [{ mon: '09:00-25:00' }, false],
    [{ mon: '9-5' }, false],
    [{ sat: 'closed' }, false],
    [{ mon: '09:00-17:00', holidays: ['25/12/2026'] }, false],
    [{ monday: '09:00-17:00' }, false],
  ])('%j valid: %s', (value, ok) => {
    expect(businessHoursSchema.safeParse(value).success).toBe(ok);
  });
});

describe('localCalendar', () => {
  it('formats like ISO 8601 with the offset, across a DST change', () => {
    const zone = localCalendar('Europe/London');
    expect(zone.format(t('2026-10-25T00:59:59Z'))).toBe('2026-10-25T01:59:59+01:00');
    expect(zone.format(t('2026-10-25T01:00:00Z'))).toBe('2026-10-25T01:00:00+00:00');
    expect(localCalendar('Asia/Kolkata').format(t('2026-11-16T00:00:00Z'))).toBe('2026-11-16T05:30:00+05:30');
    expect(localCalendar('America/St_Johns').format(t('2026-11-16T00:00:00Z'))).toBe('2026-11-15T20:30:00-03:30');
  });
});
