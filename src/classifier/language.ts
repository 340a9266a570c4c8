/** A rough language guess for posts whose platform sent none: writing system first, then stopwords. */

/** Languages the shipped model was trained on; guesses in any other are marked unsure. */
export const TRAINED_LANGUAGES: readonly string[] = ['en'];

export interface LanguageGuess {
  lang: string;
  /** False when the text gave too little to go on (no stopword, too few letters). */
  reliable: boolean;
}

// Built on the first guess (most posts come with the platform's language code): Unicode script classes take V8 a while to build.
let scripts: ReadonlyArray<[string, RegExp]> | null = null;
const scriptPatterns = (): ReadonlyArray<[string, RegExp]> => (scripts ??= [
  ['ru', /\p{Script=Cyrillic}/gu],
  ['el', /\p{Script=Greek}/gu],
  ['ar', /\p{Script=Arabic}/gu],
  ['he', /\p{Script=Hebrew}/gu],
  ['hi', /\p{Script=Devanagari}/gu],
  ['ja', /[\p{Script=Hiragana}\p{Script=Katakana}]/gu],
  ['ko', /\p{Script=Hangul}/gu],
  ['zh', /\p{Script=Han}/gu],
  ['th', /\p{Script=Thai}/gu],
]);

// Short, frequent words that rarely appear in the other languages of the list.
const STOPWORDS: Record<string, readonly string[]> = {
  en: ['the', 'and', 'is', 'my', 'you', 'it', 'to', 'of', 'for', 'this', 'with', 'have', 'your', 'not', 'was', 'what', 'why', 'how', 'can', 'i', 'me', 'on', 'are', 'again', 'just', 'still', 'does', 'do'],
  es: ['el', 'los', 'las', 'que', 'y', 'por', 'para', 'con', 'una', 'mi', 'es', 'pero', 'muy', 'del', 'está', 'no', 'hola', 'gracias'],
  fr: ['le', 'les', 'des', 'est', 'et', 'pour', 'avec', 'une', 'mon', 'pas', 'je', 'vous', 'sur', 'mais', 'très', 'merci', 'bonjour', 'ne'],
  de: ['der', 'die', 'das', 'und', 'ist', 'nicht', 'ich', 'mit', 'ein', 'eine', 'mein', 'sie', 'auf', 'für', 'aber', 'noch', 'danke', 'funktioniert'],
  pt: ['o', 'os', 'que', 'e', 'não', 'um', 'uma', 'com', 'para', 'meu', 'está', 'muito', 'obrigado', 'você', 'mas', 'ainda'],
  it: ['il', 'che', 'e', 'non', 'un', 'una', 'per', 'con', 'sono', 'mio', 'ma', 'della', 'grazie', 'ancora', 'perché'],
  nl: ['de', 'het', 'een', 'en', 'niet', 'ik', 'met', 'voor', 'mijn', 'maar', 'nog', 'bedankt', 'werkt', 'dat', 'jullie'],
};
let sets: Record<string, Set<string>> | null = null;
const stopwordSets = (): Record<string, Set<string>> => (sets ??= Object.fromEntries(Object.entries(STOPWORDS).map(([lang, words]) => [lang, new Set(words)])));

/** Platforms send these when they do not know: treat as absent. */
const UNKNOWN_CODES = new Set(['', 'und', 'zxx', 'qme', 'qht', 'qam', 'qst', 'art']);

/** The primary subtag, lower-cased ("en-GB" → "en"), or null when the platform did not know. */
export function normaliseLanguage(lang: string | null | undefined): string | null {
  if (lang == null) return null;
  const primary = lang.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return UNKNOWN_CODES.has(primary) ? null : primary;
}

export function detectLanguage(text: string): LanguageGuess {
  const body = text.replace(/https?:\/\/\S+|@\w+|#\w+/g, ' ');
  const letters = body.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return { lang: 'en', reliable: false };
  for (const [lang, script] of scriptPatterns()) {
    const hits = body.match(script)?.length ?? 0;
    if (hits / letters.length > 0.3) return { lang, reliable: true };
  }
  const words = body.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  let best = 'en';
  let bestHits = 0;
  for (const [lang, set] of Object.entries(stopwordSets())) {
    let hits = 0;
    for (const word of words) if (set.has(word)) hits++;
    // English wins ties: it is the language most brand posts here are in.
    if (hits > bestHits || (hits === bestHits && lang === 'en')) {
      best = lang;
      bestHits = hits;
    }
  }
  return { lang: best, reliable: bestHits > 0 };
}
