import { describe, expect, it } from 'vitest';
import { adapt, applyAdaptation, decodeAdaptation, encodeAdaptation, evaluateAdaptation, type Correction } from '../../src/classifier/adapt.js';
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

describe('the packed adaptation (how the store keeps it)', () => {
  const adaptation = adapt(model, corrections(200, 3));
  const texts = [...FLUX, ...OTHERS.map(([text]) => text), 'nothing this brand ever labelled', '@Acme my card was declined twice 😡'];

  it('gives the same guesses as the adaptation it was packed from, at any byte offset', () => {
    const fromObject = applyAdaptation(model, JSON.parse(JSON.stringify(adaptation)) as typeof adaptation);
    const bytes = encodeAdaptation(adaptation);
    // A database may hand the bytes back at an offset a float array cannot start at.
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    for (const packed of [decodeAdaptation(bytes), decodeAdaptation(shifted)]) {
      expect(packed).toMatchObject({ version: 1, baseWeightsHash: adaptation.baseWeightsHash, labelsUsed: adaptation.labelsUsed });
      expect(packed.ids).toHaveLength(Object.keys(adaptation.features).length);
      const adapted = applyAdaptation(model, packed);
      for (const text of texts) {
        expect(adapted.classify(text)).toEqual(fromObject.classify(text));
        expect(adapted.explain(text)).toEqual(fromObject.explain(text));
      }
    }
    expect(encodeAdaptation(decodeAdaptation(bytes))).toEqual(bytes);
    expect(bytes.length).toBeLessThan(JSON.stringify(adaptation).length);
  });

  it('refuses damaged bytes, saying what is wrong', () => {
    const bytes = encodeAdaptation(adaptation);
    const damaged = (change: (b: Buffer) => Buffer) => () => decodeAdaptation(change(Buffer.from(bytes)));
    expect(damaged(() => Buffer.from('{"version":1}'))).toThrow(/bad magic/);
    expect(damaged((b) => b.subarray(0, 6))).toThrow(/bad magic|truncated/);
    expect(damaged((b) => b.subarray(0, 20))).toThrow(/truncated/);
    expect(damaged((b) => b.subarray(0, b.length - 4))).toThrow(/truncated or has trailing bytes/);
    expect(damaged((b) => Buffer.concat([b, Buffer.alloc(4)]))).toThrow(/truncated or has trailing bytes/);
    expect(damaged((b) => (b.fill(0x21, 8, 9), b))).toThrow(/header is not JSON/);
    const header = bytes.readUInt32LE(4);
    const start = 8 + header + ((4 - ((8 + header) % 4)) % 4);
    // The second feature id set below the first.
    expect(damaged((b) => (b.writeInt32LE(-1, start + 32 + 4), b))).toThrow(/not ascending/);
    // A delta that is NaN.
    expect(damaged((b) => (b.writeFloatLE(Number.NaN, b.length - 4), b))).toThrow(/not a finite number/);
  });
});
