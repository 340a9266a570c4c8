/**
 * Display width in terminal cells: what a table measures so each line fits the terminal exactly.
 * A grapheme (Intl.Segmenter) is 2 cells when East-Asian wide or fullwidth, or an emoji shown as a
 * picture; 0 when it is only combining marks or format characters; else 1. Text must already be
 * sanitised (no escape sequences); colour is applied after measuring.
 */

// Made on first use: a segmenter loads ICU's break rules, which plain ASCII text never needs.
let segmenter: Intl.Segmenter | null = null;

function graphemes(text: string): Intl.Segments {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter.segment(text);
}

// East Asian Wide (W) and Fullwidth (F) blocks, as [first, last] code points (Unicode 15 EastAsianWidth.txt, coalesced).
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0], [0x23f3, 0x23f3],
  [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2648, 0x2653], [0x267f, 0x267f], [0x2693, 0x2693], [0x26a1, 0x26a1],
  [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5], [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea],
  [0x26f2, 0x26f3], [0x26f5, 0x26f5], [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b],
  [0x2728, 0x2728], [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797],
  [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55], [0x2e80, 0x303e],
  [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3],
  [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff], [0x1b000, 0x1b2ff], [0x1f004, 0x1f004], [0x1f0cf, 0x1f0cf], [0x1f18e, 0x1f18e],
  [0x1f191, 0x1f19a], [0x1f1e6, 0x1f1ff], [0x1f200, 0x1f251], [0x1f300, 0x1f64f], [0x1f680, 0x1f6ff],
  [0x1f7e0, 0x1f7eb], [0x1f90c, 0x1f9ff], [0x1fa70, 0x1faff], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
];

function isWide(codePoint: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [first, last] = WIDE[mid]!;
    if (codePoint < first) hi = mid - 1;
    else if (codePoint > last) lo = mid + 1;
    else return true;
  }
  return false;
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u200b]+$/u;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;

/** Cells one grapheme takes. */
export function graphemeWidth(grapheme: string): number {
  const first = grapheme.codePointAt(0) ?? 0;
  if (first < 0x20) return 0;
  if (first < 0x7f) return 1;
  if (ZERO_WIDTH.test(grapheme)) return 0;
  if (isWide(first)) return 2;
  // A text-default pictograph made a picture by VS16 (❤️, ☀️) or joined into a sequence (ZWJ emoji).
  if (PICTOGRAPH.test(grapheme) && (grapheme.includes('\ufe0f') || grapheme.includes('\u200d'))) return 2;
  return 1;
}

// Printable ASCII only: the common case needs no segmenting.
const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/** Terminal cells the text takes. */
export function displayWidth(text: string): number {
  if (PLAIN_ASCII.test(text)) return text.length;
  let width = 0;
  for (const { segment } of graphemes(text)) width += graphemeWidth(segment);
  return width;
}

/** At most `max` cells: whole graphemes, the cut marked with `…` (one cell). */
export function truncateWidth(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  if (max <= 0) return '';
  let width = 0;
  let out = '';
  for (const { segment } of graphemes(text)) {
    const w = graphemeWidth(segment);
    if (width + w > max - 1) break;
    out += segment;
    width += w;
  }
  return `${out}…`;
}

/** Padded with spaces to `width` cells (never cut). */
export function padWidth(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const gap = Math.max(0, width - displayWidth(text));
  return align === 'right' ? ' '.repeat(gap) + text : text + ' '.repeat(gap);
}

/** Prose folded at spaces into lines of at most `width` cells (a word longer than a line is cut). */
export function wrapWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (displayWidth(candidate) <= width) line = candidate;
    else {
      if (line !== '') lines.push(line);
      line = truncateWidth(word, width);
    }
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
