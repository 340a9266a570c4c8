/**
 * Plain ASCII posts are split by a pattern of their own (src/classifier/features.ts tokenPattern), cheaper to
 * build than the Unicode one: it must give the very tokens the Unicode pattern gives. A trailing no-break
 * space is a separator to both patterns and sends a text down the Unicode path, so it is the oracle.
 */
import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCorpus } from '../../src/classifier/datasets.js';
import { extractFeatures, tokenize } from '../../src/classifier/features.js';

const data = fileURLToPath(new URL('../../data', import.meta.url));
const corpus = loadCorpus({ team: data, external: `${data}/external` });
const unicode = (text: string) => `${text}\u00a0`;

describe('tokens of plain ASCII text', () => {
  it('are those of the Unicode pattern, on every ASCII post of the data', () => {
    const posts = [...Object.values(corpus.sources).flatMap((s) => [...s.train, ...s.test]), ...Object.values(corpus.checks).flat()]
      .map((e) => e.text)
      .filter((t) => !/[^\x00-\x7f]/.test(t));
    expect(posts.length).toBeGreaterThan(1000);
    for (const text of posts) {
      expect(tokenize(text)).toEqual(tokenize(unicode(text)));
      expect([...extractFeatures(text, 18).ids]).toEqual([...extractFeatures(unicode(text), 18).ids]);
    }
  });

  it('are those of the Unicode pattern, on any ASCII text', () => {
    const pieces = fc.constantFrom('http://a.b/c?d', 'https://x.io', 'www.acme.com/x', '@acme_help', '#Sale2026', "don't", 'NOT', 'sooo', '!?', '...', ',', ';', ':', "'", '_', '42', ' ', '\t', '\n', '-', '/', '#', '@', '(', ')');
    const ascii = fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 80 }), fc.array(pieces, { maxLength: 30 }).map((p) => p.join('')));
    fc.assert(
      fc.property(ascii, (text) => {
        expect(tokenize(text)).toEqual(tokenize(unicode(text)));
      }),
      { numRuns: 3000, seed: 20261202 },
    );
  });

  it('do not change the tokens of other text', () => {
    expect(tokenize('Sooo happy with @Acme 😍😍 #love’s ¿qué? naïve').map((t) => t.norm)).toEqual([
      'soo', 'happy', 'with', '<user>', '<emo_happy>', '<emo_happy>', 'love', 's', 'qué', '?', 'naïve',
    ]);
  });
});
