import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { csvRecords, neutralizeFormula } from '../../src/report/csv.js';

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
