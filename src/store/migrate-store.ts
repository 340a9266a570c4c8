/**
 * Moving a SQLite store onto PostgreSQL: the target is checked (empty, or a brandwatch database without
 * rows), brought to the current schema, and filled by `copyStore` in one transaction; the SQLite file is
 * opened read-only.
 */
import { UsageError } from '../errors.js';
import { copyStore, type CopyProgress, type TableCopy } from './copy.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrate.js';
import { openStore } from './open.js';
import { openPostgresEngine } from './postgres.js';
import { migratePostgres, postgresTables, POSTGRES_APPLICATION } from './postgres-schema.js';

export interface MigrateStoreResult {
  from: string;
  to: string;
  schemaVersion: number;
  tables: TableCopy[];
}

export async function migrateStore(sqlitePath: string, url: string, progress?: CopyProgress): Promise<MigrateStoreResult> {
  const source = await openStore(sqlitePath, { readOnly: true });
  try {
    const target = await openPostgresEngine(url);
    try {
      const tables = await postgresTables(target);
      if (tables.length > 0 && !tables.includes('brandwatch_meta')) {
        throw new UsageError(
          `${target.location}: the database already holds other tables (${tables.slice(0, 5).join(', ')}${tables.length > 5 ? ', …' : ''}); migrate-store copies only into an empty database — create a new one (createdb) and point --to at it`,
        );
      }
      if (tables.includes('brandwatch_meta')) {
        const app = await target.get<{ value: string }>("SELECT value FROM brandwatch_meta WHERE key = 'application'");
        if (app?.value !== POSTGRES_APPLICATION) {
          throw new UsageError(`${target.location}: the database holds another application's data; create an empty database (createdb) and point --to at it`);
        }
      }
      await migratePostgres(target, MIGRATIONS, SCHEMA_VERSION);
      const copied = await copyStore(source.db, target, progress);
      return { from: source.path, to: target.location, schemaVersion: SCHEMA_VERSION, tables: copied };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
