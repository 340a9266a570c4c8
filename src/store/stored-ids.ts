import type { Db } from './open.js';
import { statement } from './statements.js';

/** Which of these platform ids are stored already (a streamed page tells the new ones apart by it). */
export function storedExternalIds(db: Db, platform: string, externalIds: readonly string[]): Set<string> {
  const query = statement<[string, string], { id: number }>(db, 'SELECT id FROM mentions WHERE platform = ? AND external_id = ?');
  return new Set(externalIds.filter((id) => query.get(platform, id) !== undefined));
}

/** The row ids of stored mentions by platform id (for `watch --json`'s mention events). */
export function mentionRowId(db: Db, platform: string, externalId: string): number | null {
  return statement<[string, string], { id: number }>(db, 'SELECT id FROM mentions WHERE platform = ? AND external_id = ?').get(platform, externalId)?.id ?? null;
}
