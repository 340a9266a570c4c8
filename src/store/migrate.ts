import type { Engine } from './engine.js';
import { StoreError } from '../errors.js';
import { migration as m001 } from './migrations/001-initial.js';
import { migration as m002 } from './migrations/002-triage.js';
import { migration as m003 } from './migrations/003-report-index.js';
import { migration as m006 } from './migrations/006-alerts.js';
import { migration as m007 } from './migrations/007-engagement-history.js';
import { migration as m008 } from './migrations/008-billing.js';
import { migration as m009 } from './migrations/009-one-reply-attempt.js';
import { migration as m010 } from './migrations/010-search-and-drafts.js';
import { migration as m011 } from './migrations/011-classifier.js';
import { migration as m012 } from './migrations/012-team.js';
import { migration as m013 } from './migrations/013-direct-messages.js';
import { migration as m015 } from './migrations/015-queue-indexes.js';
import { migration as m016 } from './migrations/016-lazy-search-index.js';
import { migration as m017 } from './migrations/017-label-count.js';
import { migration as m018 } from './migrations/018-private-items-index.js';
import { migration as m019 } from './migrations/019-packed-adaptation.js';
import { migration as m020 } from './migrations/020-conversation-members-index.js';

import type { Migration } from './migrations/migration.js';
export type { Migration };

/** Ordered by version; each runs in a transaction that also sets `user_version`. Versions 4, 5 and 14 never existed (migrations/README.md). */
export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m006, m007, m008, m009, m010, m011, m012, m013, m015, m016, m017, m018, m019, m020];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

export async function schemaVersion(db: Engine): Promise<number> {
  return pragmaNumber(db, 'user_version');
}

async function pragmaNumber(db: Engine, name: 'user_version' | 'application_id'): Promise<number> {
  const row = await db.get<Record<string, number>>(`PRAGMA ${name}`);
  return Number(row?.[name] ?? 0);
}

/** `PRAGMA application_id` of every brandwatch database: "bwch". */
export const APPLICATION_ID = 0x62776368;

/** Tables every brandwatch schema has had since version 1: how a database from before the marker is recognised. */
const OUR_TABLES = ['mentions', 'responses', 'events', 'cursors'];

/**
 * Whose database this is, read from the header and the schema only (nothing is written):
 * `ours` (marked), `empty` (nothing in it yet), `unmarked` (a brandwatch database from before the marker,
 * adopted by the next migration). Anything else is another application's file: a StoreError, file untouched.
 */
export async function ownership(db: Engine, path: string): Promise<'ours' | 'empty' | 'unmarked'> {
  // One statement, so one snapshot: read apart, another process's migrations could commit between the
  // reads (application id still 0, no tables yet, user_version already 12), and an empty file being set
  // up would look like another application's. Reading the whole schema also finds a damaged file before
  // any command works on it.
  const header = await db.get<{ id: number; version: number; tables: string }>(
    "SELECT (SELECT application_id FROM pragma_application_id) AS id, (SELECT user_version FROM pragma_user_version) AS version, (SELECT json_group_array(name) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%') AS tables",
  );
  const id = Number(header?.id ?? 0);
  const version = Number(header?.version ?? 0);
  const tables = JSON.parse(header?.tables ?? '[]') as string[];
  if (id === APPLICATION_ID) return 'ours';
  if (id === 0 && tables.length === 0 && version === 0) return 'empty';
  if (id === 0 && version >= 1 && OUR_TABLES.every((t) => tables.includes(t))) return 'unmarked';
  const what = id !== 0 ? `application id ${id}` : `tables ${tables.slice(0, 5).join(', ') || '(none)'}${tables.length > 5 ? ', …' : ''}, user_version ${version}`;
  throw new StoreError(`${path}: not a brandwatch database (${what}); point --db at a brandwatch database — the file was left untouched`);
}

/** The schema version, or a StoreError when the database is newer than this code. */
export async function refuseNewer(db: Engine, path: string): Promise<number> {
  const current = await schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new StoreError(
      `${path}: the database was written by a newer brandwatch (schema ${current}, this version knows ${SCHEMA_VERSION}); upgrade brandwatch — the file was left untouched`,
    );
  }
  return current;
}

/** Bring the schema up to `target` (default: the newest); refuse a database newer than this code. */
export async function migrate(db: Engine, path: string, target = SCHEMA_VERSION): Promise<void> {
  await ownership(db, path);
  const current = await refuseNewer(db, path);
  if ((await pragmaNumber(db, 'application_id')) !== APPLICATION_ID) {
    // Created now, or a brandwatch database from before the marker: mark it ours.
    await db.transaction((tx) => tx.exec(`PRAGMA application_id = ${APPLICATION_ID}`));
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    await db.transaction(async (tx) => {
      // Another process (an overlapping cron run) may have migrated since we looked: check under the write lock.
      if ((await schemaVersion(tx)) >= migration.version) return;
      await migration.up(tx);
      await tx.exec(`PRAGMA user_version = ${migration.version}`);
    });
  }
}
