import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatInstant, localParts, systemTimeZone } from '../../src/time/zone.js';

/** What Intl makes of an instant in a zone: the answer the arithmetic for UTC must give. */
function intlParts(at: number, timeZone: string) {
  const parts: Record<string, number> = {};
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  for (const p of format.formatToParts(new Date(at))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour! % 24, minute: parts.minute, second: parts.second };
}

const MAX = 8.64e15;

describe('UTC without zone data', () => {
  it('reads the same local parts as Intl for any instant, before and after year 1', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -MAX, max: MAX }), fc.integer({ min: new Date('0001-01-01T00:00:00Z').getTime() - 1e11, max: 4102444800000 })), (at) => {
        expect(localParts(at, 'UTC')).toEqual(intlParts(at, 'UTC'));
      }),
      { numRuns: 5000 },
    );
  });

  it('formats an instant as before', () => {
    expect(formatInstant(Date.parse('2026-11-23T09:00:59.999Z'), 'UTC')).toBe('2026-11-23T09:00:59+00:00');
    expect(formatInstant(Date.parse('2026-03-29T01:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29T03:30:00+02:00');
  });

  it('takes TZ=UTC and TZ=Etc/UTC as UTC, as Intl does; any other TZ is Intl\'s answer', () => {
    const before = process.env.TZ;
    try {
      for (const tz of ['UTC', 'Etc/UTC']) {
        process.env.TZ = tz;
        expect(systemTimeZone()).toBe('UTC');
        expect(Intl.DateTimeFormat().resolvedOptions().timeZone).toBe('UTC');
      }
      process.env.TZ = 'Europe/Berlin';
      expect(systemTimeZone()).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });
});
