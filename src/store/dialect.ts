/**
 * The few places where SQLite's SQL and PostgreSQL's differ, each one helper taking `engine.kind`, so a
 * store statement is written once. Everything else (placeholders aside, which the PostgreSQL engine
 * rewrites) is SQL both engines read alike: `coalesce`, `ON CONFLICT … DO NOTHING/UPDATE`, `RETURNING`,
 * partial indexes, `->>` on JSON text.
 */
import type { EngineKind } from './engine.js';

/**
 * The larger of several values. SQLite's scalar `max(a, b)` is NULL when any argument is; PostgreSQL's
 * GREATEST skips NULLs: pass expressions that are never NULL (wrap them in `coalesce`) to get one answer.
 */
export function greatest(kind: EngineKind, ...exprs: string[]): string {
  return kind === 'postgres' ? `GREATEST(${exprs.join(', ')})` : `max(${exprs.join(', ')})`;
}

/** The smaller of several values; as `greatest`, with never-NULL arguments. */
export function least(kind: EngineKind, ...exprs: string[]): string {
  return kind === 'postgres' ? `LEAST(${exprs.join(', ')})` : `min(${exprs.join(', ')})`;
}

/** A FROM item listing the elements of a JSON array held as text, as `<alias>.value` (text). */
export function jsonArrayValues(kind: EngineKind, expr: string, alias: string): string {
  return kind === 'postgres' ? `json_array_elements_text((${expr})::json) AS ${alias}(value)` : `json_each(${expr}) AS ${alias}`;
}

/**
 * A FROM item listing the elements of a JSON array as JSON, as `<alias>.value` (read it with `->>`, which
 * gives text on PostgreSQL: cast numbers) and `<alias>.key` (the position, from 0).
 */
export function jsonArrayItems(kind: EngineKind, expr: string, alias: string): string {
  return kind === 'postgres'
    ? `(SELECT item AS value, position - 1 AS key FROM json_array_elements((${expr})::json) WITH ORDINALITY AS items(item, position)) AS ${alias}`
    : `json_each(${expr}) AS ${alias}`;
}

/** `a = b` ignoring letter case (SQLite's NOCASE folds ASCII; PostgreSQL lower() folds every alphabet). */
export function equalsIgnoringCase(kind: EngineKind, a: string, b: string): string {
  return kind === 'postgres' ? `lower(${a}) = lower(${b})` : `${a} = ${b} COLLATE NOCASE`;
}

/** A LIKE that ignores letter case on both engines (SQLite's LIKE already does for ASCII; PostgreSQL needs ILIKE). */
export function likeIgnoringCase(kind: EngineKind, expr: string, pattern: string): string {
  return kind === 'postgres' ? `${expr} ILIKE ${pattern} ESCAPE '\\'` : `${expr} LIKE ${pattern} ESCAPE '\\'`;
}

/** The value bound to `LIMIT ?` for "no limit": SQLite takes -1, PostgreSQL NULL (LIMIT ALL). */
export function noLimit(kind: EngineKind): number | null {
  return kind === 'postgres' ? null : -1;
}

/** A `LIMIT` value as each engine wants it: undefined means every row. */
export function limitValue(kind: EngineKind, limit: number | undefined): number | null {
  return limit === undefined || limit < 0 ? noLimit(kind) : limit;
}

/** An epoch-milliseconds expression as the UTC calendar day `YYYY-MM-DD` (SQLite's `date(…, 'unixepoch')`). */
export function utcDay(kind: EngineKind, epochMs: string): string {
  return kind === 'postgres'
    ? `to_char(to_timestamp((${epochMs}) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
    : `date((${epochMs}) / 1000, 'unixepoch')`;
}

/** An epoch-milliseconds expression as `YYYY-MM-DD HH:MM:SS` UTC (SQLite's `datetime(…, 'unixepoch')`). */
export function utcDateTime(kind: EngineKind, epochMs: string): string {
  return kind === 'postgres'
    ? `to_char(to_timestamp((${epochMs}) / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`
    : `datetime((${epochMs}) / 1000, 'unixepoch')`;
}

/** The words a search looks for: the runs SQLite's unicode61 tokenizer keeps whole (letters, digits, marks). */
export function searchWords(text: string): string[] {
  return text.match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
}

/**
 * The query matching mentions whose text holds every word of `text` as a word prefix, or null when `text`
 * has no words. SQLite: an FTS5 MATCH (`"word"*` each) over the index and over the rows not indexed yet
 * (migration 016: run `prepareSearch` from src/store/search-index.ts on the connection first); PostgreSQL: a
 * prefix tsquery (`'word':*` joined with &) over the GIN index on to_tsvector('simple', text). Quoting keeps
 * each word one term, never syntax.
 */
export function textSearch(kind: EngineKind, text: string, idColumn = 'm.id', textColumn = 'm.text'): { sql: string; params: string[] } | null {
  const words = searchWords(text);
  if (words.length === 0) return null;
  if (kind === 'postgres') {
    return {
      sql: `to_tsvector('simple', ${textColumn}) @@ to_tsquery('simple', ?)`,
      params: [words.map((w) => `'${w.replace(/'/g, "''")}':*`).join(' & ')],
    };
  }
  const query = words.map((w) => `"${w}"*`).join(' ');
  return {
    sql: `${idColumn} IN (SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ? UNION ALL SELECT rowid FROM temp.mentions_fts_tail WHERE mentions_fts_tail MATCH ?)`,
    params: [query, query],
  };
}

/** A condition that is always false, in each dialect (SQLite has no boolean literal in older releases). */
export function never(kind: EngineKind): string {
  return kind === 'postgres' ? 'false' : '0';
}

/** How many rows of a group meet a condition, the same SQL on both engines (PostgreSQL cannot sum booleans). */
export function countWhere(condition: string): string {
  return `sum(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
}

/** SQLite's INDEXED BY hint (the planner's choice for a range scan); PostgreSQL's planner takes no hints. */
export function indexedBy(kind: EngineKind, index: string): string {
  return kind === 'postgres' ? '' : ` INDEXED BY ${index}`;
}

/** An inner join that keeps the written order: SQLite's CROSS JOIN (which takes ON and fixes the order); PostgreSQL's JOIN. */
export function orderedJoin(kind: EngineKind): string {
  return kind === 'postgres' ? 'JOIN' : 'CROSS JOIN';
}
