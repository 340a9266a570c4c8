/**
 * The SQLite text-search index, written in bulk (migration 016): rows up to the watermark are in
 * `mentions_fts`; the ones above it are indexed after a poll, and searched meanwhile through a temporary
 * index of this connection. PostgreSQL's GIN index keeps itself in step: both are no-ops there.
 */
import type { Db } from './open.js';

const WATERMARK = '(SELECT indexed_to FROM mentions_fts_watermark WHERE id = 1)';

/**
 * Index every mention above the watermark in one statement, and move the watermark past them; returns how
 * many. One statement writes one FTS5 segment, where a trigger per page wrote one for every 100 rows.
 */
export async function indexSearchText(db: Db): Promise<number> {
  if (db.kind !== 'sqlite') return 0;
  return db.transaction(async (tx) => {
    const { changes } = await tx.run(`INSERT INTO mentions_fts (rowid, text) SELECT id, text FROM mentions WHERE id > ${WATERMARK}`);
    // Never lowered: rows deleted from the top leave their ids indexed-or-absent, and a reused id is indexed by the insert trigger.
    if (changes > 0) await tx.run(`UPDATE mentions_fts_watermark SET indexed_to = max(indexed_to, (SELECT max(id) FROM mentions)) WHERE id = 1`);
    return changes;
  });
}

/**
 * Before a search on this connection: the mentions not indexed yet, in a temporary index of their own that
 * `textSearch` (src/store/dialect.ts) reads beside `mentions_fts`. Writes nothing to the file, so a reading
 * command on a read-only file searches everything too.
 */
export async function prepareSearch(db: Db): Promise<void> {
  if (db.kind !== 'sqlite') return;
  // Contentless, with the main index's tokenizer: the same words match the same way.
  await db.run(
    "CREATE VIRTUAL TABLE IF NOT EXISTS temp.mentions_fts_tail USING fts5(text, content = '', tokenize = 'unicode61 remove_diacritics 2', detail = 'none', columnsize = 0)",
  );
  await db.run("INSERT INTO temp.mentions_fts_tail (mentions_fts_tail) VALUES ('delete-all')");
  await db.run(`INSERT INTO temp.mentions_fts_tail (rowid, text) SELECT id, text FROM mentions WHERE id > ${WATERMARK}`);
}
