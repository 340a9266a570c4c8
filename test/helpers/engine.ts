import type Database from 'better-sqlite3';
import type { Engine } from '../../src/store/engine.js';
import { SqliteEngine } from '../../src/store/sqlite.js';

const engines = new WeakMap<Database.Database, SqliteEngine>();

/**
 * The store's engine over a connection a test opened itself (to seed an old schema, or to look at the
 * file): one per connection. An engine is returned as it is.
 */
export function engineOf(db: Database.Database | Engine, location?: string): Engine {
  if ('kind' in db) return db;
  let engine = engines.get(db);
  if (!engine) {
    engine = new SqliteEngine(db, location ?? db.name);
    engines.set(db, engine);
  }
  return engine;
}
