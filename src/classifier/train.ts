import { createHash } from 'node:crypto';
import { extractFeatures } from './features.js';
import { CATEGORIES, DEFAULT_CONFIDENCE_FLOOR, Model, NEEDS_OFFSET, OUTPUTS, SENTIMENT_OFFSET } from './model.js';
import { TRAINED_LANGUAGES } from './language.js';
import type { Example } from './datasets.js';
import { seededRandom } from '../random.js';

export interface TrainOptions {
  bits: number;
  seed: number;
  epochs: number;
  learningRate: number;
  /** L2 pull toward zero, applied to the weights an example touches. */
  l2: number;
  /** Extra weight on negative examples: a missed complaint costs more than a false alarm. */
  negativeWeight: number;
  dataHash: string;
}

export const DEFAULT_TRAIN_OPTIONS: Omit<TrainOptions, 'dataHash'> = {
  bits: 18,
  seed: 20240601,
  epochs: 20,
  learningRate: 0.25,
  l2: 1e-6,
  negativeWeight: 1,
};


interface Encoded {
  ids: Int32Array;
  example: Example;
}

/**
 * Multi-task softmax regression trained with AdaGrad: one shared hashed feature table, three heads
 * (category, sentiment, needs-response); each example trains the heads it has labels for.
 */
export function trainModel(examples: readonly Example[], options: TrainOptions): Model {
  const dim = 1 << options.bits;
  const w = new Float32Array(dim * OUTPUTS);
  const g = new Float32Array(dim * OUTPUTS);
  const bias = new Float32Array(OUTPUTS);
  const biasG = new Float32Array(OUTPUTS);
  const encoded: Encoded[] = examples.map((example) => ({ ids: extractFeatures(example.text, options.bits).ids.slice(), example }));
  const order = encoded.map((_, i) => i);
  const random = seededRandom(options.seed);
  const scores = new Float64Array(OUTPUTS);
  const grad = new Float64Array(OUTPUTS);
  const lr = options.learningRate;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const index of order) {
      const { ids, example } = encoded[index]!;
      const norm = ids.length > 0 ? 1 / Math.sqrt(ids.length) : 0;
      scores.set(bias);
      for (let i = 0; i < ids.length; i++) {
        const base = ids[i]! * OUTPUTS;
        for (let k = 0; k < OUTPUTS; k++) scores[k] += w[base + k]! * norm;
      }
      grad.fill(0);
      let any = false;
      if (example.category !== undefined) {
        softmaxGradient(scores, 0, CATEGORIES.length, CATEGORIES.indexOf(example.category), example.weight, grad);
        any = true;
      }
      if (example.sentiment !== undefined) {
        const target = example.sentiment === 'negative' ? 0 : example.sentiment === 'neutral' ? 1 : 2;
        const weight = example.weight * (target === 0 ? options.negativeWeight : 1);
        softmaxGradient(scores, SENTIMENT_OFFSET, 3, target, weight, grad);
        any = true;
      }
      if (example.needsResponse !== undefined) {
        const p = 1 / (1 + Math.exp(-scores[NEEDS_OFFSET]!));
        grad[NEEDS_OFFSET] = (p - (example.needsResponse ? 1 : 0)) * example.weight;
        any = true;
      }
      if (!any) continue;
      for (let k = 0; k < OUTPUTS; k++) {
        const d = grad[k]!;
        if (d === 0) continue;
        biasG[k] += d * d;
        bias[k] -= (lr * d) / (Math.sqrt(biasG[k]!) + 1e-8);
      }
      for (let i = 0; i < ids.length; i++) {
        const base = ids[i]! * OUTPUTS;
        for (let k = 0; k < OUTPUTS; k++) {
          const d0 = grad[k]!;
          if (d0 === 0) continue;
          const at = base + k;
          const d = d0 * norm + options.l2 * w[at]!;
          g[at] += d * d;
          w[at] -= (lr * d) / (Math.sqrt(g[at]!) + 1e-8);
        }
      }
    }
  }
  return quantise(w, bias, options);
}

function softmaxGradient(scores: Float64Array, offset: number, n: number, target: number, weight: number, out: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < n; k++) max = Math.max(max, scores[offset + k]!);
  let total = 0;
  for (let k = 0; k < n; k++) total += Math.exp(scores[offset + k]! - max);
  for (let k = 0; k < n; k++) {
    const p = Math.exp(scores[offset + k]! - max) / total;
    out[offset + k] = (p - (k === target ? 1 : 0)) * weight;
  }
}

/** Int8 per output column, scaled to the column's largest weight: a quarter of the float size. */
function quantise(w: Float32Array, bias: Float32Array, options: TrainOptions): Model {
  const scales = new Float32Array(OUTPUTS);
  for (let k = 0; k < OUTPUTS; k++) {
    let max = 0;
    for (let i = k; i < w.length; i += OUTPUTS) max = Math.max(max, Math.abs(w[i]!));
    scales[k] = max > 0 ? max / 127 : 1;
  }
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.round(w[i]! / scales[i % OUTPUTS]!);
  const info = {
    bits: options.bits,
    seed: options.seed,
    weightsHash: weightsHash(q, scales, bias),
    dataHash: options.dataHash,
    confidenceFloor: DEFAULT_CONFIDENCE_FLOOR,
    languages: TRAINED_LANGUAGES,
  };
  return new Model(info, q, scales, Float32Array.from(bias));
}

/** sha256 of the quantised model (scales, biases, weights): its identity, which an adaptation names. */
export function weightsHash(weights: Int8Array, scales: Float32Array, bias: Float32Array): string {
  const hash = createHash('sha256');
  hash.update(new Uint8Array(scales.buffer, scales.byteOffset, scales.byteLength));
  hash.update(new Uint8Array(bias.buffer, bias.byteOffset, bias.byteLength));
  hash.update(new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength));
  return hash.digest('hex');
}
