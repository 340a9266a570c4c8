import type { Engine } from '../engine.js';

/** One schema step: run in a transaction that also records `version` as the schema's. */
export interface Migration {
  version: number;
  name: string;
  up: (db: Engine) => Promise<void>;
  /**
   * The same step on PostgreSQL, for migrations after the PostgreSQL baseline (schema 11, see
   * src/store/postgres-schema.ts); test/store/schema-engines.test.ts fails when one is missing or differs.
   */
  postgres?: (db: Engine) => Promise<void>;
}
