import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { csvRecords, instantFormatter, neutralizeFormula, type Cell } from '../../src/report/csv.js';
import { formatInstant, localCalendar } from '../../src/time/zone.js';

const FORMULA_START = /^[=+\-@\t\r]/;
// Strings biased towards the dangerous leads, quotes, separators and non-Latin text.
const cellText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.tuple(fc.constantFrom('=', '+', '-', '@', '\t', '\r', "'", '"', ',', '\n', ' '), fc.string({ unit: 'grapheme' })).map(([lead, rest]) => lead + rest),
  fc.constantFrom('=1+1', '=HYPERLINK("http://evil.example")', '@SUM(A1)', '-2+3', '+cmd', "'=already quoted", 'שלום', '😡'),
);

describe('formula neutralisation', () => {
  it('no cell a spreadsheet reads back starts like a formula, and the text is recoverable', () => {
    fc.assert(
      fc.property(fc.array(cellText, { minLength: 1, maxLength: 6 }), (cells) => {
        const csv = stringify([cells.map(neutralizeFormula)]);
        const [row] = parse(csv, { relax_column_count: true }) as string[][];
        expect(row).toHaveLength(cells.length);
        row!.forEach((cell, i) => {
          expect(cell).not.toMatch(FORMULA_START);
          const original = cells[i]!;
          expect(FORMULA_START.test(original) ? cell.slice(1) : cell).toBe(original);
        });
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@x', "'@x"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ['a=1', 'a=1'],
    [' =1', ' =1'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(neutralizeFormula(input)).toBe(expected);
  });
});

describe('CSV records (the export writer)', () => {
  // Spreadsheets end a row at any CR, LF or CRLF outside quotes: read back the same way.
  const ANY_LINE_END = { record_delimiter: ['\r\n', '\n', '\r'], relax_quotes: false };
  const lineText = fc.oneof(
    cellText,
    fc
      .array(fc.oneof(fc.constantFrom('\n', '\r', '\r\n', '"', '""', ',', '=1+1', '+cmd', '-2', '@SUM(A1)', '\t', "'"), fc.string({ maxLength: 6 })), { maxLength: 8 })
      .map((parts) => parts.join('')),
  );

  it('a field with a bare LF or CR is quoted: every row reads back whole, with no formula cell', () => {
    fc.assert(
      fc.property(fc.array(fc.array(lineText, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = Math.max(...rows.map((r) => r.length));
        const padded = rows.map((r) => [...r, ...Array<string>(width - r.length).fill('x')]);
        const csv = csvRecords(padded.map((r) => r.map(neutralizeFormula)));
        const back = parse(csv, ANY_LINE_END) as string[][];
        expect(back).toHaveLength(padded.length);
        back.forEach((row, i) => {
          expect(row).toHaveLength(width);
          row.forEach((cell, j) => {
            expect(cell).not.toMatch(FORMULA_START);
            const original = padded[i]![j]!;
            expect(FORMULA_START.test(original) ? cell.slice(1) : cell).toBe(original);
          });
        });
      }),
      { numRuns: 1000 },
    );
  });

  it('a post "total\\n=1+1" stays one quoted cell', () => {
    const csv = csvRecords([['id', 'text'], [1, 'total\n=1+1'], [2, 'a\rb']]);
    expect(csv).toBe('id,text\r\n1,"total\n=1+1"\r\n2,"a\rb"\r\n');
  });
});

describe('our CSV writer against csv-stringify', () => {
  // What the export used to hand csv-stringify: the options it wrote with.
  const reference = (rows: Cell[][], bom: boolean) => stringify(rows, { bom, record_delimiter: 'windows', quoted_match: /[\r\n]/ });
  const cell: fc.Arbitrary<Cell> = fc.oneof(
    fc.constant(null),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.array(fc.constantFrom('"', ',', '\r', '\n', '\r\n', ' ', "'", '=', 'a', 'é', '😡', '\t', ''), { maxLength: 10 }).map((parts) => parts.join('')),
    fc.integer(),
    fc.double(),
    fc.constantFrom(0, -0, 1.5, -2.25, 1e21, 1e-7, Number.MAX_SAFE_INTEGER, NaN, Infinity),
  );

  it('writes byte-identical output on random rows, with and without the byte-order mark', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { maxLength: 8 }), { maxLength: 8 }), fc.boolean(), (rows, bom) => {
        expect(csvRecords(rows, bom)).toBe(reference(rows, bom));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes byte-identical output on random texts after the formula guard', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.oneof(cellText, fc.string({ unit: 'binary' })), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }), (rows) => {
        const guarded = rows.map((r) => r.map(neutralizeFormula));
        expect(csvRecords(guarded)).toBe(reference(guarded, false));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('timestamps of the export', () => {
  const zones = ['UTC', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Apia', 'America/St_Johns', 'Asia/Tehran', 'Africa/Casablanca'];

  it('read as formatInstant reads them, in every zone, around transitions too', () => {
    for (const zone of zones) {
      const format = instantFormatter(localCalendar(zone));
      fc.assert(
        fc.property(fc.integer({ min: Date.UTC(1890, 0, 1), max: Date.UTC(2045, 0, 1) }), (at) => {
          expect(format(at)).toBe(formatInstant(at, zone));
        }),
        { numRuns: 300 },
      );
      // Every quarter hour and a few odd instants across a year of transitions.
      for (let at = Date.UTC(2025, 0, 1); at < Date.UTC(2026, 0, 1); at += 900_000 * 7 + 13_001) expect(format(at)).toBe(formatInstant(at, zone));
    }
  });
});
