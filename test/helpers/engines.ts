import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe } from 'vitest';
import type { EngineKind } from '../../src/store/engine.js';
import { openStore, type Store } from '../../src/store/open.js';
import { cloneDatabase, describePostgres, freshDatabase, migratedDatabase } from './postgres.js';

/** One engine as a test sees it: its kind, and fresh stores on it (each an empty, migrated database). */
export interface EngineUnderTest {
  kind: EngineKind;
  /** A new store: a temporary SQLite file, or a new database on the test PostgreSQL server. */
  fresh(): Promise<Store>;
  /** Where a new store would be, without opening it (for commands run in-process with --db): nothing there yet. */
  freshLocation(): Promise<string>;
  /**
   * A copy of the store at `location` (closed, on this engine) that a test may change without touching the
   * original: one expensive set-up (a poll) shared by the tests of a file, each starting from the same rows.
   */
  copyOf(location: string): Promise<string>;
}

function sqlite(): EngineUnderTest {
  let dir: string | null = null;
  let n = 0;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const freshLocation = async () => {
    dir ??= mkdtempSync(join(tmpdir(), 'bw-engine-'));
    return join(dir, `store-${++n}.db`);
  };
  const copyOf = async (location: string) => {
    const copy = await freshLocation();
    // Fold the WAL into the file first, so the copy is the whole database.
    const db = new Database(location);
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
    copyFileSync(location, copy);
    chmodSync(copy, 0o600);
    return copy;
  };
  return { kind: 'sqlite', freshLocation, copyOf, fresh: async () => openStore(await freshLocation()) };
}

function postgres(): EngineUnderTest {
  const freshLocation = () => freshDatabase('store');
  // A migrated empty database is a clone of one migrated once per test file: the migration itself is tested
  // on empty databases (test/store/migrate-store.test.ts, the overlapping first polls of test/e2e/concurrency).
  return { kind: 'postgres', freshLocation, copyOf: (location) => cloneDatabase(location, 'copy'), fresh: async () => openStore(await migratedDatabase('store')) };
}

/**
 * One definition, both engines: `fn` declares its tests once and they run on SQLite and on PostgreSQL
 * (skipped, saying why, when no PostgreSQL server binaries are installed).
 */
export function forEachEngine(name: string, fn: (engine: EngineUnderTest) => void): void {
  describe(`${name} (SQLite)`, () => fn(sqlite()));
  describePostgres(`${name} (PostgreSQL)`, () => fn(postgres()));
}

/** Rows of a query on a store by its location (a SQLite file or a PostgreSQL URL), read-only, on its own connection. */
export async function queryStore<T = Record<string, unknown>>(location: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const store = await openStore(location, { readOnly: true });
  try {
    return await store.db.all<T>(sql, params);
  } finally {
    await store.close();
  }
}
