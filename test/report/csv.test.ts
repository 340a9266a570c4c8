import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { neutralizeFormula } from '../../src/report/csv.js';

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
