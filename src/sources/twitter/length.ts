/**
 * X's weighted post length (the twitter-text v3 rules): text is NFC-normalised; every URL counts 23;
 * every emoji (a whole sequence: skin tones, ZWJ families, flags, keycaps) counts 2; other code
 * points count 1 in Latin-1 to Georgian/Hangul Jamo (U+0000–U+10FF) and a few punctuation ranges,
 * and 2 elsewhere (CJK, most other scripts). The limit is 280.
 */

export const TWITTER_LIMIT = 280;
export const URL_WEIGHT = 23;

/** Code point ranges that weigh 1; everything else weighs 2. */
const LIGHT_RANGES: readonly [number, number][] = [
  [0x0000, 0x10ff],
  [0x2000, 0x200d],
  [0x2010, 0x201f],
  [0x2032, 0x2037],
];

// Built at run time: the `v` flag (RGI emoji sequences) is newer than the compile target's regex checks.
const EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');

const TLDS = 'com|net|org|io|co|uk|de|fr|es|it|nl|eu|us|ca|au|jp|cn|in|br|me|tv|ly|app|dev|info|biz|ai|gg|xyz|shop|store|online|site|news|blog';
// Explicit http(s) links, www. hosts, and bare domains with a common top-level domain, as X auto-links them.
const URL = new RegExp(
  `(?:https?:\\/\\/[^\\s]+|(?<![\\p{L}\\p{N}_@.-])(?:www\\.)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+(?:${TLDS})(?![\\p{L}\\p{N}_-])(?:[/?#][^\\s]*)?)`,
  'giu',
);
// Punctuation that ends a sentence is not part of the link.
const TRAILING = /[.,!?;:'")\]]+$/;

const segmenter = new Intl.Segmenter('en', { granularity: 'grapheme' });

function codePointWeight(cp: number): number {
  for (const [start, end] of LIGHT_RANGES) if (cp >= start && cp <= end) return 1;
  return 2;
}

function weighText(text: string): number {
  let total = 0;
  for (const { segment } of segmenter.segment(text)) {
    if (EMOJI.test(segment)) {
      total += 2;
      continue;
    }
    for (const ch of segment) total += codePointWeight(ch.codePointAt(0)!);
  }
  return total;
}

/** The URLs X would shorten in a text, with their positions. */
export function findUrls(text: string): { start: number; end: number }[] {
  const found: { start: number; end: number }[] = [];
  for (const match of text.matchAll(URL)) {
    const trimmed = match[0].replace(TRAILING, '');
    if (trimmed.length === 0) continue;
    found.push({ start: match.index, end: match.index + trimmed.length });
  }
  return found;
}

/** Weighted length of a post under X's rules. */
export function twitterLength(raw: string): number {
  const text = raw.normalize('NFC');
  let total = 0;
  let at = 0;
  for (const url of findUrls(text)) {
    total += weighText(text.slice(at, url.start)) + URL_WEIGHT;
    at = url.end;
  }
  return total + weighText(text.slice(at));
}
