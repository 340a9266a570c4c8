/**
 * Tables as gh prints them: on a terminal, plain columns two spaces apart, a header in capitals, every
 * line at most the terminal's width (the widest shrinkable cells are cut with `…`, measured in display
 * cells); when piped, one tab-separated line per row and no header, for `cut` and `awk`.
 */
import { displayWidth, padWidth, truncateWidth } from './width.js';

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Free text (a post, a handle): cut first when the row is too wide. */
  shrink?: boolean;
  /** Cells a shrinking column keeps at least, while others can still give (default 6). */
  min?: number;
  /**
   * Left out when the fixed columns alone are wider than the terminal: a number says which go first
   * (lowest first); `true` columns go rightmost first, after the numbered ones.
   */
  optional?: boolean | number;
}

/** A cell: its text (already sanitised) and, optionally, how to colour it once it is fitted. */
export type Cell = string | { text: string; color?: (text: string) => string };

const GAP = 2;

function textOf(cell: Cell): string {
  return typeof cell === 'string' ? cell : cell.text;
}

/** Column widths that fit `width`: the widest shrinkable column gives a cell at a time, then any column. */
export function fitColumns(columns: readonly Column[], natural: readonly number[], width: number): number[] {
  const widths = [...natural];
  const gaps = GAP * Math.max(0, columns.length - 1);
  let total = widths.reduce((a, b) => a + b, 0) + gaps;
  const giveFrom = (candidates: number[], floor: (i: number) => number) => {
    while (total > width) {
      let widest = -1;
      for (const i of candidates) if (widths[i]! > floor(i) && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
      if (widest < 0) return;
      widths[widest]!--;
      total--;
    }
  };
  const all = columns.map((_, i) => i);
  giveFrom(all.filter((i) => columns[i]!.shrink), (i) => Math.min(natural[i]!, columns[i]!.min ?? 6));
  giveFrom(all.filter((i) => columns[i]!.shrink), () => 1);
  giveFrom(all, () => 1);
  return widths;
}

export interface TableOptions {
  /** The terminal's width in cells. */
  width: number;
  /** How the header row looks (bold, say); plain by default. */
  header?: (text: string) => string;
}

/** Aligned columns for a terminal; no trailing spaces; each line's display width ≤ options.width. */
export function renderTable(allColumns: readonly Column[], allRows: readonly (readonly Cell[])[], options: TableOptions): string {
  const { columns, rows } = dropOptional(allColumns, allRows, options.width);
  const headers = columns.map((c) => c.header.toUpperCase());
  const natural = columns.map((_, i) => Math.max(displayWidth(headers[i]!), ...rows.map((r) => displayWidth(textOf(r[i] ?? '')))));
  const widths = fitColumns(columns, natural, options.width);
  const line = (cells: readonly Cell[], paint?: (text: string) => string) => {
    const parts = columns.map((column, i) => {
      const cell = cells[i] ?? '';
      const fitted = truncateWidth(textOf(cell), widths[i]!);
      const last = i === columns.length - 1;
      const padded = last && column.align !== 'right' ? fitted : padWidth(fitted, widths[i]!, column.align);
      const painter = paint ?? (typeof cell === 'string' ? undefined : cell.color);
      if (!painter) return padded;
      // Colour the text, not the padding around it.
      const at = padded.indexOf(fitted);
      return padded.slice(0, at) + painter(fitted) + padded.slice(at + fitted.length);
    });
    return parts.join(' '.repeat(GAP)).trimEnd();
  };
  return [line(headers, options.header), ...rows.map((r) => line(r))].join('\n');
}

/** Without the optional columns (rightmost first) that keep the fixed ones from fitting. */
function dropOptional(columns: readonly Column[], rows: readonly (readonly Cell[])[], width: number) {
  let keep = columns.map((_, i) => i);
  const natural = columns.map((c, i) => Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(textOf(r[i] ?? '')))));
  const need = (idx: number[]) => idx.reduce((sum, i) => sum + (columns[i]!.shrink ? Math.min(natural[i]!, columns[i]!.min ?? 6) : natural[i]!), 0) + GAP * (idx.length - 1);
  while (need(keep) > width) {
    const rank = (i: number) => (typeof columns[i]!.optional === 'number' ? (columns[i]!.optional as number) : Number.MAX_SAFE_INTEGER);
    const candidates = keep.filter((i) => columns[i]!.optional !== undefined && columns[i]!.optional !== false);
    const drop = candidates.sort((a, b) => rank(a) - rank(b) || b - a)[0];
    if (drop === undefined) break;
    keep = keep.filter((i) => i !== drop);
  }
  return { columns: keep.map((i) => columns[i]!), rows: rows.map((r) => keep.map((i) => r[i] ?? '')) };
}

/** Label–value pairs laid out in as many side-by-side groups as the width holds (a one-row table read down). */
export function renderPairs(pairs: readonly (readonly [string, Cell])[], width: number, label: (text: string) => string = (t) => t): string {
  const labelWidth = Math.max(...pairs.map(([l]) => displayWidth(l)));
  const valueWidth = Math.max(...pairs.map(([, v]) => displayWidth(textOf(v))));
  const groupWidth = labelWidth + 1 + valueWidth;
  const groups = Math.max(1, Math.min(pairs.length, Math.floor((width + 3) / (groupWidth + 3))));
  const perColumn = Math.ceil(pairs.length / groups);
  const lines: string[] = [];
  for (let row = 0; row < perColumn; row++) {
    const parts: string[] = [];
    for (let g = 0; g < groups; g++) {
      const pair = pairs[g * perColumn + row];
      if (!pair) continue;
      const [name, value] = pair;
      const text = truncateWidth(textOf(value), Math.max(1, width - labelWidth - 1));
      const painted = typeof value === 'string' || !value.color ? text : value.color(text);
      parts.push(`${label(padWidth(name, labelWidth))} ${' '.repeat(Math.max(0, valueWidth - displayWidth(text)))}${painted}`);
    }
    lines.push(parts.join('   ').trimEnd());
  }
  return lines.join('\n');
}

/** The piped form: tab-separated, tabs and newlines inside cells folded to spaces, no header. */
export function renderTsv(rows: readonly (readonly (string | number | null)[])[]): string {
  return rows.map((r) => r.map((v) => (v === null ? '' : String(v)).replace(/[\t\r\n]+/g, ' ')).join('\t')).join('\n');
}
