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
  trainedOn: string[];
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
  return corpus.trainedOn.flatMap((name) => corpus.sources[name]!.train);
}

/** The sets figures are printed for, by the name the report shows. */
export function evaluationSets(corpus: Corpus): Record<string, Example[]> {
  const sets: Record<string, Example[]> = { 'team held-out': corpus.sources.team!.test };
  for (const [name, examples] of Object.entries(corpus.checks)) sets[`${name} (never trained on)`] = examples;
  if (Object.keys(corpus.checks).filter((name) => name.startsWith('airline')).length > 1) sets['airline checks together'] = corpus.airline;
  for (const name of Object.keys(corpus.sources).sort()) {
    if (name === 'team') continue;
    // Third-party posts the model has never seen, unless it was trained on that set's train split.
    sets[corpus.trainedOn.includes(name) ? `${name} test split (trained on its train split)` : `${name} test split (third-party, never seen)`] = corpus.sources[name]!.test;
  }
  return sets;
}

/**
 * Train and evaluate; writes the weights to `out` when given. The shipped weights are trained on the
 * repository's own data only, so CI rebuilds them byte for byte; `trainOnExternal` adds the
 * third-party sets and is meant for a file of one's own (`--out`).
 */
export function runTraining(paths: DataPaths, overrides: Partial<TrainOptions> = {}, out?: string, options: { trainOnExternal?: boolean } = {}): TrainingReport & { written: boolean } {
  const started = process.hrtime.bigint();
  const corpus = loadCorpus(paths, { trainOnExternal: options.trainOnExternal });
  const train = trainingSet(corpus);
  const model = trainModel(train, { ...DEFAULT_TRAIN_OPTIONS, dataHash: corpus.dataHash, ...overrides });
  const written = Boolean(out);
  if (out && written) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, encodeModel(model));
  }
  const predictors = { model: modelPredictor(model), lexicon: lexiconPredictor(), rules: rulesPredictor() };
  const heldOut: TrainingReport['heldOut'] = {};
  const sets = evaluationSets(corpus);
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
    trainedOn: corpus.trainedOn,
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
  lines.push(`trained on ${report.trainExamples} examples (${report.trainedOn.join(', ')}) in ${report.seconds.toFixed(1)} s, figures included`);
  if (report.missing.length) lines.push(`third-party sets not laid down (no figures for them): ${report.missing.join(', ')} — see data/README.md`);
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
