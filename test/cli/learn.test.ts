import { beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { configText } from '../helpers/config.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
let dir: string;
const run = (args: string[], now = NOW) => runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { now });

function rows<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

beforeEach(async () => {
  dir = tempDir();
  writeFileSync(
    join(dir, 'config.yml'),
    configText({ brand: 'Fernhill', keywords: ['fernhill', '@fernhill_help'], ownAccounts: { sample: 'fernhill_help' }, sources: [{ platform: 'sample', start: '2026-10-20T12:00:00Z', ratePerHour: 3 }] }),
    { mode: 0o600 },
  );
  expect((await run(['poll', '-q'])).code).toBe(0);
});

/** The person files every mention that names the router as a `problem`, whatever the model guessed. */
function routerIds(limit: number): number[] {
  return rows<{ id: number }>("SELECT id FROM mentions WHERE text LIKE '%router%' OR text LIKE '%hub%' ORDER BY created_at LIMIT ?", limit).map((r) => r.id);
}

describe('learn', () => {
  it('says nothing is learnt below the minimum of labels', async () => {
    dir = tempDir();
    writeFileSync(join(dir, 'config.yml'), configText({ brand: 'Fernhill', keywords: ['fernhill'], sources: [{ platform: 'sample', start: '2026-11-20T06:00:00Z', ratePerHour: 1 }] }), { mode: 0o600 });
    await run(['poll', '-q']);
    const result = await run(['learn']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/nothing learnt: \d+ labels? so far; learning starts at 20/);
  });

  it('adapts to the person’s labels, keeps their categories, re-guesses the rest and stores the adaptation', async () => {
    const all = rows<{ id: number }>('SELECT id FROM mentions ORDER BY created_at').map((r) => r.id);
    expect(all.length).toBeGreaterThan(200);
    // Outcomes: the oldest 150 ignored or resolved; categories by hand on the router posts.
    const outcomes = all.slice(0, 150);
    expect((await run(['mark', ...outcomes.map(String), 'ignored'])).code).toBe(0);
    const router = routerIds(60);
    expect(router.length).toBeGreaterThanOrEqual(20);
    expect((await run(['mark', ...router.map(String), 'resolved', '--category', 'feedback'])).code).toBe(0);

    const learnt = await run(['learn', '--json']);
    expect(learnt.code, learnt.stderr).toBe(0);
    const report = JSON.parse(learnt.stdout) as { labels: number; categoryLabels: number; outcomeLabels: number; reguessed: number; changed: number; evaluation: { before: { accuracy: number }; after: { accuracy: number }; heldOut: number } };
    expect(report.categoryLabels).toBe(router.length);
    expect(report.labels).toBeGreaterThanOrEqual(150);
    expect(report.evaluation.heldOut).toBeGreaterThan(0);
    expect(report.evaluation.after.accuracy).toBeGreaterThanOrEqual(report.evaluation.before.accuracy);
    expect(report.reguessed).toBe(rows<{ n: number }>("SELECT count(*) AS n FROM mentions WHERE status IN ('new','open') AND category_manual = 0")[0]!.n);
    // The person's router labels move the guesses of other router posts; the rest stay as they were, unwritten.
    expect(report.changed).toBeGreaterThan(0);
    expect(report.changed).toBeLessThan(report.reguessed);
    // The person's categories are untouched.
    expect(new Set(rows<{ category: string }>(`SELECT category FROM mentions WHERE id IN (${router.join(',')})`).map((r) => r.category))).toEqual(new Set(['feedback']));
    expect(rows<{ labels_used: number }>('SELECT labels_used FROM classifier_adaptation')[0]!.labels_used).toBe(report.labels);

    const text = await run(['learn']);
    expect(text.stdout).toMatch(/learnt from \d+ of your labels \(\d+ categories set by hand, \d+ outcomes\)/);
    expect(text.stdout).toMatch(/category accuracy on your newest \d+ labels .*: \d+% before → \d+% after/);
    // The same labels again learn the same adaptation: every guess is already what it says.
    expect(text.stdout).toMatch(/\d+ open mentions guessed again, 0 changed and their priorities recomputed/);

    const evaluated = await run(['learn', '--eval']);
    expect(evaluated.stdout).toMatch(/accuracy on your \d+ hand-set categories: \d+%/);
    expect(evaluated.stdout).toMatch(/feedback +\d+%/);
    const doctor = await run(['doctor']);
    expect(doctor.stdout).toMatch(/classifier +guesses: adapted from \d+ of your labels/);
  });

  it('poll learns again once 50 new labels have come in', async () => {
    // The sample history already holds the brand's replies (labels: they needed a response): the first poll learnt from them.
    const used = () => rows<{ labels_used: number }>('SELECT labels_used FROM classifier_adaptation')[0]!.labels_used;
    const first = used();
    expect(first).toBeGreaterThanOrEqual(20);
    const open = rows<{ id: number }>("SELECT id FROM mentions WHERE status IN ('new', 'open') ORDER BY created_at").map((r) => r.id);
    expect(open.length).toBeGreaterThanOrEqual(60);
    await run(['mark', ...open.slice(0, 30).map(String), 'ignored']);
    await run(['poll', '-q']);
    expect(used()).toBe(first);
    await run(['mark', ...open.slice(30, 60).map(String), 'spam']);
    await run(['poll', '-q']);
    expect(used()).toBe(first + 60);
  });
});

describe('show explains the guess', () => {
  it('names the words behind the guess and how sure it is', async () => {
    const id = rows<{ id: number }>("SELECT id FROM mentions WHERE category_manual = 0 ORDER BY id LIMIT 1")[0]!.id;
    const shown = await run(['show', String(id)]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/guess: (unsure — )?\w+.* \d+% sure/);
    const json = JSON.parse((await run(['show', String(id), '--json'])).stdout) as { guess: { words: string[]; confidence: number } };
    expect(json.guess.words.length).toBeGreaterThan(0);
    expect(json.guess.confidence).toBeGreaterThan(0);
  });

  it('says unsure for a language the classifier was not trained on', async () => {
    const id = rows<{ id: number }>('SELECT id FROM mentions ORDER BY id LIMIT 1')[0]!.id;
    const db = new Database(join(dir, 'bw.db'));
    db.prepare('UPDATE mentions SET text = ?, lang = ? WHERE id = ?').run("Fernhill, ma connexion internet ne marche plus depuis ce matin, c'est inadmissible", 'fr', id);
    db.close();
    const shown = await run(['show', String(id)]);
    expect(shown.stdout).toMatch(/guess: unsure — written in fr, which the classifier was not trained on/);
  });

  it('stores how sure each guess was at ingest', async () => {
    const rated = rows<{ n: number }>('SELECT count(*) AS n FROM mentions WHERE category_confidence IS NOT NULL')[0]!.n;
    expect(rated).toBe(rows<{ n: number }>('SELECT count(*) AS n FROM mentions')[0]!.n);
  });
});
