import { CATEGORIES, SENTIMENTS, type Category, type Model, type SentimentLabel } from './model.js';
import type { Example } from './datasets.js';

/** What a classifier says about one post, in the terms the figures are taken in. */
export interface Prediction {
  category?: Category;
  sentiment: SentimentLabel;
  needsResponse?: boolean;
}

export type Predictor = (text: string) => Prediction;

export interface Figures {
  examples: number;
  sentiment: { examples: number; accuracy: number; macroF1: number; recall: Record<SentimentLabel, number> };
  category: { examples: number; accuracy: number; macroF1: number; recall: Partial<Record<Category, number>> } | null;
  needsResponse: { examples: number; precision: number; recall: number } | null;
}

function f1Scores<L extends string>(labels: readonly L[], pairs: Array<[L, L]>): { accuracy: number; macroF1: number; recall: Partial<Record<L, number>> } {
  let correct = 0;
  const recall: Partial<Record<L, number>> = {};
  let f1Sum = 0;
  let f1Count = 0;
  for (const [truth, guess] of pairs) if (truth === guess) correct++;
  for (const label of labels) {
    const tp = pairs.filter(([t, g]) => t === label && g === label).length;
    const actual = pairs.filter(([t]) => t === label).length;
    const predicted = pairs.filter(([, g]) => g === label).length;
    if (actual === 0) continue;
    recall[label] = tp / actual;
    const precision = predicted > 0 ? tp / predicted : 0;
    const r = tp / actual;
    f1Sum += precision + r > 0 ? (2 * precision * r) / (precision + r) : 0;
    f1Count++;
  }
  return { accuracy: pairs.length ? correct / pairs.length : 0, macroF1: f1Count ? f1Sum / f1Count : 0, recall };
}

export function evaluate(predict: Predictor, examples: readonly Example[]): Figures {
  const sentimentPairs: Array<[SentimentLabel, SentimentLabel]> = [];
  const categoryPairs: Array<[Category, Category]> = [];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let needsExamples = 0;
  for (const example of examples) {
    const p = predict(example.text);
    if (example.sentiment) sentimentPairs.push([example.sentiment, p.sentiment]);
    if (example.category && p.category) categoryPairs.push([example.category, p.category]);
    if (example.needsResponse !== undefined && p.needsResponse !== undefined) {
      needsExamples++;
      if (p.needsResponse && example.needsResponse) tp++;
      else if (p.needsResponse) fp++;
      else if (example.needsResponse) fn++;
    }
  }
  const sentiment = f1Scores(SENTIMENTS, sentimentPairs);
  const category = categoryPairs.length ? f1Scores(CATEGORIES, categoryPairs) : null;
  return {
    examples: examples.length,
    sentiment: { examples: sentimentPairs.length, accuracy: sentiment.accuracy, macroF1: sentiment.macroF1, recall: sentiment.recall as Record<SentimentLabel, number> },
    category: category ? { examples: categoryPairs.length, ...category } : null,
    needsResponse: needsExamples ? { examples: needsExamples, precision: tp + fp ? tp / (tp + fp) : 0, recall: tp + fn ? tp / (tp + fn) : 0 } : null,
  };
}

/** The model as a predictor: its best category (unsure or not) and needs-response at P ≥ 0.5. */
export function modelPredictor(model: Model): Predictor {
  return (text) => {
    const c = model.classify(text, { lang: 'en' });
    return { category: c.best.category, sentiment: c.sentimentLabel, needsResponse: c.needsResponse >= 0.5 };
  };
}

/** A lexicon score in [-1, 1] read as three classes: any lean is a side, exactly zero is neutral. */
export function labelOfScore(score: number): SentimentLabel {
  return score < 0 ? 'negative' : score > 0 ? 'positive' : 'neutral';
}
