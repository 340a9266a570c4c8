import type { Keyword } from '../../config/schema.js';
import type { QueryGroup } from '../types.js';

/** Quote a term for X's search syntax unless it is a single operator-free token. */
export function quoteTerm(term: string): string {
  const trimmed = term.trim();
  if (/^"[^"]+"$/.test(trimmed)) return trimmed;
  if (/^[@#$]?[\p{L}\p{N}_]+$/u.test(trimmed)) return trimmed;
  return `"${trimmed.replace(/"/g, '')}"`;
}

/** One keyword with its own excludes: `acme` or `(acme -"anvil museum")`. Negation is per term, never of a group. */
export function keywordClause(keyword: Keyword): string {
  const term = quoteTerm(keyword.term);
  if (keyword.exclude.length === 0) return term;
  return `(${[term, ...keyword.exclude.map((e) => `-${quoteTerm(e)}`)].join(' ')})`;
}

function assemble(clauses: string[], suffix: string): string {
  const core = clauses.length === 1 ? clauses[0]! : `(${clauses.join(' OR ')})`;
  return suffix ? `${core} ${suffix}` : core;
}

export interface QueryPlanInput {
  keywords: readonly Keyword[];
  ownHandles: readonly string[];
  lengthLimit: number;
  /** Leave out posts that @mention these accounts (they are read from the mention timeline instead). */
  skipMentionsOf?: readonly string[];
}

/**
 * OR-combine keywords into as few queries as the length limit allows. Every query excludes
 * reposts and the brand's own accounts. Throws a RangeError naming a keyword that cannot fit alone.
 */
export function planQueries({ keywords, ownHandles, lengthLimit, skipMentionsOf = [] }: QueryPlanInput): QueryGroup[] {
  const suffix = [
    '-is:retweet',
    ...ownHandles.map((h) => `-from:${h.replace(/^@/, '')}`),
    ...skipMentionsOf.map((h) => `-@${h.replace(/^@/, '')}`),
  ].join(' ');
  const groups: { clauses: string[]; keywords: Keyword[] }[] = [];
  for (const keyword of keywords) {
    const clause = keywordClause(keyword);
    if (assemble([clause], suffix).length > lengthLimit) {
      throw new RangeError(
        `the keyword "${keyword.term}" with its excludes makes a query longer than ${lengthLimit} characters; shorten it or raise queryLengthLimit`,
      );
    }
    // First fit: the earliest group with room, so short keywords fill gaps left by long ones.
    const fit = groups.find((g) => assemble([...g.clauses, clause], suffix).length <= lengthLimit);
    if (fit) {
      fit.clauses.push(clause);
      fit.keywords.push(keyword);
    } else {
      groups.push({ clauses: [clause], keywords: [keyword] });
    }
  }
  return groups.map((g) => {
    const query = assemble(g.clauses, suffix);
    return { key: groupKey(query), query, keywords: g.keywords };
  });
}

/** A stable key from the query text: changing the keywords of a group starts a fresh cursor for it. */
function groupKey(query: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < query.length; i++) {
    hash ^= query.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `q-${hash.toString(16).padStart(8, '0')}`;
}
