import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extractFeatures } from './features.js';
import { detectLanguage, normaliseLanguage, TRAINED_LANGUAGES } from './language.js';

/** The seven categories of DESIGN §4, in the order of the model's category outputs. */
export const CATEGORIES = ['question', 'complaint', 'problem', 'feedback', 'praise', 'promo', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];
export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof SENTIMENTS)[number];

/** Output columns per feature: 7 category logits, 3 sentiment logits, 1 needs-response logit. */
export const OUTPUTS = CATEGORIES.length + SENTIMENTS.length + 1;
export const SENTIMENT_OFFSET = CATEGORIES.length;
export const NEEDS_OFFSET = CATEGORIES.length + SENTIMENTS.length;

/** Below this top probability the category is reported as "unsure". */
export const DEFAULT_CONFIDENCE_FLOOR = 0.5;

/** Where the shipped weights live; resolved from src/classifier or dist/classifier alike. */
export const SHIPPED_WEIGHTS = fileURLToPath(new URL('../../data/model/classifier.bin', import.meta.url));

export interface ModelInfo {
  bits: number;
  seed: number;
  /**
   * sha256 of the quantised weights and biases, the figure `npm run train` prints: computed when training
   * (train.ts) and carried in the weights file's header, so loading hashes nothing.
   */
  weightsHash: string;
  dataHash: string;
  confidenceFloor: number;
  languages: readonly string[];
}

export interface ClassifyOptions {
  /** The platform's language code, when it sent one ("en", "en-GB", "und"). */
  lang?: string | null;
}

export interface CategoryGuess {
  category: Category;
  probability: number;
}

/** The model's first guess for one mention. */
export interface ModelClassification {
  /** The guess, or "unsure" when the model is not confident or the language is untrained. */
  category: Category | 'unsure';
  /** The best category even when unsure, for storing and sorting. */
  best: CategoryGuess;
  runnerUp: CategoryGuess;
  confident: boolean;
  /** In [-1, 1]: P(positive) − P(negative). */
  sentiment: number;
  sentimentLabel: SentimentLabel;
  sentimentProbabilities: Record<SentimentLabel, number>;
  /** P(needs a response). */
  needsResponse: number;
  lang: string;
  languageSupported: boolean;
}

export interface Explanation {
  /** The words or phrases of the text, as written, with their pull toward the guessed category. */
  features: Array<{ phrase: string; weight: number }>;
  category: Category;
}

/**
 * Per-feature corrections added on top of the shipped weights (see adapt.ts), for category and
 * needs-response only.
 */
export interface Residual {
  columns: number;
  bias: Float32Array;
  /** Per hashed feature: 1 + its row in `values`, or 0 when the labels never touched it (a flat table beats a Map here). */
  slot: Int32Array;
  values: Float32Array;
}

/**
 * A loaded classifier: int8 weights in a feature-major table (one cache line per feature), a
 * float scale per output and a float bias per output.
 */
export class Model {
  readonly info: ModelInfo;
  readonly weights: Int8Array;
  readonly scales: Float32Array;
  readonly bias: Float32Array;
  readonly residual: Residual | null;
  private readonly scores = new Float64Array(OUTPUTS);
  private readonly sums = new Int32Array(OUTPUTS);

  /** The features whose weights were read, when only some were (loadModelFor); null: all of them. */
  readonly rows: ReadonlySet<number> | null;

  constructor(info: ModelInfo, weights: Int8Array, scales: Float32Array, bias: Float32Array, residual: Residual | null = null, rows: ReadonlySet<number> | null = null) {
    this.info = info;
    this.weights = weights;
    this.scales = scales;
    this.bias = bias;
    this.residual = residual;
    this.rows = rows;
  }

  withResidual(residual: Residual | null): Model {
    return new Model(this.info, this.weights, this.scales, this.bias, residual, this.rows);
  }

