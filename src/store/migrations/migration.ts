import type { Engine } from '../engine.js';

/** One schema step: run in a transaction that also records `version` as the schema's. */
export interface Migration {
  version: number;
  name: string;
  up: (db: Engine) => Promise<void>;
  /**
   * The same step on PostgreSQL when it cannot share `up` (migrations after the PostgreSQL baseline, schema 11,
   * run on PostgreSQL too: see src/store/postgres-schema.ts); test/store/schema-engines.test.ts fails when the
   * two engines' schemas differ after it.
   */
  postgres?: (db: Engine) => Promise<void>;
}
