import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { migrate, ownership, refuseNewer, SCHEMA_VERSION } from './migrate.js';

export type Db = Database.Database;

export interface Store {
  readonly db: Db;
  readonly path: string;
  close(): void;
}

export interface OpenOptions {
  /** For commands that only read: no WAL switch, no migration, no file created; works on a read-only file. */
  readOnly?: boolean;
}

/** Open (creating when absent) and migrate the database; every failure is a StoreError with the fix. */
export function openStore(path: string, options: OpenOptions = {}): Store {
  if (options.readOnly) return openReadOnly(path);
  const isMemory = path === ':memory:';
  if (!isMemory) {
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new StoreError(`${dirname(path)}: cannot create the database folder (${(error as NodeJS.ErrnoException).code})`);
    }
  }
  const existed = isMemory ? false : existsSync(path);
  let db: Db;
  try {
    db = new Database(path, { timeout: 5000 });
  } catch (error) {
    throw translate(error, path);
  }
  try {
    // Read the header first: a non-SQLite file, another application's database or a newer schema is refused
    // before anything is written.
    ownership(db, path);
    refuseNewer(db, path);
    // Brand data and the audit trail are private; WAL and SHM files inherit this mode.
    if (!isMemory && !existed) chmodSync(path, 0o600);
    if (!isMemory) db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    migrate(db, path);
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw translate(error, path, existed);
  }
  return { db, path, close: () => db.close() };
}

/** A store that reads only: the file is never written, so a read-only file (or folder) can still be listed. */
function openReadOnly(path: string): Store {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new StoreError(`${path}: cannot open the database (it is a folder); check the path`);
  }
  let db: Db;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  } catch (error) {
    throw translate(error, path);
  }
  try {
    const owner = ownership(db, path);
    const version = refuseNewer(db, path);
    if (owner === 'empty') throw new StoreError(`${path}: no brandwatch data here yet; run \`brandwatch poll\` first`);
    if (version < SCHEMA_VERSION) {
      throw new StoreError(
        `${path}: the database has schema ${version} and this brandwatch reads schema ${SCHEMA_VERSION}; run \`brandwatch poll\` once to upgrade it (reading commands leave the file as it is)`,
      );
    }
  } catch (error) {
    db.close();
    if (error instanceof StoreError) throw error;
    throw translate(error, path);
  }
  return { db, path, close: () => db.close() };
}

function translate(error: unknown, path: string, existed = true): StoreError {
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

export { translate as translateStoreError };
