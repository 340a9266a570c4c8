import type { Keyword } from '../config/schema.js';

function normalise(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

function contains(haystack: string, term: string): boolean {
  const needle = normalise(term.replace(/^"|"$/g, ''));
  return needle.length > 0 && haystack.includes(needle);
}

/** The keyword terms a text matches, honouring each keyword's excludes; in config order. */
export function matchKeywords(text: string, keywords: readonly Keyword[]): string[] {
  const haystack = normalise(text);
  return keywords
    .filter((k) => contains(haystack, k.term) && !k.exclude.some((e) => contains(haystack, e)))
    .map((k) => k.term);
}
