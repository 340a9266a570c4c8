import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors.js';
import type { Engine } from './engine.js';
import { migrate, ownership, refuseNewer, SCHEMA_VERSION } from './migrate.js';
import { isPostgresUrl } from './postgres-url.js';
import { SqliteEngine } from './sqlite.js';
import { sqliteAddon } from './sqlite-addon.js';
import { translate } from './sqlite-errors.js';

/** The handle every store function takes. */
export type Db = Engine;

export interface Store {
  readonly db: Engine;
  readonly path: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** For commands that only read: no WAL switch, no migration, no file created; works on a read-only file. */
  readOnly?: boolean;
}

/** Open (creating when absent) and migrate the database; every failure is a StoreError with the fix. */
export async function openStore(path: string, options: OpenOptions = {}): Promise<Store> {
  // A postgres:// URL is team mode on PostgreSQL; anything else is a SQLite file.
  if (isPostgresUrl(path)) return (await import('./postgres-open.js')).openPostgresStore(path, options);
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
  let connection: Database.Database;
  try {
    connection = new Database(path, { timeout: 5000, ...sqliteAddon() });
  } catch (error) {
    throw translate(error, path);
  }
  const db = new SqliteEngine(connection, path);
  try {
    // Read the header first: a non-SQLite file, another application's database or a newer schema is refused
    // before anything is written.
    await ownership(db, path);
    await refuseNewer(db, path);
    // Brand data and the audit trail are private; WAL and SHM files inherit this mode.
    if (!isMemory && !existed) chmodSync(path, 0o600);
    if (!isMemory) connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    connection.pragma('synchronous = NORMAL');
    await migrate(db, path);
  } catch (error) {
    connection.close();
    if (error instanceof StoreError) throw error;
    throw translate(error, path, existed);
  }
  return { db, path, close: () => db.close() };
}

/** A store that reads only: the file is never written, so a read-only file (or folder) can still be listed. */
async function openReadOnly(path: string): Promise<Store> {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new StoreError(`${path}: cannot open the database (it is a folder); check the path`);
  }
  let connection: Database.Database;
  try {
    connection = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000, ...sqliteAddon() });
  } catch (error) {
    throw translate(error, path);
  }
  const db = new SqliteEngine(connection, path);
  try {
    const owner = await ownership(db, path);
    const version = await refuseNewer(db, path);
    if (owner === 'empty') throw new StoreError(`${path}: no brandwatch data here yet; run \`brandwatch poll\` first`);
    if (version < SCHEMA_VERSION) {
      throw new StoreError(
        `${path}: the database has schema ${version} and this brandwatch reads schema ${SCHEMA_VERSION}; run \`brandwatch poll\` once to upgrade it (reading commands leave the file as it is)`,
      );
    }
  } catch (error) {
    connection.close();
    if (error instanceof StoreError) throw error;
    throw translate(error, path);
  }
  return { db, path, close: () => db.close() };
}

export { translate as translateStoreError };
