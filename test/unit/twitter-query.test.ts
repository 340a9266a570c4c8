import { describe, expect, it } from 'vitest';
import { keywordClause, planQueries, quoteTerm } from '../../src/sources/twitter/query.js';

const kw = (term: string, exclude: string[] = []) => ({ term, exclude });

describe('quoteTerm', () => {
  it.each([
    ['acme', 'acme'],
    ['@acme_help', '@acme_help'],
    ['#acmefail', '#acmefail'],
    ['acme anvils', '"acme anvils"'],
    ['"already quoted"', '"already quoted"'],
    ['acme-corp', '"acme-corp"'],
    ['say "hi" acme', '"say hi acme"'],
  ])('%s → %s', (term, expected) => expect(quoteTerm(term)).toBe(expected));
});

describe('keywordClause', () => {
  it('negates each exclude on its own, inside the keyword group', () => {
    expect(keywordClause(kw('acme', ['acme anvil museum', 'roadrunner']))).toBe('(acme -"acme anvil museum" -roadrunner)');
  });
});

describe('planQueries', () => {
  it('puts everything in one query when it fits, excluding reposts and own accounts', () => {
    const groups = planQueries({ keywords: [kw('acme'), kw('@acme_help')], ownHandles: ['acme_help'], lengthLimit: 512 });
    expect(groups.map((g) => g.query)).toEqual(['(acme OR @acme_help) -is:retweet -from:acme_help']);
  });

  it('splits into as few queries as the limit allows, each within it', () => {
    const keywords = Array.from({ length: 40 }, (_, i) => kw(`brandword${i}`));
    const groups = planQueries({ keywords, ownHandles: ['acme_help'], lengthLimit: 120 });
    for (const g of groups) expect(g.query.length).toBeLessThanOrEqual(120);
    expect(groups.flatMap((g) => g.keywords.map((k) => k.term)).sort()).toEqual(keywords.map((k) => k.term).sort());
    // 40 terms of 11–12 characters + " OR " need about 600 characters: 6–7 queries of ≤ 120.
    expect(groups.length).toBeLessThanOrEqual(7);
  });

  it('fills earlier groups with short keywords (first fit)', () => {
    const groups = planQueries({ keywords: [kw('a'.repeat(40)), kw('b'.repeat(40)), kw('c')], ownHandles: [], lengthLimit: 64 });
    expect(groups).toHaveLength(2);
    expect(groups[0]!.keywords.map((k) => k.term)).toEqual(['a'.repeat(40), 'c']);
  });

  it('gives each group a stable key derived from its query', () => {
    const a = planQueries({ keywords: [kw('acme')], ownHandles: [], lengthLimit: 512 });
    const b = planQueries({ keywords: [kw('acme')], ownHandles: [], lengthLimit: 512 });
    const c = planQueries({ keywords: [kw('acme'), kw('other')], ownHandles: [], lengthLimit: 512 });
    expect(a[0]!.key).toBe(b[0]!.key);
    expect(a[0]!.key).not.toBe(c[0]!.key);
  });

  it('refuses a keyword that cannot fit even alone, naming it', () => {
    expect(() => planQueries({ keywords: [kw('x'.repeat(100))], ownHandles: [], lengthLimit: 64 })).toThrow(/keyword "x+".*longer than 64/);
  });
});