  /** Raw scores of a feature list, written into `out` (length OUTPUTS). */
  scoreFeatures(ids: ArrayLike<number>, count: number, out: Float64Array): void {
    if (this.rows !== null) {
      for (let i = 0; i < count; i++) {
        if (!this.rows.has(ids[i]!)) throw new Error('this model holds the weights of some texts only (loadModelFor): load the whole model (loadModel) for others');
      }
    }
    const sums = this.sums;
    const w = this.weights;
    // Eleven accumulators in locals, unrolled: the table walk is the hot loop of classification.
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0, s8 = 0, s9 = 0, s10 = 0;
    for (let i = 0; i < count; i++) {
      const b = ids[i]! * 11;
      s0 += w[b]!; s1 += w[b + 1]!; s2 += w[b + 2]!; s3 += w[b + 3]!; s4 += w[b + 4]!; s5 += w[b + 5]!;
      s6 += w[b + 6]!; s7 += w[b + 7]!; s8 += w[b + 8]!; s9 += w[b + 9]!; s10 += w[b + 10]!;
    }
    sums[0] = s0; sums[1] = s1; sums[2] = s2; sums[3] = s3; sums[4] = s4; sums[5] = s5;
    sums[6] = s6; sums[7] = s7; sums[8] = s8; sums[9] = s9; sums[10] = s10;
    // Features count once each and the vector has unit length: short and long posts score alike.
    const norm = count > 0 ? 1 / Math.sqrt(count) : 0;
    for (let k = 0; k < OUTPUTS; k++) out[k] = this.bias[k]! + sums[k]! * this.scales[k]! * norm;
    const residual = this.residual;
    if (residual) {
      for (let k = 0; k < residual.columns; k++) out[columnOf(k)] += residual.bias[k]!;
      const { slot, values, columns } = residual;
      for (let i = 0; i < count; i++) {
        const row = slot[ids[i]!]!;
        if (row === 0) continue;
        const at = (row - 1) * columns;
        for (let k = 0; k < columns; k++) out[columnOf(k)] += values[at + k]! * norm;
      }
    }
  }

  classify(text: string, options: ClassifyOptions = {}): ModelClassification {
    const features = extractFeatures(text, this.info.bits);
    const s = this.scores;
    this.scoreFeatures(features.ids, features.count, s);
    const category = softmaxTop(s, 0, CATEGORIES.length);
    const sentiment = softmax3(s, SENTIMENT_OFFSET);
    toneOfCategory(sentiment, s);
    const given = normaliseLanguage(options.lang);
    const lang = given ?? detectLanguage(text).lang;
    const languageSupported = this.info.languages.includes(lang);
    const confident = languageSupported && category.bestP >= this.info.confidenceFloor;
    const best: CategoryGuess = { category: CATEGORIES[category.best]!, probability: category.bestP };
    let label: SentimentLabel = 'neutral';
    if (sentiment.negative >= sentiment.neutral && sentiment.negative >= sentiment.positive) label = 'negative';
    else if (sentiment.positive > sentiment.neutral) label = 'positive';
    return {
      category: confident ? best.category : 'unsure',
      best,
      runnerUp: { category: CATEGORIES[category.second]!, probability: category.secondP },
      confident,
      sentiment: Math.round((sentiment.positive - sentiment.negative) * 1000) / 1000,
      sentimentLabel: label,
      sentimentProbabilities: sentiment,
      needsResponse: 1 / (1 + Math.exp(-s[NEEDS_OFFSET]!)),
      lang,
      languageSupported,
    };
  }

  /** The few words or phrases of the text that pulled hardest toward the guessed category. */
  explain(text: string, limit = 5): Explanation {
    const features = extractFeatures(text, this.info.bits, true);
    const scores = new Float64Array(OUTPUTS);
    this.scoreFeatures(features.ids, features.count, scores);
    const top = softmaxTop(scores, 0, CATEGORIES.length).best;
    const tokens = features.tokens!;
    const norm = features.count > 0 ? 1 / Math.sqrt(features.count) : 0;
    // A feature's pull is its weight for the guess against the mean of the other categories.
    const byPhrase = new Map<string, number>();
    for (let i = 0; i < features.count; i++) {
      const base = features.ids[i]! * OUTPUTS;
      let mean = 0;
      for (let k = 0; k < CATEGORIES.length; k++) mean += this.weights[base + k]! * this.scales[k]!;
      mean /= CATEGORIES.length;
      let pull = this.weights[base + top]! * this.scales[top]! - mean;
      const row = this.residual ? this.residual.slot[features.ids[i]!]! : 0;
      if (row > 0) pull += this.residual!.values[(row - 1) * this.residual!.columns + top]!;
      const packed = features.sources![i]!;
      const from = Math.floor(packed / 65536);
      const to = packed % 65536;
      const phrase = tokens.slice(from, to + 1).map((t) => t.text).join(' ');
      byPhrase.set(phrase, (byPhrase.get(phrase) ?? 0) + pull * norm);
    }
    const ranked = [...byPhrase.entries()]
      .filter(([, weight]) => weight > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, limit)
      .map(([phrase, weight]) => ({ phrase, weight: Math.round(weight * 1000) / 1000 }));
    return { features: ranked, category: CATEGORIES[top]! };
  }
}

