import { describe, expect, it } from 'vitest';
import { displayWidth, truncateWidth, wrapWidth } from '../../src/io/width.js';
import { fitColumns, renderPairs, renderTable, renderTsv, type Column } from '../../src/io/table.js';

describe('display width', () => {
  it.each([
    ['abc', 3],
    ['', 0],
    ['日本語', 6],
    ['한국어', 6],
    ['ｆｕｌｌ', 8],
    ['👍', 2],
    ['👍🏽', 2],
    ['👨‍👩‍👧', 2],
    ['🇬🇧', 2],
    ['❤️', 2],
    ['❤', 1],
    ['e\u0301', 1],
    ['café', 4],
    ['a\u200bb', 2],
  ])('%j is %i cells', (text, width) => {
    expect(displayWidth(text)).toBe(width);
  });

  it('truncates by cells with an ellipsis and never splits a grapheme', () => {
    expect(truncateWidth('hello world', 5)).toBe('hell…');
    expect(truncateWidth('日本語テキスト', 5)).toBe('日本…');
    expect(displayWidth(truncateWidth('日本語テキスト', 6))).toBeLessThanOrEqual(6);
    expect(truncateWidth('👨‍👩‍👧👨‍👩‍👧👨‍👩‍👧', 4)).toBe('👨‍👩‍👧…');
    expect(truncateWidth('short', 10)).toBe('short');
    expect(truncateWidth('abc', 0)).toBe('');
  });

  it('wraps prose at spaces within the width', () => {
    const text = 'Response rate = responded ÷ needing a response; 12 handled privately or resolved without a reply.';
    for (const line of wrapWidth(text, 30).split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(30);
    expect(wrapWidth(text, 30).replace(/\n/g, ' ')).toBe(text);
  });
});

describe('tables like gh', () => {
  const columns: Column[] = [
    { header: 'id', align: 'right' },
    { header: 'author', shrink: true, min: 10 },
    { header: 'status' },
    { header: 'text', shrink: true, min: 12 },
  ];
  const rows = [
    ['7', '@a_really_long_handle_that_goes_on_and_on_forever', 'new', 'Fernhill 🚀🚀 is down again in 東京都渋谷区 and nobody answers 😡😡😡 for hours and hours'],
    ['1234', '@数据分析师_小王', 'open', 'short'],
  ];

  it.each([20, 40, 80, 120, 200])('every line fits %i columns, numbers right-aligned, header in capitals', (width) => {
    const text = renderTable(columns, rows, { width });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(width >= 40 ? /^ +ID {2}AUTHOR/ : /^ +ID {2}A/);
    for (const line of lines) expect(displayWidth(line), line).toBeLessThanOrEqual(width);
    for (const line of lines) expect(line).not.toMatch(/ $/);
    if (width >= 40) expect(lines[1]).toMatch(/^ {3}7 {2}@/);
  });

  it('at 200 columns nothing is cut', () => {
    expect(renderTable(columns, rows, { width: 200 })).not.toContain('…');
  });

  it('the widest shrinkable column gives first, until the shrinkable ones are level', () => {
    expect(fitColumns(columns, [4, 40, 6, 80], 100)).toEqual([4, 40, 6, 44]);
    expect(fitColumns(columns, [4, 40, 6, 80], 80)).toEqual([4, 32, 6, 32]);
  });

  it('optional columns give way when the fixed ones cannot fit', () => {
    const wide: Column[] = [{ header: 'name', shrink: true }, { header: 'aaaaaaaaaa', align: 'right' }, { header: 'bbbbbbbbbb', align: 'right', optional: true }];
    const text = renderTable(wide, [['x', '1', '2']], { width: 22 });
    expect(text).not.toContain('BBBB');
    expect(text).toContain('AAAAAAAAAA');
  });

  it('pairs lay out side by side as the width allows', () => {
    const pairs: [string, string][] = [['mentions', '120'], ['FRT p50', '42m'], ['SLA met', '71%'], ['open now', '8']];
    for (const width of [20, 40, 80]) for (const line of renderPairs(pairs, width).split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(width);
    expect(renderPairs(pairs, 80).split('\n')).toHaveLength(1);
    expect(renderPairs(pairs, 20).split('\n')).toHaveLength(4);
  });

  it('piped: tab-separated, tabs and newlines in cells folded', () => {
    expect(renderTsv([[1, 'a\tb', null, 'x\ny']])).toBe('1\ta b\t\tx y');
  });
});
