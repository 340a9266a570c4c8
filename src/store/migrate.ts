import type { Database } from 'better-sqlite3';
import { StoreError } from '../errors.js';
import { migration as m001 } from './migrations/001-initial.js';
import { migration as m002 } from './migrations/002-triage.js';
import { migration as m003 } from './migrations/003-report-index.js';
import { migration as m006 } from './migrations/006-alerts.js';
import { migration as m007 } from './migrations/007-engagement-history.js';
import { migration as m010 } from './migrations/010-search-and-drafts.js';

import type { Migration } from './migrations/migration.js';
export type { Migration };

/** Ordered by version; each runs in a transaction that also sets `user_version`. Versions 4, 5, 8 and 9 are not here (migrations/README.md). */
export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m006, m007, m010];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** The schema version, or a StoreError when the database is newer than this code. */
export function refuseNewer(db: Database, path: string): number {
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new StoreError(
      `${path}: the database was written by a newer brandwatch (schema ${current}, this version knows ${SCHEMA_VERSION}); upgrade brandwatch — the file was left untouched`,
    );
  }
  return current;
}

/** Bring the schema up to `target` (default: the newest); refuse a database newer than this code. */
export function migrate(db: Database, path: string, target = SCHEMA_VERSION): void {
  const current = refuseNewer(db, path);
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      // Another process (an overlapping cron run) may have migrated since we looked: check under the write lock.
      if (schemaVersion(db) >= migration.version) return;
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
