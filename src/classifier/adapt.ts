import { extractFeatures } from './features.js';
import { CATEGORIES, NEEDS_OFFSET, OUTPUTS, type Category, type Model } from './model.js';
import { seededRandom } from '../random.js';

/** One correction or confirmation by the person: what they filed a mention as. */
export interface Correction {
  text: string;
  lang?: string | null;
  category?: Category;
  needsResponse?: boolean;
  createdAt: string | Date;
}

/**
 * A brand's corrections on top of the shipped model, small and JSON-serialisable: biases and
 * per-feature deltas for the 7 category outputs and needs-response.
 */
export interface Adaptation {
  version: 1;
  /** The base weights it was learnt against; applying it to other weights is refused. */
  baseWeightsHash: string;
  labelsUsed: number;
  bias: number[];
  /** Hashed feature index → 8 deltas (7 categories, then needs-response). */
  features: Record<string, number[]>;
}

export interface AdaptOptions {
  epochs: number;
  learningRate: number;
  /** Pull of every delta toward zero: the base model stays the default where the labels say nothing. */
  l2: number;
  seed: number;
}

export const DEFAULT_ADAPT_OPTIONS: AdaptOptions = { epochs: 6, learningRate: 0.5, l2: 0.002, seed: 7 };

const COLUMNS = CATEGORIES.length + 1;

/** A few epochs of SGD on a residual over the same hashed features, the base weights fixed. */
export function adapt(model: Model, labels: readonly Correction[], options: Partial<AdaptOptions> = {}): Adaptation {
  const o = { ...DEFAULT_ADAPT_OPTIONS, ...options };
  const base = model.withResidual(null);
  const usable = labels.filter((l) => l.category !== undefined || l.needsResponse !== undefined);
  const encoded = usable.map((label) => {
    const ids = extractFeatures(label.text, model.info.bits).ids.slice();
    const scores = new Float64Array(OUTPUTS);
    base.scoreFeatures(ids, ids.length, scores);
    return { ids, scores, label };
  });
  const rows = new Map<number, Float64Array>();
  const bias = new Float64Array(COLUMNS);
  const random = seededRandom(o.seed);
  const order = encoded.map((_, i) => i);
  const grad = new Float64Array(COLUMNS);
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const index of order) {
      const { ids, scores, label } = encoded[index]!;
      const norm = ids.length ? 1 / Math.sqrt(ids.length) : 0;
      const logits = new Float64Array(COLUMNS);
      for (let k = 0; k < CATEGORIES.length; k++) logits[k] = scores[k]! + bias[k]!;
      logits[CATEGORIES.length] = scores[NEEDS_OFFSET]! + bias[CATEGORIES.length]!;
      for (const id of ids) {
        const row = rows.get(id);
        if (row) for (let k = 0; k < COLUMNS; k++) logits[k] += row[k]! * norm;
      }
      grad.fill(0);
      if (label.category !== undefined) {
        let max = -Infinity;
        for (let k = 0; k < CATEGORIES.length; k++) max = Math.max(max, logits[k]!);
        let total = 0;
        for (let k = 0; k < CATEGORIES.length; k++) total += Math.exp(logits[k]! - max);
        const target = CATEGORIES.indexOf(label.category);
        for (let k = 0; k < CATEGORIES.length; k++) grad[k] = Math.exp(logits[k]! - max) / total - (k === target ? 1 : 0);
      }
      if (label.needsResponse !== undefined) {
        grad[CATEGORIES.length] = 1 / (1 + Math.exp(-logits[CATEGORIES.length]!)) - (label.needsResponse ? 1 : 0);
      }
      const lr = o.learningRate;
      for (let k = 0; k < COLUMNS; k++) bias[k] -= lr * 0.1 * grad[k]!;
      for (const id of ids) {
        let row = rows.get(id);
        if (!row) rows.set(id, (row = new Float64Array(COLUMNS)));
        for (let k = 0; k < COLUMNS; k++) row[k] -= lr * (grad[k]! * norm + o.l2 * row[k]!);
      }
    }
  }
  const features: Record<string, number[]> = {};
  // Rounded and pruned so the stored object stays small.
  for (const [id, row] of [...rows.entries()].sort((a, b) => a[0] - b[0])) {
    if (row.every((d) => Math.abs(d) < 1e-4)) continue;
    features[String(id)] = [...row].map((d) => Math.round(d * 10000) / 10000);
  }
  return {
    version: 1,
    baseWeightsHash: model.info.weightsHash,
    labelsUsed: usable.length,
    bias: [...bias].map((d) => Math.round(d * 10000) / 10000),
    features,
  };
}

