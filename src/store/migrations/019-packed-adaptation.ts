import type { Migration } from './migration.js';

/**
 * The brand's classifier adaptation as packed bytes (src/classifier/adapt.ts encodeAdaptation) instead of
 * JSON: every poll that stores mentions loads it, and parsing a large adaptation's JSON (hundreds of kB of
 * per-feature deltas) cost more than the rest of such a poll. The stored JSON is converted; one that is not a
 * readable adaptation is dropped, so the next poll learns again from the labels.
 */
export const migration: Migration = {
  version: 19,
  name: 'packed-adaptation',
  up: async (db) => {
    await db.exec(`ALTER TABLE classifier_adaptation ADD COLUMN packed ${db.kind === 'postgres' ? 'bytea' : 'BLOB'}`);
    const row = await db.get<{ adaptation: string }>('SELECT adaptation FROM classifier_adaptation WHERE id = 1');
    if (row) {
      const { encodeAdaptation } = await import('../../classifier/adapt.js');
      let packed: Buffer | null = null;
      try {
        packed = encodeAdaptation(JSON.parse(row.adaptation));
      } catch {
        packed = null;
      }
      if (packed) await db.run('UPDATE classifier_adaptation SET packed = ? WHERE id = 1', [packed]);
      else await db.run('DELETE FROM classifier_adaptation WHERE id = 1');
    }
    await db.exec(`
      ALTER TABLE classifier_adaptation DROP COLUMN adaptation;
      ALTER TABLE classifier_adaptation RENAME COLUMN packed TO adaptation;
    `);
  },
};
