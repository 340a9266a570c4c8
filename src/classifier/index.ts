// The classifier's public face: importing it reads no weights; loadModel() does, once.
export {
  CATEGORIES,
  SENTIMENTS,
  SHIPPED_WEIGHTS,
  loadModel,
  loadModelFor,
  Model,
  type Category,
  type ClassifyOptions,
  type Explanation,
  type ModelClassification,
  type ModelInfo,
  type SentimentLabel,
} from './model.js';
export {
  adapt,
  applyAdaptation,
  decodeAdaptation,
  encodeAdaptation,
  evaluateAdaptation,
  type Adaptation,
  type AdaptationEvaluation,
  type Correction,
  type PackedAdaptation,
} from './adapt.js';
export { detectLanguage, TRAINED_LANGUAGES } from './language.js';
