/**
 * Text → hashed feature indices: word uni/bi-grams over normalised tokens (handles, links, numbers,
 * elongation, emoji, negation scope), counted three times, and character 5-grams inside each word.
 */

/** A post split into tokens: `norm` is what the model sees, `text` the words as the person wrote them. */
export interface Token {
  text: string;
  norm: string;
  /** Whether character n-grams are taken from it (real words only, not placeholders or marks). */
  word: boolean;
}

/** Hashed features of one post; `sources` (only when asked for) names the tokens each feature came from. */
export interface Features {
  ids: Int32Array;
  count: number;
  /** Per feature: first and last token index, packed as first * 65536 + last. */
  sources?: Int32Array;
  tokens?: Token[];
}

let unicodeToken: RegExp | null = null;

/** A post's tokens; the pattern is built on the first text that is not plain ASCII. */
function tokenPattern(text: string): RegExp {
  if (!NON_ASCII.test(text)) return ASCII_TOKEN;
  return (unicodeToken ??= /https?:\/\/\S+|www\.\S+|@\w+|#[\p{L}\p{N}_]+|[\p{L}\p{M}\p{N}'’_]+|[!?.,;:]+|\p{Extended_Pictographic}|[☹☺♥]/gu);
}
/**
 * tokenPattern's Unicode pattern as it matches text of ASCII characters only, where \p{L} is A–Z a–z, \p{N}
 * is 0–9 and no character is a mark or a pictograph: the same tokens, from a pattern V8 builds in a fraction
 * of the time (the first post a command classified used to wait for the Unicode one). Most posts are ASCII.
 */
const ASCII_TOKEN = /https?:\/\/\S+|www\.\S+|@\w+|#[A-Za-z0-9_]+|[A-Za-z0-9'_]+|[!?.,;:]+/g;
const NON_ASCII = /[^\x00-\x7f]/;

const NEGATORS = new Set([
  'not', 'no', 'never', 'dont', 'doesnt', 'didnt', 'isnt', 'wasnt', 'arent', 'werent', 'wont', 'wouldnt',
  'cant', 'cannot', 'couldnt', 'shouldnt', 'havent', 'hasnt', 'hadnt', 'nothing', 'nobody', 'none',
  'nowhere', 'neither', 'nor', 'aint', 'without',
]);
/** Negation reaches a few words: posts often have no punctuation to end it. */
const NEGATION_REACH = 3;

// Emoji carry much of a post's tone; the common ones map to a shared mood token, the rest keep their code point.
const EMOJI_MOOD: Record<string, string> = {};
for (const e of '😡😠🤬😤👎💩🖕') EMOJI_MOOD[e] = '<emo_angry>';
for (const e of '😢😭😞😔☹🙁😩😫😒🙄😑😐💔😖😣😟😕') EMOJI_MOOD[e] = '<emo_sad>';
for (const e of '😂🤣😆😅😹') EMOJI_MOOD[e] = '<emo_laugh>';
for (const e of '❤♥😍🥰💕💖💗💙💚💜🧡😘😊🙂😀😃😄😁👍👏🙌🎉🔥💯⭐🌟✨😎🤩🥳💪🚀☺') EMOJI_MOOD[e] = '<emo_happy>';
for (const e of '🙏') EMOJI_MOOD[e] = '<emo_pray>';

/** Built on the first emoji or symbol (only non-ASCII text has one). */
let pictograph: RegExp | null = null;

/** Lower case, no apostrophes ("don't" → "dont"), runs of 3+ letters cut to 2: "Sooo" and "soooooo" are one word, "soo" stays apart from "so". */
function normaliseWord(word: string): string {
  let lower = word.toLowerCase();
  if (lower.includes("'") || lower.includes('’')) lower = lower.replace(/['’]/g, '');
  let run = 1;
  for (let i = 1; i < lower.length; i++) {
    run = lower.charCodeAt(i) === lower.charCodeAt(i - 1) ? run + 1 : 1;
    if (run === 3) return lower.replace(/(.)\1{2,}/gu, '$1$1');
  }
  return lower;
}

/** Split and normalise a post; pure, and the same for training, prediction and explanations. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let negation = 0;
  const pattern = tokenPattern(text);
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const raw = match[0];
    const first = raw.charCodeAt(0);
    if (first === 104 /* h */ && raw.startsWith('http') && raw.includes('://') || first === 119 /* w */ && raw.startsWith('www.')) {
      tokens.push({ text: raw, norm: '<url>', word: false });
      continue;
    }
    if (first === 64 /* @ */) {
      tokens.push({ text: raw, norm: '<user>', word: false });
      continue;
    }
    if (first === 33 || first === 63 || first === 46 || first === 44 || first === 59 || first === 58) {
      negation = 0;
      if (raw.includes('?')) tokens.push({ text: raw, norm: '?', word: false });
      if (raw.includes('!')) tokens.push({ text: raw, norm: '!', word: false });
      continue;
    }
    if (first >= 0x2100 && raw.length <= 2 && (pictograph ??= /\p{Extended_Pictographic}|[☹☺♥]/u).test(raw)) {
      const base = raw.replace(/\uFE0F/g, '');
      tokens.push({ text: raw, norm: EMOJI_MOOD[base] ?? `<emo_${base.codePointAt(0)!.toString(16)}>`, word: false });
      continue;
    }
    if (first >= 48 && first <= 57) {
      tokens.push({ text: raw, norm: '<num>', word: false });
      continue;
    }
    const norm = normaliseWord(first === 35 /* # */ ? raw.slice(1) : raw);
    if (norm === '') continue;
    if (negation > 0) {
      negation--;
      tokens.push({ text: raw, norm: `neg_${norm}`, word: true });
    } else {
      tokens.push({ text: raw, norm, word: true });
    }
    if (NEGATORS.has(norm)) negation = NEGATION_REACH;
  }
  return tokens;
}

