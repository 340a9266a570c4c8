/** Looking at a database without migrating or changing it, for `doctor`. */
import Database from 'better-sqlite3';
import type { Engine } from './engine.js';
import { SqliteEngine } from './sqlite.js';
import { sqliteAddon } from './sqlite-addon.js';

/** Opens the file read-only and reads its header: throws SQLite's own error when it is not a SQLite database. */
export function openForInspection(path: string): Engine {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 2000, ...sqliteAddon() });
  try {
    db.pragma('schema_version');
  } catch (error) {
    db.close();
    throw error;
  }
  return new SqliteEngine(db, path);
}

/** Takes and releases the write lock on a connection of its own: proves the file, its folder (for WAL/journal) and the lock are usable. Throws when not. */
export function tryWriteLock(path: string): void {
  const writer = new Database(path, { fileMustExist: true, timeout: 2000, ...sqliteAddon() });
  try {
    writer.exec('BEGIN IMMEDIATE');
    writer.exec('ROLLBACK');
  } finally {
    writer.close();
  }
}
