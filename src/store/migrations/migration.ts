import type { Engine } from '../engine.js';

/** One schema step: run in a transaction that also records `version` as the schema's. */
export interface Migration {
  version: number;
  name: string;
  up: (db: Engine) => Promise<void>;
}
