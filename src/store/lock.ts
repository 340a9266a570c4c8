import { realpathSync } from 'node:fs';
import Database from 'better-sqlite3';
import { TemporaryError, StoreError } from '../errors.js';
import type { Engine, EngineLock } from './engine.js';
import { sqliteAddon } from './sqlite-addon.js';

export interface PollLock {
  release(): void;
}

/**
 * Exclusive lock for one poll at a time, held as an open EXCLUSIVE transaction on a
 * small SQLite file beside the database. SQLite's file locks are released by the
 * operating system when a process dies, so a killed poll never leaves a stale lock. The lock file sits
 * beside the real database file: a symlink (or another spelling of the path) reaches the same lock.
 */
export async function acquirePollLock(db: Engine): Promise<EngineLock> {
  const lock = await db.tryLock('poll');
  if (!lock) throw busy();
  return lock;
}

/**
 * The alert delivery lock, apart from the poll lock: delivery runs after a poll released its lock, and one
 * process delivers at a time so no alert goes out twice. Null when another process is delivering.
 */
export function tryDeliveryLock(db: Engine): Promise<EngineLock | null> {
  return db.tryLock('alert-delivery');
}

/** The SQLite engine's named locks: a lock file beside the database file. Null when another process holds it. */
export function takeNamedLock(dbPath: string, name: 'poll' | 'alert-delivery'): PollLock | null {
  return name === 'poll' ? takeLock(`${realFile(dbPath)}.poll-lock`, 'poll') : takeLock(`${realFile(dbPath)}.alert-lock`, 'alert delivery');
}

function takeLock(lockPath: string, what: string): PollLock | null {
  let lockDb: Database.Database;
  try {
    lockDb = new Database(lockPath, { timeout: 0, ...sqliteAddon() });
    lockDb.pragma('journal_mode = DELETE');
  } catch (error) {
    if (isBusy(error)) return null;
    throw new StoreError(`${lockPath}: cannot create the ${what} lock file (${(error as Error).message})`);
  }
  try {
    lockDb.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lockDb.close();
    if (isBusy(error)) return null;
    throw new StoreError(`${lockPath}: cannot take the ${what} lock (${(error as Error).message})`);
  }
  return {
    release: () => {
      if (!lockDb.open) return;
      try {
        lockDb.exec('ROLLBACK');
      } finally {
        lockDb.close();
      }
    },
  };
}

function realFile(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    // Not there (yet): the path as given.
    return path;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

function busy(): TemporaryError {
  return new TemporaryError('another brandwatch poll is running on this database; this run stopped (exit 75) — cron will try again');
}
