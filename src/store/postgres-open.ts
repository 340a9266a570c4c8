/**
 * Opening a store on PostgreSQL (team mode): connect, check the database is ours (or empty), bring it to
 * the current schema; commands that only read never change the schema.
 */
import { StoreError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrate.js';
import type { Engine } from './engine.js';
import { openPostgresEngine } from './postgres.js';
import { migratePostgres, postgresOwnership } from './postgres-schema.js';

/** What open.ts's Store is (declared here too, so the two modules do not import each other). */
export interface PostgresStore {
  readonly db: Engine;
  readonly path: string;
  close(): Promise<void>;
}

export async function openPostgresStore(url: string, options: { readOnly?: boolean } = {}): Promise<PostgresStore> {
  const db = await openPostgresEngine(url);
  try {
    if (options.readOnly) {
      const owner = await postgresOwnership(db);
      if (owner.owner === 'empty') throw new StoreError(`${db.location}: no brandwatch data here yet; run \`brandwatch poll\` first`);
      if (owner.version > SCHEMA_VERSION) {
        throw new StoreError(
          `${db.location}: the database was written by a newer brandwatch (schema ${owner.version}, this version knows ${SCHEMA_VERSION}); upgrade brandwatch — nothing was changed`,
        );
      }
      if (owner.version < SCHEMA_VERSION) {
        throw new StoreError(
          `${db.location}: the database has schema ${owner.version} and this brandwatch reads schema ${SCHEMA_VERSION}; run \`brandwatch poll\` once to upgrade it (reading commands leave it as it is)`,
        );
      }
    } else {
      await migratePostgres(db, MIGRATIONS, SCHEMA_VERSION);
    }
  } catch (error) {
    await db.close().catch(() => {});
    throw error;
  }
  return { db, path: db.location, close: () => db.close() };
}
