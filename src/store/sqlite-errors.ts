/** SQLite's failures in the person's terms: each names the database and what to do about it. */
import { StoreError } from '../errors.js';

export function translate(error: unknown, path: string, existed = true): StoreError {
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  if (code === 'SQLITE_NOTADB' || /not a database/.test(message)) {
    return new StoreError(`${path}: this file is not a SQLite database; point --db at a brandwatch database or move the file away`);
  }
  if (code.startsWith('SQLITE_READONLY') || /readonly/.test(message)) {
    return new StoreError(`${path}: the database is read-only; check the file's and its folder's permissions`);
  }
  if (code === 'SQLITE_CANTOPEN' || !existed) {
    return new StoreError(`${path}: cannot open the database (${message}); check the path and its permissions`);
  }
  if (code === 'SQLITE_FULL' || /disk is full/.test(message)) {
    return new StoreError(`${path}: the disk is full; free some space and run the command again`);
  }
  if (code === 'SQLITE_CORRUPT') {
    return new StoreError(`${path}: the database is damaged (${message}); restore it from a backup`);
  }
  if (code.startsWith('SQLITE_IOERR')) {
    // Often a full disk seen from another angle (no room for the WAL index), or a failing device.
    return new StoreError(`${path}: the database could not be read or written (${code}); check free disk space and the disk itself`);
  }
  return new StoreError(`${path}: database error: ${message}`);
}

/**
 * A statement's failure as the store reports it: SQLite's own errors become the StoreError above, except
 * constraint violations, which the store functions catch and read (a unique key won by another writer).
 */
export function translateSqliteError(error: unknown, path: string): unknown {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return error;
  const code = (error as { code?: string }).code ?? '';
  if (code.startsWith('SQLITE_CONSTRAINT')) return error;
  return translate(error, path);
}
