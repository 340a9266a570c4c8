/** What the classifier learns from and keeps in the database: the person's labels and the brand's adaptation. */
import type { Db } from './open.js';
import type { Category } from './mentions.js';
import { openSql } from '../metrics/open.js';
import { greatest } from './dialect.js';

/** One of the person's labels: a category set by hand, and/or an outcome that says whether it needed an answer. */
export interface Label {
  mentionId: number;
  text: string;
  lang: string | null;
  category?: Category;
  needsResponse?: boolean;
  /** When the person gave the label (their last category or status change): the held-out part is the newest. */
  createdAt: number;
}

interface LabelRow {
  id: number;
  text: string;
  lang: string | null;
  category: Category | null;
  category_manual: number;
  status: string;
  labelled_at: number;
}

/**
 * Every mention the person has labelled, oldest label first: a manual category (`mark --category`, triage's
 * `c`), or an outcome — replied or taken private needed a response; ignored or spam did not.
 */
export async function learningLabels(db: Db): Promise<Label[]> {
  const rows = await db.all<LabelRow>(
    `SELECT m.id, m.text, m.lang, m.category, m.category_manual, m.status,
            ${greatest(db.kind, 'm.status_changed_at', "coalesce((SELECT max(e.at) FROM events e WHERE e.mention_id = m.id AND e.kind = 'category'), 0)")} AS labelled_at
       FROM mentions m
      WHERE m.category_manual = 1 OR m.status IN ('replied', 'private', 'ignored', 'spam')
      ORDER BY labelled_at, m.id`,
  );
  return rows.map((r) => ({
    mentionId: r.id,
    text: r.text,
    lang: r.lang,
    ...(r.category_manual === 1 && r.category ? { category: r.category } : {}),
    ...(r.status === 'replied' || r.status === 'private' ? { needsResponse: true } : r.status === 'ignored' || r.status === 'spam' ? { needsResponse: false } : {}),
    createdAt: r.labelled_at,
  }));
}

/** How many labels there are, without reading them (poll asks this every run): the sum kept by migration 017's triggers. */
export async function countLabels(db: Db): Promise<number> {
  return Number((await db.get<{ n: number | null }>('SELECT sum(delta) AS n FROM label_changes'))!.n ?? 0);
}

/** Folds the label count's appended changes into one row of the exact count (in `learn`'s transaction, so they stay few). */
export async function foldLabelCount(db: Db): Promise<void> {
  await db.exec(`DELETE FROM label_changes;
    INSERT INTO label_changes (delta) SELECT count(*) FROM mentions WHERE category_manual = 1 OR status IN ('replied', 'private', 'ignored', 'spam') HAVING count(*) > 0`);
}

/** How many labels the stored adaptation learnt from (0: none yet), without reading the adaptation itself. */
export async function labelsLearnt(db: Db): Promise<number> {
  return (await db.get<{ n: number }>('SELECT labels_used AS n FROM classifier_adaptation WHERE id = 1'))?.n ?? 0;
}

/** The brand's stored adaptation, as `learn` left it. */
export interface StoredAdaptation {
  weightsHash: string;
  /** Its packed bytes (src/classifier/adapt.ts encodeAdaptation, migration 019); null only in a damaged row. */
  adaptation: Uint8Array | null;
  labelsUsed: number;
  learntAt: number;
  evaluation: unknown;
}

export async function loadAdaptation(db: Db): Promise<StoredAdaptation | null> {
  const row = await db.get<{ weights_hash: string; adaptation: Uint8Array | null; labels_used: number; learnt_at: number; evaluation: string }>(
    'SELECT weights_hash, adaptation, labels_used, learnt_at, evaluation FROM classifier_adaptation WHERE id = 1',
  );
  if (!row) return null;
  return { weightsHash: row.weights_hash, adaptation: row.adaptation, labelsUsed: Number(row.labels_used), learntAt: Number(row.learnt_at), evaluation: JSON.parse(row.evaluation) };
}

export async function saveAdaptation(db: Db, stored: StoredAdaptation): Promise<void> {
  await db.run(
    `INSERT INTO classifier_adaptation (id, weights_hash, adaptation, labels_used, learnt_at, evaluation) VALUES (1, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET weights_hash = excluded.weights_hash, adaptation = excluded.adaptation,
       labels_used = excluded.labels_used, learnt_at = excluded.learnt_at, evaluation = excluded.evaluation`,
    [stored.weightsHash, stored.adaptation, stored.labelsUsed, stored.learntAt, JSON.stringify(stored.evaluation)],
  );
}

/** An open mention whose category is still the classifier's guess, with that stored guess. */
export interface GuessedMention {
  id: number;
  text: string;
  lang: string | null;
  guess: { category: Category | null; sentiment: number | null; confidence: number | null; unsure: boolean };
}

/** Open mentions whose category is still the classifier's guess, with the guess stored: re-guessed after learning. */
export async function guessedOpenMentions(db: Db): Promise<GuessedMention[]> {
  const rows = await db.rows<[number, string, string | null, Category | null, number | null, number | null, number]>(
    `SELECT id, text, lang, category, sentiment, category_confidence, category_unsure FROM mentions m WHERE ${openSql('m.status')} AND category_manual = 0 ORDER BY id`,
  );
  return rows.map((r) => ({ id: r[0], text: r[1], lang: r[2], guess: { category: r[3], sentiment: r[4], confidence: r[5], unsure: r[6] === 1 } }));
}

/** New guesses for mentions the person has not categorised (never overwrites a manual category), in one batch; each one's priority is due. */
export async function updateGuesses(db: Db, guesses: readonly { id: number; guess: { category: Category; sentiment: number; confidence: number; unsure: boolean } }[]): Promise<void> {
  if (guesses.length === 0) return;
  const sql = 'UPDATE mentions SET category = ?, sentiment = ?, category_confidence = ?, category_unsure = ?, priority_due_at = 0 WHERE id = ? AND category_manual = 0';
  await db.batch(guesses.map(({ id, guess }) => [sql, [guess.category, guess.sentiment, guess.confidence, guess.unsure ? 1 : 0, id]] as const));
}