// Measured on the team held-out posts and both check sets: character 5-grams alone (they still catch
// typos such as "dissconnecting") with whole words counted three times beat 3–5-grams, whose short
// pieces made "unbelievably good" read like "unbelievable" with a few hundred labelled posts.
const CHAR_MIN = 5;
const CHAR_MAX = 5;
const WORD_REPEAT = 3;
const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashString(seed: number, s: string): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

/** Murmur3's finaliser spreads FNV's low bits before the mask. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const SEED_WORD = hashString(FNV_OFFSET, 'w');
const SEED_PAIR = hashString(FNV_OFFSET, 'b');
const SEED_CHAR = hashString(FNV_OFFSET, 'c');
const BOS = hashString(SEED_WORD, '<s>');

// One scratch buffer for the hot path: classification is synchronous, so it is never shared mid-use.
let scratch = new Int32Array(2048);
let scratchSources = new Int32Array(2048);

/**
 * The hashed features of a post. `bits` sets the table size (2^bits). With `withSources` each
 * feature records the tokens it came from, for explanations; otherwise the returned ids are a view
 * of a shared buffer, valid until the next call.
 */
export function extractFeatures(text: string, bits: number, withSources = false): Features {
  const mask = (1 << bits) - 1;
  const tokens = tokenize(text);
  let n = 0;
  const emit = (h: number, from: number, to: number): void => {
    if (n === scratch.length) {
      const grown = new Int32Array(scratch.length * 2);
      grown.set(scratch);
      scratch = grown;
      const grownSources = new Int32Array(scratch.length);
      grownSources.set(scratchSources);
      scratchSources = grownSources;
    }
    scratch[n] = mix(h) & mask;
    if (withSources) scratchSources[n] = from * 65536 + to;
    n++;
  };
  let previous = BOS;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t]!;
    const h = hashString(SEED_WORD, token.norm);
    for (let r = 0; r < WORD_REPEAT; r++) emit(h, t, t);
    emit(Math.imul(previous ^ 0x9e3779b9, FNV_PRIME) ^ Math.imul(h, 0x27d4eb2f) ^ SEED_PAIR, t === 0 ? t : t - 1, t);
    previous = h;
    if (!token.word) continue;
    const norm = token.norm.startsWith('neg_') ? token.norm.slice(4) : token.norm;
    // Character n-grams of "<word>", hashed incrementally so no substring is built.
    const padded = `<${norm}>`;
    const last = padded.length;
    for (let i = 0; i + CHAR_MIN <= last; i++) {
      let g = SEED_CHAR;
      const end = Math.min(i + CHAR_MAX, last);
      for (let j = i; j < end; j++) {
        g = Math.imul(g ^ padded.charCodeAt(j), FNV_PRIME);
        if (j - i >= CHAR_MIN - 1) emit(g, t, t);
      }
    }
  }
  if (tokens.length > 0 && tokens[tokens.length - 1]!.norm === '?') emit(hashString(SEED_WORD, '<ends?>'), tokens.length - 1, tokens.length - 1);
  if (withSources) {
    return { ids: scratch.slice(0, n), count: n, sources: scratchSources.slice(0, n), tokens };
  }
  return { ids: scratch.subarray(0, n), count: n };
}
