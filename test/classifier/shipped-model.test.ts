import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inRepoDataHash, loadCorpus, type Example } from '../../src/classifier/datasets.js';
import { evaluate, modelPredictor } from '../../src/classifier/evaluate.js';
import { decodeModel, encodeModel, loadModel, loadModelFor, SHIPPED_WEIGHTS } from '../../src/classifier/model.js';
import { weightsHash } from '../../src/classifier/train.js';

const data = fileURLToPath(new URL('../../data', import.meta.url));
const corpus = loadCorpus({ team: data, external: `${data}/external` });
const model = loadModel();

// Floors a little under the figures `npm run train` printed for the shipped weights: a drop means a regression.
const FLOORS: Array<[string, () => Example[], { category: number; sentiment: number; negative: number }]> = [
  ['team held-out posts', () => corpus.sources.team!.test, { category: 0.8, sentiment: 0.84, negative: 0.92 }],
  ['airline check (never trained on)', () => corpus.checks['airline-check']!, { category: 0.82, sentiment: 0.88, negative: 0.87 }],
  ['second airline check (never trained on)', () => corpus.checks['airline-check-2']!, { category: 0.85, sentiment: 0.88, negative: 0.85 }],
  ['broadband check (never trained on)', () => corpus.checks['broadband-check']!, { category: 0.9, sentiment: 0.88, negative: 0.92 }],
];

describe('the shipped weights', () => {
  it('were trained on the data in this repository, nothing else', () => {
    const shipped = decodeModel(readFileSync(SHIPPED_WEIGHTS));
    expect(shipped.info.dataHash).toBe(inRepoDataHash(data));
    expect(corpus.trainedOn).toEqual(['team']);
  });

  it('record the hash of the weights they carry (loading trusts the header)', () => {
    const shipped = decodeModel(readFileSync(SHIPPED_WEIGHTS));
    expect(shipped.info.weightsHash).toBe(weightsHash(shipped.weights, shipped.scales, shipped.bias));
  });

  for (const [name, examples, floor] of FLOORS) {
    it(`file, read and flag brand posts they never saw: ${name}`, () => {
      const f = evaluate(modelPredictor(model), examples());
      expect(examples().length).toBeGreaterThanOrEqual(60);
      expect(f.category!.accuracy).toBeGreaterThanOrEqual(floor.category);
      expect(f.sentiment.accuracy).toBeGreaterThanOrEqual(floor.sentiment);
      expect(f.sentiment.recall.negative).toBeGreaterThanOrEqual(floor.negative);
      expect(f.needsResponse!.recall).toBeGreaterThanOrEqual(0.9);
      expect(f.needsResponse!.precision).toBeGreaterThanOrEqual(0.85);
    });
  }

  it('never file praise as a complaint or problem with near certainty', () => {
    const praise = [...corpus.sources.team!.test, ...Object.values(corpus.checks).flat()].filter((e) => e.category === 'praise');
    expect(praise.length).toBeGreaterThanOrEqual(60);
    const sour = praise
      .map((e) => ({ text: e.text, guess: model.classify(e.text, { lang: 'en' }).best }))
      .filter(({ guess }) => (guess.category === 'complaint' || guess.category === 'problem') && guess.probability >= 0.9);
    expect(sour).toEqual([]);
  });

  it.runIf(existsSync(`${data}/external/banking77/test.csv`))('sort bank customers’ problems from their questions (banking77 test split, never seen)', () => {
    const f = evaluate(modelPredictor(model), corpus.sources.banking77!.test);
    expect(f.category!.accuracy).toBeGreaterThanOrEqual(0.5);
    expect(f.sentiment.recall.negative).toBeGreaterThanOrEqual(0.5);
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

describe('the weights of some texts only (show)', () => {
  it('classify and explain those texts as the whole model does, and refuse any other', () => {
    const texts = [
      ...corpus.sources.team!.test.slice(0, 150).map((e) => e.text),
      '@FibreFast интернет не работает с утра',
      'Sooo happy with @Acme 😍😍 #love',
      '',
    ];
    for (const text of texts) {
      const partial = loadModelFor([text]);
      expect(partial.info).toEqual(model.info);
      expect(partial.classify(text)).toEqual(model.classify(text));
      expect(partial.classify(text, { lang: 'en' })).toEqual(model.classify(text, { lang: 'en' }));
      expect(partial.explain(text, 4)).toEqual(model.explain(text, 4));
    }
    const two = loadModelFor([texts[0]!, texts[1]!]);
    expect(two.classify(texts[1]!)).toEqual(model.classify(texts[1]!));
    expect(() => two.classify(texts[2]!)).toThrow(/some texts only/);
    expect(() => encodeModel(two)).toThrow(/some texts only/);
  });
});
