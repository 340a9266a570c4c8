import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { findUrls, twitterLength, URL_WEIGHT } from '../../src/sources/twitter/length.js';

// Text without anything X would turn into a link: letters, digits, spaces and simple punctuation.
const plainAscii = fc.stringMatching(/^[A-Za-z0-9 ,!?'-]{0,120}$/);
const cjk = fc.integer({ min: 0x4e00, max: 0x9fff }).map((cp) => String.fromCodePoint(cp));
const emoji = fc.constantFrom('😀', '👍🏽', '👨‍👩‍👧‍👦', '🇬🇧', '1️⃣', '❤️', '🏳️‍🌈', '🧑🏿‍💻');
const url = fc
  .tuple(fc.constantFrom('http', 'https'), fc.stringMatching(/^[a-z]{1,20}$/), fc.constantFrom('com', 'org', 'io'), fc.stringMatching(/^[a-z0-9/_-]{0,200}$/))
  .map(([scheme, host, tld, path]) => `${scheme}://${host}.${tld}/${path}`);

describe("X's weighted length", () => {
  it('counts plain Latin text one per character', () => {
    fc.assert(fc.property(plainAscii, (text) => twitterLength(text) === text.length));
  });

  it('counts every CJK character as 2', () => {
    fc.assert(fc.property(fc.array(cjk, { maxLength: 200 }), (chars) => twitterLength(chars.join('')) === 2 * chars.length));
  });

  it('counts every emoji, whole sequences included, as 2', () => {
    fc.assert(fc.property(fc.array(emoji, { maxLength: 100 }), (list) => twitterLength(list.join(' ')) === 2 * list.length + Math.max(0, list.length - 1)));
  });

  it('counts every URL as 23 whatever its length', () => {
    fc.assert(
      fc.property(plainAscii, url, plainAscii, (before, link, after) => {
        const text = `${before} ${link} ${after}`;
        return twitterLength(text) === before.length + 1 + URL_WEIGHT + 1 + after.length;
      }),
    );
  });

  it('is additive over space-separated parts', () => {
    const part = fc.oneof(plainAscii, cjk, emoji, url);
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 12 }), (parts) => {
        const whole = twitterLength(parts.join(' '));
        return whole === parts.reduce((sum, p) => sum + twitterLength(p), 0) + parts.length - 1;
      }),
    );
  });

  it('never shrinks when text is appended after a space', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 50 }), (a, b) => twitterLength(`${a} ${b}`) >= twitterLength(a)));
  });

  it('normalises to NFC first: a decomposed accent counts like the composed one', () => {
    expect(twitterLength('cafe\u0301')).toBe(twitterLength('café'));
    expect(twitterLength('café')).toBe(4);
  });

  it('handles the edges X documents', () => {
    expect(twitterLength('a'.repeat(280))).toBe(280);
    expect(twitterLength('你'.repeat(140))).toBe(280);
    expect(twitterLength('see acme.com.')).toBe(4 + URL_WEIGHT + 1);
    expect(twitterLength('email me@acme.com')).toBe(17);
    expect(twitterLength('“quoted” — dash')).toBe(15);
    expect(findUrls('go https://a.io/x), now')).toEqual([{ start: 3, end: 17 }]);
  });
});
