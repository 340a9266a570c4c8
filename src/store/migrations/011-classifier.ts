import type { Migration } from './migration.js';

/**
 * The trained classifier: how sure each first guess was (an "unsure" guess is shown as such), and the
 * brand's own adaptation learnt from the person's corrections — kept in the database so a copy of the
 * database carries it.
 */
export const migration: Migration = {
  version: 11,
  name: 'classifier',
  up: async (db) => {
    await db.exec(`
      ALTER TABLE mentions ADD COLUMN category_confidence REAL;
      ALTER TABLE mentions ADD COLUMN category_unsure INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE classifier_adaptation (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        weights_hash TEXT NOT NULL,
        adaptation TEXT NOT NULL,
        labels_used INTEGER NOT NULL,
        learnt_at INTEGER NOT NULL,
        evaluation TEXT NOT NULL
      );
    `);
  },
};