/**
 * An adaptation in the form it is stored and applied in: the same numbers as float32 (what the model adds
 * up anyway) in flat arrays, the features' ids ascending, `COLUMNS` deltas per feature.
 */
export interface PackedAdaptation {
  version: 1;
  baseWeightsHash: string;
  labelsUsed: number;
  bias: Float32Array;
  ids: Int32Array;
  deltas: Float32Array;
}

/** The packed form of an adaptation as `adapt` returns it (feature ids ascending, as object keys are). */
export function packAdaptation(adaptation: Adaptation): PackedAdaptation {
  if (adaptation.version !== 1 || !Array.isArray(adaptation.bias) || adaptation.bias.length !== COLUMNS || typeof adaptation.features !== 'object' || adaptation.features === null) {
    throw new Error(`not a version-1 classifier adaptation with ${COLUMNS} biases`);
  }
  const entries = Object.entries(adaptation.features);
  const ids = new Int32Array(entries.length);
  const deltas = new Float32Array(entries.length * COLUMNS);
  entries.forEach(([id, row], i) => {
    if (!/^\d+$/.test(id) || !Array.isArray(row)) throw new Error(`feature ${JSON.stringify(id)} of the adaptation is not an id with a list of deltas`);
    ids[i] = Number(id);
    deltas.set(row.slice(0, COLUMNS), i * COLUMNS);
  });
  return { version: 1, baseWeightsHash: adaptation.baseWeightsHash, labelsUsed: adaptation.labelsUsed, bias: Float32Array.from(adaptation.bias), ids, deltas };
}

/** Either form as the packed one. */
function packed(adaptation: Adaptation | PackedAdaptation): PackedAdaptation {
  return adaptation.bias instanceof Float32Array ? (adaptation as PackedAdaptation) : packAdaptation(adaptation as Adaptation);
}

/** The model with a brand's adaptation on top (the shipped weights are shared, not copied). */
export function applyAdaptation(model: Model, adaptation: Adaptation | PackedAdaptation): Model {
  if (adaptation.baseWeightsHash !== model.info.weightsHash) {
    throw new Error('this adaptation was learnt against other classifier weights: run `brandwatch learn` again');
  }
  const { ids, bias, deltas } = packed(adaptation);
  const slot = new Int32Array(1 << model.info.bits);
  for (let row = 0; row < ids.length; row++) {
    const id = ids[row]!;
    if (id >= slot.length) throw new Error(`the adaptation names feature ${id}, beyond these weights' ${slot.length} features`);
    slot[id] = row + 1;
  }
  return model.withResidual({ columns: COLUMNS, bias, slot, values: deltas });
}

// Stored form (classifier_adaptation.adaptation, migration 019): "BWA1", u32 header length, JSON header,
// zeros up to a multiple of 4 bytes, then the f32 biases, the i32 feature ids and the f32 deltas, in the
// machine's byte order like the weights file. Read with views, not parsed: a poll that stores mentions loads it.
const ADAPTATION_MAGIC = 'BWA1';

interface AdaptationHeader {
  version: 1;
  baseWeightsHash: string;
  labelsUsed: number;
  columns: number;
  features: number;
}

/** Where the numbers start: after the magic, the header's length and the header, at a multiple of 4 bytes. */
const dataStart = (jsonLength: number) => Math.ceil((8 + jsonLength) / 4) * 4;

