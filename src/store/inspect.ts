/** Looking at a database without migrating or changing it, for `doctor`. */
import type { Database } from 'better-sqlite3';

/** Reads the header: throws when the file is not a SQLite database. */
export function probeDatabase(db: Database): void {
  db.pragma('schema_version');
}

/** Takes and releases the write lock: proves the file, its folder (for WAL/journal) and the lock are usable. Throws when not. */
export function tryWriteLock(db: Database): void {
  db.exec('BEGIN IMMEDIATE');
  db.exec('ROLLBACK');
}
