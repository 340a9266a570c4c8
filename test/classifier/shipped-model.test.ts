import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/classifier/datasets.js';
import { evaluate, modelPredictor } from '../../src/classifier/evaluate.js';
import { loadModel } from '../../src/classifier/model.js';

const data = fileURLToPath(new URL('../../data', import.meta.url));
const corpus = loadCorpus({ team: data, external: `${data}/external` });
const model = loadModel();

// Floors a little under the figures `npm run train` printed for the shipped weights: a drop means a regression.
describe('the shipped weights on posts they never saw', () => {
  it('catch negative customer posts and read their tone', () => {
    const f = evaluate(modelPredictor(model), corpus.sources.team!.test);
    expect(f.sentiment.recall.negative).toBeGreaterThanOrEqual(0.85);
    expect(f.sentiment.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(f.category!.accuracy).toBeGreaterThanOrEqual(0.55);
  });

  it('carry to an industry never trained on (airline posts)', () => {
    const f = evaluate(modelPredictor(model), corpus.airline);
    expect(f.sentiment.recall.negative).toBeGreaterThanOrEqual(0.85);
    expect(f.sentiment.accuracy).toBeGreaterThanOrEqual(0.75);
    expect(f.needsResponse!.recall).toBeGreaterThanOrEqual(0.9);
  });

  it.runIf(existsSync(`${data}/external/banking77/test.csv`))('sort bank customers’ problems from their questions (banking77 test split)', () => {
    const f = evaluate(modelPredictor(model), corpus.sources.banking77!.test);
    expect(f.category!.accuracy).toBeGreaterThanOrEqual(0.85);
    expect(f.sentiment.recall.negative).toBeGreaterThanOrEqual(0.85);
  });
});

describe('classify', () => {
  it('gives a probability-shaped guess', () => {
    const c = model.classify('@FibreFast broadband down again, third time this week');
    expect(c.best.category).toBe('problem');
    expect(c.sentiment).toBeLessThan(0);
    expect(c.sentiment).toBeGreaterThanOrEqual(-1);
    expect(c.needsResponse).toBeGreaterThan(0.5);
    expect(c.runnerUp.category).not.toBe(c.best.category);
    expect(c.runnerUp.probability).toBeLessThanOrEqual(c.best.probability);
  });

  it('is unsure in a language it was not trained on', () => {
    for (const [text, lang] of [
      ['@FibreFast mi internet no funciona desde ayer, ¿qué pasa?', undefined],
      ['@FibreFast интернет не работает с утра', undefined],
      ['@FibreFast インターネットが繋がりません', undefined],
      ['@FibreFast internet down since this morning', 'de'],
    ] as const) {
      const c = model.classify(text, { lang });
      expect(c.languageSupported, text).toBe(false);
      expect(c.confident, text).toBe(false);
      expect(c.category, text).toBe('unsure');
    }
    expect(model.classify('@FibreFast internet down since this morning', { lang: 'en-GB' }).languageSupported).toBe(true);
    expect(model.classify('@FibreFast internet down since this morning', { lang: 'und' }).lang).toBe('en');
  });

  it('explains a guess with words of the text', () => {
    const text = 'Still no refund after 3 weeks @GadgetHut, absolutely disgraceful service';
    const { features, category } = model.explain(text);
    expect(category).toBe(model.classify(text).best.category);
    expect(features.length).toBeGreaterThan(0);
    for (const f of features) {
      for (const word of f.phrase.split(' ')) expect(text).toContain(word);
      expect(f.weight).toBeGreaterThan(0);
    }
  });
});