export function encodeAdaptation(adaptation: Adaptation | PackedAdaptation): Buffer {
  const { baseWeightsHash, labelsUsed, bias, ids, deltas } = packed(adaptation);
  const header: AdaptationHeader = { version: 1, baseWeightsHash, labelsUsed, columns: COLUMNS, features: ids.length };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(dataStart(json.length));
  head.write(ADAPTATION_MAGIC, 0, 'ascii');
  head.writeUInt32LE(json.length, 4);
  json.copy(head, 8);
  const bytes = (a: Float32Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return Buffer.concat([head, bytes(bias), bytes(ids), bytes(deltas)]);
}

/** The stored adaptation's bytes as a PackedAdaptation; what cannot be one throws, saying what is wrong. */
export function decodeAdaptation(bytes: Uint8Array): PackedAdaptation {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 8 || buffer.toString('ascii', 0, 4) !== ADAPTATION_MAGIC) throw new Error('not a packed classifier adaptation (bad magic)');
  const jsonLength = buffer.readUInt32LE(4);
  if (8 + jsonLength > buffer.length) throw new Error('the adaptation is truncated (in its header)');
  let header: AdaptationHeader;
  try {
    header = JSON.parse(buffer.toString('utf8', 8, 8 + jsonLength)) as AdaptationHeader;
  } catch {
    throw new Error('the adaptation\'s header is not JSON');
  }
  if (header?.version !== 1 || header.columns !== COLUMNS || typeof header.baseWeightsHash !== 'string' || !Number.isSafeInteger(header.labelsUsed) || !Number.isSafeInteger(header.features) || header.features < 0) {
    throw new Error(`the adaptation's header is not a version-1 header with ${COLUMNS} columns`);
  }
  const start = dataStart(jsonLength);
  const n = header.features;
  if (buffer.length !== start + 4 * (COLUMNS + n + n * COLUMNS)) throw new Error('the adaptation is truncated or has trailing bytes');
  // Typed views need 4-byte alignment: bytes at an odd offset (a small Buffer in Node's pool) are copied first.
  const data = buffer.byteOffset % 4 === 0 ? buffer : new Uint8Array(buffer);
  const word = (offset: number) => data.byteOffset + offset;
  const bias = new Float32Array(data.buffer, word(start), COLUMNS);
  const ids = new Int32Array(data.buffer, word(start + 4 * COLUMNS), n);
  const deltas = new Float32Array(data.buffer, word(start + 4 * (COLUMNS + n)), n * COLUMNS);
  for (let i = 0; i < n; i++) if (ids[i]! < 0 || (i > 0 && ids[i]! <= ids[i - 1]!)) throw new Error('the adaptation\'s feature ids are not ascending');
  for (const values of [bias, deltas]) for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) throw new Error('the adaptation holds a value that is not a finite number');
  return { version: 1, baseWeightsHash: header.baseWeightsHash, labelsUsed: header.labelsUsed, bias, ids, deltas };
}

export interface CategoryFigures {
  accuracy: number;
  perCategory: Partial<Record<Category, { recall: number; support: number }>>;
}

export interface AdaptationEvaluation {
  labelsUsed: number;
  heldOut: number;
  before: CategoryFigures;
  after: CategoryFigures;
}

function categoryFigures(model: Model, labels: readonly Correction[]): CategoryFigures {
  const withCategory = labels.filter((l) => l.category !== undefined);
  let correct = 0;
  const counts = new Map<Category, { hit: number; support: number }>();
  for (const label of withCategory) {
    const guess = model.classify(label.text, { lang: label.lang ?? null }).best.category;
    const c = counts.get(label.category!) ?? { hit: 0, support: 0 };
    c.support++;
    if (guess === label.category) {
      c.hit++;
      correct++;
    }
    counts.set(label.category!, c);
  }
  const perCategory: CategoryFigures['perCategory'] = {};
  for (const category of CATEGORIES) {
    const c = counts.get(category);
    if (c) perCategory[category] = { recall: c.hit / c.support, support: c.support };
  }
  return { accuracy: withCategory.length ? correct / withCategory.length : 0, perCategory };
}

/** Oldest ~80% of the labels adapt, newest ~20% judge: how `learn --eval` shows its gain honestly. */
export function evaluateAdaptation(model: Model, labels: readonly Correction[], options: Partial<AdaptOptions> = {}): AdaptationEvaluation {
  const sorted = [...labels].sort((a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime());
  const cut = Math.floor(sorted.length * 0.8);
  const train = sorted.slice(0, cut);
  const test = sorted.slice(cut);
  const base = model.withResidual(null);
  const adapted = applyAdaptation(base, adapt(base, train, options));
  return { labelsUsed: train.length, heldOut: test.length, before: categoryFigures(base, test), after: categoryFigures(adapted, test) };
}
