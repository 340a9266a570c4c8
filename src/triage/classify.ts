import type { Category } from '../store/mentions.js';
import type { Adaptation, Model, ModelClassification } from '../classifier/index.js';

/** The first guess at ingest: the trained model's category, sentiment and need of a response. */
export interface Classification {
  /** The most likely category, stored even when unsure so the queue can still sort. */
  category: Category;
  /** In [-1, 1], from the sentiment probabilities. */
  sentiment: number;
  /** The category's probability. */
  confidence: number;
  /** Below the confidence floor, or a language the model was not trained on: show "unsure", not a category. */
  unsure: boolean;
  /** P(the mention needs a response). */
  needsResponse: number;
  lang: string;
  languageSupported: boolean;
}

/** Builds classifications from the shipped model (loaded on first use), adapted to the brand when it learnt. */
export class Classifier {
  private model: Model | null = null;

  constructor(
    private readonly load: () => Promise<Model> | Model,
    private readonly adaptation: Adaptation | null = null,
  ) {}

  private loading: Promise<void> | null = null;

  /** Loads the model once, however many callers wait for it at the same time (sources poll concurrently). */
  async ready(): Promise<this> {
    this.loading ??= (async () => {
      const base = await this.load();
      if (!this.adaptation) this.model = base;
      else {
        const { applyAdaptation } = await import('../classifier/index.js');
        this.model = applyAdaptation(base, this.adaptation);
      }
    })();
    await this.loading;
    return this;
  }

  classify(text: string, lang: string | null = null): Classification {
    if (!this.model) throw new Error('the classifier is not loaded yet (await ready() first)');
    return fromModel(this.model.classify(text, { lang }));
  }

  /** The words that drove the guess, strongest first. */
  explain(text: string, limit = 5): { phrase: string; weight: number }[] {
    if (!this.model) throw new Error('the classifier is not loaded yet (await ready() first)');
    return this.model.explain(text, limit).features;
  }
}

function fromModel(guess: ModelClassification): Classification {
  return {
    category: guess.best.category,
    sentiment: Math.round(guess.sentiment * 1000) / 1000,
    confidence: Math.round(guess.best.probability * 1000) / 1000,
    unsure: guess.category === 'unsure',
    needsResponse: Math.round(guess.needsResponse * 1000) / 1000,
    lang: guess.lang,
    languageSupported: guess.languageSupported,
  };
}

/** The shipped classifier, as commands that classify use it; the weights load once per process. */
export async function shippedClassifier(adaptation: Adaptation | null = null): Promise<Classifier> {
  const { loadModel } = await import('../classifier/index.js');
  return new Classifier(() => loadModel(), adaptation).ready();
}