/** Residual columns are the category outputs then needs-response. */
export function columnOf(residualColumn: number): number {
  return residualColumn < CATEGORIES.length ? residualColumn : NEEDS_OFFSET;
}

function softmaxTop(s: Float64Array, offset: number, n: number): { best: number; bestP: number; second: number; secondP: number } {
  let max = -Infinity;
  for (let k = 0; k < n; k++) if (s[offset + k]! > max) max = s[offset + k]!;
  let total = 0;
  let best = 0;
  let second = 1;
  let bestE = -1;
  let secondE = -1;
  for (let k = 0; k < n; k++) {
    const e = Math.exp(s[offset + k]! - max);
    total += e;
    if (e > bestE) {
      second = best;
      secondE = bestE;
      best = k;
      bestE = e;
    } else if (e > secondE) {
      second = k;
      secondE = e;
    }
  }
  return { best, bestP: bestE / total, second, secondP: secondE / total };
}

/**
 * A complaint or problem report to a brand is negative even in flat words ("nobody ever calls back"):
 * the category head's belief in either moves neutral mass (never positive mass) to negative.
 * Measured on the team's held-out posts and the airline check, it lifts negative recall without
 * costing accuracy elsewhere.
 */
function toneOfCategory(sentiment: Record<SentimentLabel, number>, s: Float64Array): void {
  const p = softmaxAll(s, 0, CATEGORIES.length);
  const sour = p[1]! + p[2]!;
  const moved = sentiment.neutral * sour * SOUR_PULL;
  sentiment.neutral -= moved;
  sentiment.negative += moved;
}
const SOUR_PULL = 1;

function softmaxAll(s: Float64Array, offset: number, n: number): number[] {
  let max = -Infinity;
  for (let k = 0; k < n; k++) if (s[offset + k]! > max) max = s[offset + k]!;
  const out: number[] = [];
  let total = 0;
  for (let k = 0; k < n; k++) {
    const e = Math.exp(s[offset + k]! - max);
    out.push(e);
    total += e;
  }
  for (let k = 0; k < n; k++) out[k] = out[k]! / total;
  return out;
}

function softmax3(s: Float64Array, offset: number): Record<SentimentLabel, number> {
  const a = s[offset]!;
  const b = s[offset + 1]!;
  const c = s[offset + 2]!;
  const max = Math.max(a, b, c);
  const ea = Math.exp(a - max);
  const eb = Math.exp(b - max);
  const ec = Math.exp(c - max);
  const total = ea + eb + ec;
  return { negative: ea / total, neutral: eb / total, positive: ec / total };
}

// File layout: "BWC1", u32 header length, JSON header, then scales and biases (f32) and int8 weights.
const MAGIC = 'BWC1';

interface Header {
  bits: number;
  outputs: number;
  seed: number;
  /** The weights' sha256 (ModelInfo.weightsHash); test/classifier/shipped-model.test.ts checks it against the shipped weights. */
  weightsHash?: string;
  dataHash: string;
  confidenceFloor: number;
  languages: string[];
}

