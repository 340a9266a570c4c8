import type { Db } from './open.js';
import type { CursorState } from '../sources/types.js';

export async function loadCursor(db: Db, source: string, queryKey: string): Promise<CursorState | null> {
  const row = await db.get<{ state: string }>('SELECT state FROM cursors WHERE source = ? AND query_key = ?', [source, queryKey]);
  return row ? (JSON.parse(row.state) as CursorState) : null;
}

export async function saveCursor(db: Db, source: string, queryKey: string, state: CursorState, at: number): Promise<void> {
  await db.run(
    `INSERT INTO cursors (source, query_key, state, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (source, query_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    [source, queryKey, JSON.stringify(state), at],
  );
}
