/** Learning from the person: the brand's adaptation of the shipped classifier, kept in the database. */
import type { Db } from '../store/open.js';
import { StoreError } from '../errors.js';
import { countLabels, foldLabelCount, guessedOpenMentions, labelsLearnt, learningLabels, loadAdaptation, saveAdaptation, updateGuesses, type Label } from '../store/classifier.js';
import { Classifier } from './classify.js';
import type { AdaptationEvaluation, Correction, Model } from '../classifier/index.js';

/** Fewer labels than this say too little about a brand to move the model. */
export const MIN_LABELS = 20;
/** `poll` learns again once this many labels arrived since the last time. */
export const RELEARN_AFTER = 50;

export interface LearnReport {
  labels: number;
  categoryLabels: number;
  outcomeLabels: number;
  /** Accuracy before and after on the newest fifth of the labels (learnt on the older ones only). */
  evaluation: AdaptationEvaluation | null;
  /** Open mentions without a manual category, guessed again with the adapted model. */
  reguessed: number;
  /** Of those, the ones whose guess changed (stored, their priority recomputed); the rest are left as they are. */
  changed: number;
  /** Why nothing was learnt, when nothing was. */
  skipped: string | null;
}

function corrections(labels: readonly Label[]): Correction[] {
  return labels.map((l) => ({
    text: l.text,
    lang: l.lang,
    ...(l.category ? { category: l.category } : {}),
    ...(l.needsResponse !== undefined ? { needsResponse: l.needsResponse } : {}),
    createdAt: new Date(l.createdAt),
  }));
}

/** The shipped model; with `texts`, only the weights those texts use (loadModelFor). */
async function baseModel(texts?: readonly string[]): Promise<Model> {
  const { loadModel, loadModelFor } = await import('../classifier/index.js');
  return texts ? loadModelFor(texts) : loadModel();
}

/**
 * The classifier for this database: the shipped model with the brand's adaptation when it matches the weights.
 * With `texts`, it reads only the weights of those texts and classifies and explains nothing else (`show`).
 */
export async function classifierFor(db: Db, texts?: readonly string[]): Promise<Classifier> {
  return classifierOnDemand(db, texts).ready();
}

/** The same classifier, loaded (model, adaptation) only when first made ready: a poll that stores nothing never reads them. */
export function classifierOnDemand(db: Db, texts?: readonly string[]): Classifier {
  return new Classifier(async () => {
    const model = await baseModel(texts);
    const stored = await loadAdaptation(db);
    if (!stored || stored.weightsHash !== model.info.weightsHash) return model;
    const { applyAdaptation, decodeAdaptation } = await import('../classifier/index.js');
    try {
      if (!stored.adaptation) throw new Error('it is empty');
      return applyAdaptation(model, decodeAdaptation(stored.adaptation));
    } catch (error) {
      throw new StoreError(`the classifier adaptation stored in the database cannot be read (${(error as Error).message}); run \`brandwatch learn\` to learn it again`, { cause: error });
    }
  });
}

/** Adapt to every label, evaluate on the newest ones, store it, and re-guess the open mentions the person has not categorised. */
export async function learn(db: Db, now: number): Promise<LearnReport> {
  const labels = await learningLabels(db);
  const counts = { labels: labels.length, categoryLabels: labels.filter((l) => l.category).length, outcomeLabels: labels.filter((l) => l.needsResponse !== undefined).length };
  if (labels.length < MIN_LABELS) {
    return { ...counts, evaluation: null, reguessed: 0, changed: 0, skipped: `${labels.length} label${labels.length === 1 ? '' : 's'} so far; learning starts at ${MIN_LABELS} (categories set by hand, replies, ignores and spam all count)` };
  }
  const { adapt, encodeAdaptation, evaluateAdaptation } = await import('../classifier/index.js');
  const model = await baseModel();
  const all = corrections(labels);
  const evaluation = counts.categoryLabels >= 5 ? evaluateAdaptation(model, all) : null;
  const adaptation = adapt(model, all);
  const classifier = await new Classifier(() => model, adaptation).ready();
  const open = await guessedOpenMentions(db);
  // Only a guess that changed is written: a write makes the item's priority due, and most guesses stay as they were.
  const changed = open.flatMap((m) => {
    const guess = classifier.classify(m.text, m.lang);
    const same = guess.category === m.guess.category && guess.sentiment === m.guess.sentiment && guess.confidence === m.guess.confidence && guess.unsure === m.guess.unsure;
    return same ? [] : [{ id: m.id, guess }];
  });
  await db.transaction(async (tx) => {
    await foldLabelCount(tx);
    await saveAdaptation(tx, { weightsHash: model.info.weightsHash, adaptation: encodeAdaptation(adaptation), labelsUsed: labels.length, learntAt: now, evaluation });
    await updateGuesses(tx, changed);
  });
  return { ...counts, evaluation, reguessed: open.length, changed: changed.length, skipped: null };
}

/** Whether enough new labels arrived since the last learning for `poll` to learn again. */
export async function dueForLearning(db: Db): Promise<boolean> {
  const labels = await countLabels(db);
  return labels >= MIN_LABELS && labels - (await labelsLearnt(db)) >= RELEARN_AFTER;
}

/** Accuracy per category of the classifier in use on the person's own labels (`learn --eval`, doctor). */
export async function accuracyOnLabels(db: Db): Promise<{ labels: number; accuracy: number | null; perCategory: Record<string, { right: number; of: number }> }> {
  const labels = (await learningLabels(db)).filter((l) => l.category);
  const classifier = await classifierFor(db);
  const perCategory: Record<string, { right: number; of: number }> = {};
  let right = 0;
  for (const label of labels) {
    const entry = (perCategory[label.category!] ??= { right: 0, of: 0 });
    entry.of++;
    if (classifier.classify(label.text, label.lang).category === label.category) {
      entry.right++;
      right++;
    }
  }
  return { labels: labels.length, accuracy: labels.length ? right / labels.length : null, perCategory };
}