export function encodeModel(model: Model): Buffer {
  if (model.rows !== null) throw new Error('a model loaded for some texts only (loadModelFor) has no whole weights to write');
  const header: Header = {
    bits: model.info.bits,
    outputs: OUTPUTS,
    seed: model.info.seed,
    weightsHash: model.info.weightsHash,
    dataHash: model.info.dataHash,
    confidenceFloor: model.info.confidenceFloor,
    languages: [...model.info.languages],
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(8);
  head.write(MAGIC, 0, 'ascii');
  head.writeUInt32LE(json.length, 4);
  return Buffer.concat([
    head,
    json,
    Buffer.from(model.scales.buffer, model.scales.byteOffset, model.scales.byteLength),
    Buffer.from(model.bias.buffer, model.bias.byteOffset, model.bias.byteLength),
    Buffer.from(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength),
  ]);
}

/** What precedes the weights in a weights file: the model's info, scales and biases, and where the weights start. */
interface Head {
  info: ModelInfo;
  scales: Float32Array;
  bias: Float32Array;
  /** Byte offset of the int8 weights, and their size. */
  offset: number;
  size: number;
}

/** The head of a weights file from its first bytes; null when `buffer` ends before the head does. */
function readHead(buffer: Buffer): Head | null {
  if (buffer.length < 8) return null;
  if (buffer.toString('ascii', 0, 4) !== MAGIC) throw new Error('not a brandwatch classifier weights file (bad magic)');
  const jsonLength = buffer.readUInt32LE(4);
  let offset = 8 + jsonLength;
  if (buffer.length < offset + 2 * OUTPUTS * 4) return null;
  const header = JSON.parse(buffer.toString('utf8', 8, 8 + jsonLength)) as Header;
  if (header.outputs !== OUTPUTS) throw new Error(`classifier weights have ${header.outputs} outputs, this code expects ${OUTPUTS}`);
  if (typeof header.weightsHash !== 'string') throw new Error('classifier weights file has no weights hash in its header (written before it carried one): write it again with `npm run train`');
  // Copies, so the float arrays are aligned whatever the file offset (int8 needs no alignment).
  const scales = new Float32Array(buffer.buffer.slice(buffer.byteOffset + offset, buffer.byteOffset + offset + OUTPUTS * 4));
  offset += OUTPUTS * 4;
  const bias = new Float32Array(buffer.buffer.slice(buffer.byteOffset + offset, buffer.byteOffset + offset + OUTPUTS * 4));
  offset += OUTPUTS * 4;
  const info: ModelInfo = {
    bits: header.bits,
    seed: header.seed,
    weightsHash: header.weightsHash,
    dataHash: header.dataHash,
    confidenceFloor: header.confidenceFloor,
    languages: header.languages.length > 0 ? header.languages : TRAINED_LANGUAGES,
  };
  return { info, scales, bias, offset, size: (1 << header.bits) * OUTPUTS };
}

const TRUNCATED = 'classifier weights file is truncated or has trailing bytes';

/** The model in a weights file's bytes; its weights are a view of `bytes`, not a copy. */
export function decodeModel(bytes: Uint8Array): Model {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const head = readHead(buffer);
  if (!head || buffer.length - head.offset !== head.size) throw new Error(TRUNCATED);
  return new Model(head.info, new Int8Array(buffer.buffer, buffer.byteOffset + head.offset, head.size), head.scales, head.bias);
}

/**
 * The model for these texts only: the file's head and the weight rows of the texts' features (a few hundred
 * bytes of the 2.9 MB), for a command that explains one mention (`show`). It classifies and explains those
 * texts as loadModel()'s model does; asked about a feature it did not read, it throws.
 */
export function loadModelFor(texts: readonly string[], path: string = SHIPPED_WEIGHTS): Model {
  const fd = openSync(path, 'r');
  try {
    let buffer = Buffer.alloc(4096);
    let head = readHead(buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)));
    if (!head) {
      buffer = Buffer.alloc(8 + buffer.readUInt32LE(4) + 2 * OUTPUTS * 4);
      head = readHead(buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)));
      if (!head) throw new Error(TRUNCATED);
    }
    if (fstatSync(fd).size - head.offset !== head.size) throw new Error(TRUNCATED);
    const rows = new Set<number>();
    for (const text of texts) {
      const { ids, count } = extractFeatures(text, head.info.bits);
      for (let i = 0; i < count; i++) rows.add(ids[i]!);
    }
    // Zeros where no row was read: never looked at, the model refuses features outside `rows`.
    const weights = new Int8Array(head.size);
    for (const row of [...rows].sort((a, b) => a - b)) {
      if (readSync(fd, weights, row * OUTPUTS, OUTPUTS, head.offset + row * OUTPUTS) !== OUTPUTS) throw new Error(TRUNCATED);
    }
    return new Model(head.info, weights, head.scales, head.bias, null, rows);
  } finally {
    closeSync(fd);
  }
}

const loaded = new Map<string, Model>();

/** Reads the weights on first call only (importing this module reads nothing); later calls share them. */
export function loadModel(path: string = SHIPPED_WEIGHTS): Model {
  let model = loaded.get(path);
  if (!model) {
    model = decodeModel(readFileSync(path));
    loaded.set(path, model);
  }
  return model;
}
