import { describe, expect, it } from 'vitest';
import { adapt, applyAdaptation, evaluateAdaptation, type Correction } from '../../src/classifier/adapt.js';
import { loadModel } from '../../src/classifier/model.js';
import { seededRandom } from '../../src/random.js';

const model = loadModel();

// Posts about the brand's Flux app read like feedback, but this brand files them as problems.
const FLUX = [
  'the Flux app could remember my login', 'would be nice if the Flux app loaded faster', 'Flux app should show my balance first',
  'wish the Flux app kept my filters', 'the Flux app would be better with bigger buttons', 'please make the Flux app sync quicker',
  'Flux app needs a clearer menu', 'it would help if the Flux app saved drafts', 'the Flux app could do with fewer steps to pay',
  'Flux app suggestion: keep me signed in', 'the Flux app ought to show delivery times', 'the Flux app layout could be simpler',
];
const ENDINGS = ['', ' tbh', ' honestly', ' @Acme', ' just saying', ' please', ' thanks', ' on android', ' on my iphone', ' lately'];
const OTHERS: Array<[string, Correction['category']]> = [
  ['how do I change my address @Acme?', 'question'], ['thanks @Acme, great service today', 'praise'],
  ['any discount codes this week @Acme?', 'promo'], ['@Acme charged me twice and nobody answers', 'complaint'],
];

function corrections(n: number, seed: number): Correction[] {
  const random = seededRandom(seed);
  const start = Date.parse('2026-01-01T00:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const createdAt = new Date(start + i * 3_600_000).toISOString();
    if (random() < 0.75) {
      const text = FLUX[Math.floor(random() * FLUX.length)]! + ENDINGS[Math.floor(random() * ENDINGS.length)]!;
      return { text, category: 'problem', needsResponse: true, createdAt };
    }
    const [text, category] = OTHERS[Math.floor(random() * OTHERS.length)]!;
    return { text: `${text}${ENDINGS[Math.floor(random() * ENDINGS.length)]}`, category, createdAt };
  });
}

describe('adaptation from the person’s corrections', () => {
  it('lifts the brand-specific category on held-out posts after 200 corrections', () => {
    const result = evaluateAdaptation(model, corrections(200, 1));
    expect(result.labelsUsed).toBe(160);
    expect(result.heldOut).toBe(40);
    const before = result.before.perCategory.problem!.recall;
    const after = result.after.perCategory.problem!.recall;
    expect(before).toBeLessThan(0.5);
    expect(after).toBeGreaterThanOrEqual(before + 0.3);
    expect(result.after.accuracy).toBeGreaterThan(result.before.accuracy);
  });

  it('is a small serialisable object tied to the weights it was learnt on', () => {
    const adaptation = adapt(model, corrections(200, 2));
    const copy = JSON.parse(JSON.stringify(adaptation)) as typeof adaptation;
    const adapted = applyAdaptation(model, copy);
    expect(adapted.classify('the Flux app could remember my login').best.category).toBe('problem');
    expect(JSON.stringify(adaptation).length).toBeLessThan(200_000);
    expect(() => applyAdaptation(model, { ...copy, baseWeightsHash: 'other' })).toThrow(/learn/);
  });
});
