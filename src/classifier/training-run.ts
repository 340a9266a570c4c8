import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { classify as rulesClassify } from './rules.js';
import { loadCorpus, type Corpus, type DataPaths, type Example } from './datasets.js';
import { evaluate, labelOfScore, modelPredictor, type Figures, type Predictor } from './evaluate.js';
import { encodeModel, type Model } from './model.js';
import { DEFAULT_TRAIN_OPTIONS, trainModel, type TrainOptions } from './train.js';

export interface TrainingReport {
  model: Model;
  weightsHash: string;
  dataHash: string;
  trainExamples: number;
  missing: string[];
  /** Per held-out set: the model beside the plain AFINN lexicon and today's rules. */
  heldOut: Record<string, { model: Figures; lexicon: Figures; rules: Figures }>;
  seconds: number;
}

interface Lexicon {
  analyze(text: string): { score: number };
}

/** AFINN via the `sentiment` package, untouched: the lexicon baseline. */
function lexiconPredictor(): Predictor {
  const require = createRequire(import.meta.url);
  const Sentiment = require('sentiment') as new () => Lexicon;
  const lexicon = new Sentiment();
  return (text) => ({ sentiment: labelOfScore(lexicon.analyze(text).score) });
}

/** The rules that guessed before the model (src/classifier/rules.ts); it needs a response unless it is praise (DESIGN §8). */
function rulesPredictor(): Predictor {
  return (text) => {
    const guess = rulesClassify(text);
    return { category: guess.category, sentiment: labelOfScore(guess.sentiment), needsResponse: guess.category !== 'praise' };
  };
}

export function trainingSet(corpus: Corpus): Example[] {
  return Object.keys(corpus.sources).sort().flatMap((name) => corpus.sources[name]!.train);
}

/**
 * Train and evaluate; writes the weights to `out` when given. With `complete`, a corpus missing a
 * third-party set writes nothing, so the shipped weights are never replaced by a weaker model by accident.
 */
export function runTraining(paths: DataPaths, overrides: Partial<TrainOptions> = {}, out?: string, options: { complete?: boolean } = {}): TrainingReport & { written: boolean } {
  const started = process.hrtime.bigint();
  const corpus = loadCorpus(paths);
  const train = trainingSet(corpus);
  const model = trainModel(train, { ...DEFAULT_TRAIN_OPTIONS, dataHash: corpus.dataHash, ...overrides });
  const written = Boolean(out) && !(options.complete && corpus.missing.length > 0);
  if (out && written) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, encodeModel(model));
  }
  const predictors = { model: modelPredictor(model), lexicon: lexiconPredictor(), rules: rulesPredictor() };
  const heldOut: TrainingReport['heldOut'] = {};
  const sets: Record<string, Example[]> = {};
  for (const name of Object.keys(corpus.sources).sort()) sets[name] = corpus.sources[name]!.test;
  sets['all held-out'] = Object.values(sets).flat();
  sets['airline (never trained on)'] = corpus.airline;
  for (const [name, examples] of Object.entries(sets)) {
    heldOut[name] = {
      model: evaluate(predictors.model, examples),
      lexicon: evaluate(predictors.lexicon, examples),
      rules: evaluate(predictors.rules, examples),
    };
  }
  return {
    model,
    weightsHash: model.info.weightsHash,
    dataHash: corpus.dataHash,
    trainExamples: train.length,
    missing: corpus.missing,
    written,
    heldOut,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

const pct = (x: number | undefined): string => (x === undefined ? '   –' : `${(x * 100).toFixed(1).padStart(5)}`);

/** The report as the terminal shows it: one table per held-out set. */
export function formatReport(report: TrainingReport): string {
  const lines: string[] = [];
  lines.push(`trained on ${report.trainExamples} examples in ${report.seconds.toFixed(1)} s`);
  if (report.missing.length) lines.push(`missing third-party sets (skipped): ${report.missing.join(', ')} — see data/README.md`);
  lines.push(`data sha256    ${report.dataHash}`);
  lines.push(`weights sha256 ${report.weightsHash}`);
  for (const [name, figures] of Object.entries(report.heldOut)) {
    lines.push('', `${name} (${figures.model.examples} posts)`);
    lines.push('                         model  AFINN  rules');
    const row = (label: string, pick: (f: Figures) => number | undefined): void => {
      lines.push(`  ${label.padEnd(22)} ${pct(pick(figures.model))}  ${pct(pick(figures.lexicon))}  ${pct(pick(figures.rules))}`);
    };
    row('sentiment accuracy', (f) => (f.sentiment.examples ? f.sentiment.accuracy : undefined));
    row('sentiment macro-F1', (f) => (f.sentiment.examples ? f.sentiment.macroF1 : undefined));
    row('negative recall', (f) => f.sentiment.recall.negative);
    row('neutral recall', (f) => f.sentiment.recall.neutral);
    row('positive recall', (f) => f.sentiment.recall.positive);
    if (figures.model.category) {
      row('category accuracy', (f) => f.category?.accuracy);
      row('category macro-F1', (f) => f.category?.macroF1);
      for (const c of ['question', 'complaint', 'problem', 'feedback', 'praise', 'promo', 'other'] as const) {
        row(`  ${c} recall`, (f) => f.category?.recall[c]);
      }
    }
    if (figures.model.needsResponse) {
      row('needs-response precision', (f) => f.needsResponse?.precision);
      row('needs-response recall', (f) => f.needsResponse?.recall);
    }
  }
  return lines.join('\n');
}
