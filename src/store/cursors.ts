import type { Db } from './open.js';
import { statement } from './statements.js';
import type { CursorState } from '../sources/types.js';

export function loadCursor(db: Db, source: string, queryKey: string): CursorState | null {
  const row = statement<[string, string], { state: string }>(db, 'SELECT state FROM cursors WHERE source = ? AND query_key = ?').get(
    source,
    queryKey,
  );
  return row ? (JSON.parse(row.state) as CursorState) : null;
}

export function saveCursor(db: Db, source: string, queryKey: string, state: CursorState, at: number): void {
  statement(
    db,
    `INSERT INTO cursors (source, query_key, state, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, query_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
  ).run(source, queryKey, JSON.stringify(state), at);
}
