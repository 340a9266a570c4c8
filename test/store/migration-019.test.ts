/**
 * Migration 019: the classifier adaptation is stored packed (src/classifier/adapt.ts encodeAdaptation), not as
 * JSON. A stored JSON adaptation is converted and guesses as before; one that cannot be read is dropped (the
 * next poll learns again); packed bytes that are damaged stop the classifier with an error naming the fix.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { adapt, applyAdaptation, decodeAdaptation, encodeAdaptation, type Correction } from '../../src/classifier/adapt.js';
import { loadModel } from '../../src/classifier/model.js';
import { StoreError } from '../../src/errors.js';
import type { Store } from '../../src/store/open.js';
import { labelsLearnt, loadAdaptation, saveAdaptation } from '../../src/store/classifier.js';
import { classifierFor } from '../../src/triage/learning.js';
import { engineOf } from '../helpers/engine.js';
import { forEachEngine } from '../helpers/engines.js';
import { describePostgres, freshDatabase } from '../helpers/postgres.js';
import { migrate, MIGRATIONS, SCHEMA_VERSION, schemaVersion } from '../../src/store/migrate.js';
import { migratePostgres } from '../../src/store/postgres-schema.js';
import { openPostgresEngine } from '../../src/store/postgres.js';

const NOW = Date.UTC(2026, 11, 1, 9);
const model = loadModel();
const labels: Correction[] = [
  ...['the Flux app could remember my login', 'Flux app needs a clearer menu', 'wish the Flux app kept my filters', 'the Flux app layout could be simpler'].map(
    (text, i) => ({ text, category: 'problem' as const, needsResponse: true, createdAt: new Date(NOW - i * 3_600_000) }),
  ),
  { text: 'thanks @Acme, great service today', category: 'praise', needsResponse: false, createdAt: new Date(NOW) },
];
const adaptation = adapt(model, labels);
const TEXTS = ['the Flux app should show my balance first', 'thanks @Acme, great service today', 'how do I change my address @Acme?'];

function insertJson(db: Database.Database, json: string): void {
  db.prepare(`INSERT INTO classifier_adaptation (id, weights_hash, adaptation, labels_used, learnt_at, evaluation) VALUES (1, ?, ?, 25, ?, 'null')`).run(
    model.info.weightsHash,
    json,
    NOW,
  );
}

describe('migration 019: the packed adaptation', () => {
  it('converts a stored JSON adaptation; the classifier guesses as it did with the JSON', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 17);
    insertJson(db, JSON.stringify(adaptation));
    await migrate(engineOf(db), ':memory:');
    expect(await schemaVersion(engineOf(db))).toBe(SCHEMA_VERSION);
    const stored = (await loadAdaptation(engineOf(db)))!;
    expect(stored).toMatchObject({ weightsHash: model.info.weightsHash, labelsUsed: 25, learntAt: NOW, evaluation: null });
    expect(Buffer.from(stored.adaptation!)).toEqual(encodeAdaptation(JSON.parse(JSON.stringify(adaptation)) as typeof adaptation));
    const before = applyAdaptation(model, JSON.parse(JSON.stringify(adaptation)) as typeof adaptation);
    const classifier = await classifierFor(engineOf(db));
    for (const text of TEXTS) {
      const guess = before.classify(text, { lang: 'en' });
      expect(classifier.classify(text, 'en')).toMatchObject({ category: guess.best.category, unsure: guess.category === 'unsure' });
      expect(classifier.explain(text, 4)).toEqual(before.explain(text, 4).features);
    }
    db.close();
  });

  it('drops a stored adaptation that is not one, so the next poll learns again', async () => {
    for (const json of ['{"version":1,"bias":[0.1]}', '[]', '{"version":1,"baseWeightsHash":"x","labelsUsed":3,"bias":[0,0,0,0,0,0,0,0],"features":{"a":[1]}}']) {
      const db = new Database(':memory:');
      await migrate(engineOf(db), ':memory:', 17);
      insertJson(db, json);
      await migrate(engineOf(db), ':memory:');
      expect(await loadAdaptation(engineOf(db))).toBeNull();
      expect(await labelsLearnt(engineOf(db))).toBe(0);
      db.close();
    }
  });
});

forEachEngine('the packed adaptation in the store', (engine) => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it('is read back byte for byte and adapts the classifier', async () => {
    const store = await engine.fresh();
    stores.push(store);
    const bytes = encodeAdaptation(adaptation);
    await saveAdaptation(store.db, { weightsHash: model.info.weightsHash, adaptation: bytes, labelsUsed: 5, learntAt: NOW, evaluation: { heldOut: 1 } });
    const stored = (await loadAdaptation(store.db))!;
    expect(Buffer.from(stored.adaptation!)).toEqual(bytes);
    expect(stored).toMatchObject({ labelsUsed: 5, learntAt: NOW, evaluation: { heldOut: 1 } });
    const adapted = applyAdaptation(model, decodeAdaptation(bytes));
    const classifier = await classifierFor(store.db);
    for (const text of TEXTS) expect(classifier.explain(text, 4)).toEqual(adapted.explain(text, 4).features);
  });

  it('stops the classifier with an error naming the fix when the stored bytes are damaged', async () => {
    const store = await engine.fresh();
    stores.push(store);
    const bytes = encodeAdaptation(adaptation);
    for (const damaged of [bytes.subarray(0, bytes.length - 8), Buffer.from('{"version":1}'), Buffer.alloc(0)]) {
      await saveAdaptation(store.db, { weightsHash: model.info.weightsHash, adaptation: damaged, labelsUsed: 5, learntAt: NOW, evaluation: null });
      const failure = classifierFor(store.db);
      await expect(failure).rejects.toThrow(StoreError);
      await expect(failure).rejects.toThrow(/classifier adaptation stored in the database cannot be read \(.+\); run `brandwatch learn` to learn it again/);
    }
  });
});

describePostgres('migration 019 on PostgreSQL', () => {
  it('converts a stored JSON adaptation to bytea, as on SQLite', async () => {
    const db = await openPostgresEngine(await freshDatabase('m019'));
    try {
      await migratePostgres(db, MIGRATIONS, 17);
      await db.run(`INSERT INTO classifier_adaptation (id, weights_hash, adaptation, labels_used, learnt_at, evaluation) VALUES (1, ?, ?, 25, ?, 'null')`, [
        model.info.weightsHash,
        JSON.stringify(adaptation),
        NOW,
      ]);
      await migratePostgres(db, MIGRATIONS, SCHEMA_VERSION);
      const stored = (await loadAdaptation(db))!;
      expect(Buffer.from(stored.adaptation!)).toEqual(encodeAdaptation(JSON.parse(JSON.stringify(adaptation)) as typeof adaptation));
      expect(stored).toMatchObject({ labelsUsed: 25, learntAt: NOW });
    } finally {
      await db.close();
    }
  });
});
