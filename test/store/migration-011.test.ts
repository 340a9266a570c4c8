import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../../src/store/migrate.js';
import { getMention } from '../../src/store/mentions.js';
import { loadAdaptation, saveAdaptation } from '../../src/store/classifier.js';
import { engineOf } from '../helpers/engine.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0);

describe('migration 011: the classifier', () => {
  it('keeps version-7 mentions (their guesses have no confidence) and adds the adaptation table', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 7);
    db.prepare(
      `INSERT INTO mentions (id, platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at, category, category_manual, priority)
       VALUES (1, 'twitter', 'twitter', '1', 'a', 'acme is down', ?, ?, '["acme"]', 'open', ?, 'problem', 1, 60)`,
    ).run(NOW, NOW, NOW);
    await migrate(engineOf(db), ':memory:', 11);
    expect(await schemaVersion(engineOf(db))).toBe(11);
    const mention = (await getMention(engineOf(db), 1))!;
    expect(mention).toMatchObject({ category: 'problem', categoryManual: true, categoryConfidence: null, categoryUnsure: false, text: 'acme is down' });
    expect(await loadAdaptation(engineOf(db))).toBeNull();
    await saveAdaptation(engineOf(db), { weightsHash: 'abc', adaptation: Buffer.from('{"version":1}'), labelsUsed: 25, learntAt: NOW, evaluation: null });
    await saveAdaptation(engineOf(db), { weightsHash: 'abc', adaptation: Buffer.from('{"version":1}'), labelsUsed: 30, learntAt: NOW, evaluation: null });
    expect(await loadAdaptation(engineOf(db))).toMatchObject({ weightsHash: 'abc', labelsUsed: 30 });
    expect(db.prepare('SELECT count(*) AS n FROM classifier_adaptation').get()).toEqual({ n: 1 });
  });
});
