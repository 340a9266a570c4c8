import type { Keyword } from '../../config/schema.js';
import type { QueryGroup } from '../types.js';

function quote(term: string): string {
  const bare = term.trim().replace(/^"|"$/g, '').replace(/"/g, '');
  return /^[\p{L}\p{N}_.-]+$/u.test(bare) ? bare : `"${bare}"`;
}

/** `acme` or `(acme NOT "anvil museum")` in Reddit's search syntax. */
export function clause(keyword: Keyword): string {
  if (keyword.exclude.length === 0) return quote(keyword.term);
  return `(${[quote(keyword.term), ...keyword.exclude.map((e) => `NOT ${quote(e)}`)].join(' ')})`;
}

/** OR-combine keywords into as few searches as Reddit's query length (512) allows. */
export function planRedditQueries(keywords: readonly Keyword[], lengthLimit: number): QueryGroup[] {
  const groups: { clauses: string[]; keywords: Keyword[] }[] = [];
  for (const keyword of keywords) {
    const c = clause(keyword);
    if (c.length > lengthLimit) throw new RangeError(`the keyword "${keyword.term}" with its excludes is longer than Reddit's ${lengthLimit}-character query limit; shorten it`);
    const current = groups.at(-1);
    if (current && [...current.clauses, c].join(' OR ').length <= lengthLimit) {
      current.clauses.push(c);
      current.keywords.push(keyword);
    } else groups.push({ clauses: [c], keywords: [keyword] });
  }
  return groups.map((g) => {
    const query = g.clauses.join(' OR ');
    return { key: `q-${hash(query)}`, query, keywords: g.keywords };
  });
}

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
