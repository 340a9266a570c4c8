/**
 * Migration 017: the label count `poll` asks for on every run is kept by triggers, so asking reads the few
 * changes since the last learning instead of every mention. Whatever happens to the mentions, the count is
 * the count(*) of labelled mentions it replaced, on both engines; learning folds the changes into one row.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/store/migrate.js';
import type { Store } from '../../src/store/open.js';
import { countLabels, foldLabelCount } from '../../src/store/classifier.js';
import { changeStatus, restoreCategory, setManualCategory } from '../../src/store/changes.js';
import { insertMentions, type Category, type Status } from '../../src/store/mentions.js';
import { newMention } from '../helpers/mentions.js';
import { engineOf } from '../helpers/engine.js';
import { forEachEngine } from '../helpers/engines.js';

const NOW = Date.UTC(2026, 11, 1, 9);
const LABELLED = "SELECT count(*) AS n FROM mentions WHERE category_manual = 1 OR status IN ('replied', 'private', 'ignored', 'spam')";
const STATUSES: Status[] = ['new', 'open', 'replied', 'private', 'resolved', 'ignored', 'spam'];
const CATEGORIES: Category[] = ['question', 'complaint', 'praise'];


describe('migration 017: label count', () => {
  it('counts the labels an existing database already holds', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 15);
    const insert = db.prepare(`INSERT INTO mentions (id, platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at, category_manual)
      VALUES (?, 'twitter', 'twitter', ?, 'kim', 'hi', ?, ?, '[]', ?, ?, ?)`);
    const rows: [Status, number][] = [['new', 0], ['replied', 0], ['ignored', 1], ['open', 1], ['resolved', 0], ['spam', 0]];
    rows.forEach(([status, manual], i) => insert.run(i + 1, String(i + 1), NOW, NOW, status, NOW, manual));
    await migrate(engineOf(db), ':memory:');
    expect(await countLabels(engineOf(db))).toBe(4);
    expect(db.prepare('SELECT count(*) AS n FROM label_changes').get()).toEqual({ n: 1 });
  });

  it('starts a new database with no rows at all', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:');
    expect(await countLabels(engineOf(db))).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM label_changes').get()).toEqual({ n: 0 });
  });
});

forEachEngine('the label count follows every change', (engine) => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it('equals count(*) of labelled mentions after any run of status, category, insert and delete changes', async () => {
    const store = await engine.fresh();
    stores.push(store);
    const db = store.db;
    await db.transaction((tx) => insertMentions(tx, 'x', Array.from({ length: 12 }, (_, i) => newMention(i + 1, NOW - (i + 1) * 1000)), NOW));
    const exact = async () => Number((await db.get<{ n: number }>(LABELLED))!.n);
    const step = fc.oneof(
      fc.record({ kind: fc.constant('status' as const), id: fc.integer({ min: 1, max: 12 }), status: fc.constantFrom(...STATUSES) }),
      fc.record({ kind: fc.constant('category' as const), id: fc.integer({ min: 1, max: 12 }), category: fc.constantFrom(...CATEGORIES) }),
      fc.record({ kind: fc.constant('restore' as const), id: fc.integer({ min: 1, max: 12 }), manual: fc.boolean() }),
      fc.record({ kind: fc.constant('fold' as const) }),
    );
    let at = NOW;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 25 }), async (steps) => {
        for (const s of steps) {
          at += 1000;
          if (s.kind === 'status') await changeStatus(db, s.id, s.status, 'kim', at);
          else if (s.kind === 'category') await setManualCategory(db, s.id, s.category, 'kim', at);
          else if (s.kind === 'restore') await restoreCategory(db, s.id, 'question', s.manual, 'kim', at);
          else await db.transaction((tx) => foldLabelCount(tx));
          expect(await countLabels(db)).toBe(await exact());
        }
      }),
      { numRuns: engine.kind === 'postgres' ? 8 : 40 },
    );
    // A labelled mention inserted as such (a copy, an import) and one deleted count too.
    await db.run(`INSERT INTO mentions (platform, source, external_id, author_handle, text, created_at, fetched_at, keywords, status, status_changed_at)
      VALUES ('twitter', 'x', 'imported', 'kim', 'hi', ?, ?, '[]', 'replied', ?)`, [NOW, NOW, NOW]);
    expect(await countLabels(db)).toBe(await exact());
    await db.run("DELETE FROM mentions WHERE external_id = 'imported'");
    expect(await countLabels(db)).toBe(await exact());
  });
});
