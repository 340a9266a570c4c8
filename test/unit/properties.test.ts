/** Property tests: the pure cores hold their promises for any input, not just the examples we thought of. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sanitizeLine, sanitizeText, truncate } from '../../src/io/sanitize.js';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { parseWhen } from '../../src/time/when.js';
import { planQueries } from '../../src/sources/twitter/query.js';
import { parseQuery } from '../fakes/twitter.js';

const RUNS = { numRuns: 400 };

/** Strings rich in what attackers use: escapes, C1, bidi controls, surrogate halves, plus ordinary text. */
const hostileText = fc
  .array(
    fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.constantFrom('\x1b', '\x1b[', '\x1b]', '\x1b]52;c;', '\x07', '\x1b\\', '\x9b', '\x9d', '\x9c', '\x1bP', '\x00', '\x7f', '\r', '\n', '\t'),
      fc.constantFrom('\u202e', '\u2066', '\u2069', '\ud800', '\udfff', '😀', 'é', '[2J', '31m', ';', '0;title'),
      fc.string({ unit: 'binary' }),
    ),
    { maxLength: 25 },
  )
  .map((parts) => parts.join(''));

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('sanitizeText', () => {
  it('leaves no escape, control (but tab and newline), bidi override or lone surrogate', () => {
    fc.assert(fc.property(hostileText, (text) => !UNSAFE.test(sanitizeText(text))), RUNS);
  });

  it('is idempotent', () => {
    fc.assert(fc.property(hostileText, (text) => sanitizeText(sanitizeText(text)) === sanitizeText(text)), RUNS);
  });

  it('keeps ordinary text (letters, emoji, punctuation, tabs, newlines) unchanged', () => {
    const ordinary = fc.string({ unit: fc.constantFrom(...'abcXYZ 019.,!?@#&<>"\'=+-_/é漢😀👍🏽\t\n'.split(/(?:)/u)) });
    fc.assert(fc.property(ordinary, (text) => sanitizeText(text) === text), RUNS);
  });

  it('sanitizeLine gives one trimmed line', () => {
    fc.assert(fc.property(hostileText, (text) => {
      const line = sanitizeLine(text);
      return !/[\n\t\r]/.test(line) && line === line.trim() && !UNSAFE.test(line);
    }), RUNS);
  });

  it('truncate keeps at most max code points and a prefix of the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 50 }), (text, max) => {
        const cut = truncate(text, max);
        const chars = Array.from(cut);
        if (chars.length > max) return false;
        return cut === text || (cut.endsWith('…') && text.startsWith(chars.slice(0, -1).join('')));
      }),
      RUNS,
    );
  });
});

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const unit = fc.constantFrom(...(Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[]));

describe('durations', () => {
  it('parse the sum of any sequence of amount+unit parts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), unit), { minLength: 1, maxLength: 4 }), (parts) => {
        const text = parts.map(([n, u]) => `${n}${u}`).join('');
        return parseDuration(text) === parts.reduce((sum, [n, u]) => sum + n * UNIT_MS[u], 0);
      }),
      RUNS,
    );
  });

  it('are null (never a throw, never NaN) for anything else', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const ms = parseDuration(text);
        return ms === null || (Number.isInteger(ms) && ms >= 0);
      }),
      RUNS,
    );
    for (const text of ['', '5', 'm', '1x', '-5m', '5 m', '1h-30m', '1e3s', 'NaNs', '.5h']) expect(parseDuration(text), text).toBeNull();
  });

  it('format any length of time in the short form', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => /^-?(\d+s|\d+m|\d+h \d{2}m|\d+d \d+h)$/.test(formatDuration(ms))),
      RUNS,
    );
  });
});

const ZONES = ['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'Pacific/Chatham', 'Asia/Tokyo'];

function localParts(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

describe('parseWhen', () => {
  const now = Date.parse('2026-11-22T09:00:00Z');

  it('reads a relative age as that long before now', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), unit, (n, u) => parseWhen(`${n}${u}`, now, 'UTC') === now - n * UNIT_MS[u]), RUNS);
  });

  it('reads an ISO date as local midnight in the zone', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), fc.constantFrom(...ZONES), (date, zone) => {
        const day = date.toISOString().slice(0, 10);
        const at = parseWhen(day, now, zone);
        return at !== null && localParts(at, zone) === `${day}T00:00`;
      }),
      RUNS,
    );
  });

  it('reads a local date-time as the instant showing that wall-clock time (the earlier of two)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), fc.constantFrom(...ZONES, 'Europe/Berlin', 'America/Santiago'), (date, zone) => {
        const minute = date.getTime() - (date.getTime() % 60_000);
        const local = localParts(minute, zone);
        const at = parseWhen(local, now, zone);
        return at !== null && at <= minute && localParts(at, zone) === local;
      }),
      RUNS,
    );
    // Europe/Berlin springs forward at 02:00 local on 2026-03-29; 01:30 that night is still winter time.
    expect(parseWhen('2026-03-29T01:30', now, 'Europe/Berlin')).toBe(Date.parse('2026-03-29T00:30:00Z'));
    // Lord Howe moves 30 minutes at 02:00 local: that day's midnight is in the old offset (+10:30).
    expect(parseWhen('2026-10-04', now, 'Australia/Lord_Howe')).toBe(Date.parse('2026-10-03T13:30:00Z'));
    // London falls back at 02:00 BST: 01:30 happens twice, the earlier is BST.
    expect(parseWhen('2026-10-25T01:30', now, 'Europe/London')).toBe(Date.parse('2026-10-25T00:30:00Z'));
    // In the spring-forward gap, the time is shifted forward.
    expect(parseWhen('2026-03-29T01:30', now, 'Europe/London')).toBe(Date.parse('2026-03-29T01:30:00Z'));
  });

  it('reads an ISO date-time with an offset as that instant, whatever the zone', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), fc.constantFrom(...ZONES), (date, zone) => {
        const offset = date.toISOString().replace('Z', '+05:30');
        return parseWhen(date.toISOString(), now, zone) === date.getTime() && parseWhen(offset, now, zone) === date.getTime() - 5.5 * 3_600_000;
      }),
      RUNS,
    );
  });

  it('returns null, never throws, on anything else', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...ZONES), (text, zone) => {
        const at = parseWhen(text, now, zone);
        return at === null || Number.isFinite(at);
      }),
      RUNS,
    );
    for (const text of ['2026-02-30', '2026-13-01', '2026-11-16T24:00', '2026-11-16T10:60', 'tomorrow', '2026-W47', '']) {
      expect(parseWhen(text, now, 'UTC'), text).toBeNull();
    }
  });
});

describe('X query planner', () => {
  const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,14}$/);
  const term = fc.oneof(word, fc.tuple(word, word).map(([a, b]) => `${a} ${b}`), word.map((w) => `@${w}`), word.map((w) => `#${w}`), fc.constant('acme-corp'));
  const keyword = fc.record({ term, exclude: fc.array(fc.oneof(word, fc.tuple(word, word).map(([a, b]) => `${a} ${b}`)), { maxLength: 3 }) });
  const input = fc.record({
    keywords: fc.array(keyword, { minLength: 1, maxLength: 40 }),
    ownHandles: fc.array(word, { maxLength: 3 }),
    lengthLimit: fc.integer({ min: 64, max: 600 }),
  });

  it('puts every keyword in exactly one group, every query within the limit, excluding reposts and own posts', () => {
    fc.assert(
      fc.property(input, ({ keywords, ownHandles, lengthLimit }) => {
        let groups;
        try {
          groups = planQueries({ keywords, ownHandles, lengthLimit });
        } catch (error) {
          // Refused only when some keyword cannot fit even alone, and the message names it.
          expect(error).toBeInstanceOf(RangeError);
          const culprit = keywords.find((k) => {
            try {
              planQueries({ keywords: [k], ownHandles, lengthLimit });
              return false;
            } catch {
              return true;
            }
          });
          expect(culprit).toBeDefined();
          expect((error as Error).message).toContain(`"${culprit!.term}"`);
          return;
        }
        const placed = groups.flatMap((g) => g.keywords);
        expect(placed).toHaveLength(keywords.length);
        for (const k of keywords) expect(placed.filter((p) => p === k)).toHaveLength(1);
        for (const g of groups) {
          expect(g.query.length).toBeLessThanOrEqual(lengthLimit);
          expect(g.query).toContain('-is:retweet');
          for (const handle of ownHandles) expect(g.query).toContain(`-from:${handle}`);
          // The query is well-formed X syntax (balanced groups, per-term negation).
          expect(() => parseQuery(g.query)).not.toThrow();
        }
        expect(new Set(groups.map((g) => g.key)).size).toBe(new Set(groups.map((g) => g.query)).size);
      }),
      { numRuns: 300 },
    );
  });

  it('uses one query whenever everything fits in one', () => {
    fc.assert(
      fc.property(input, ({ keywords, ownHandles, lengthLimit }) => {
        const [all] = planQueries({ keywords, ownHandles, lengthLimit: 100_000 });
        fc.pre(all!.query.length <= lengthLimit);
        const groups = planQueries({ keywords, ownHandles, lengthLimit });
        return groups.length === 1 && groups[0]!.query === all!.query;
      }),
      { numRuns: 200 },
    );
  });
});
