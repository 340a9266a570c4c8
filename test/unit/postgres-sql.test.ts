import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/errors.js';
import { toPostgres } from '../../src/store/postgres-sql.js';

/** A piece of SQL: text that must pass through untouched, or a placeholder the rewriter must number. */
type Piece = { kind: 'text'; text: string } | { kind: 'positional' } | { kind: 'named'; name: string };

// Text the rewriter must never touch, each holding the characters that look like placeholders.
const inert = fc.constantFrom(
  "'what?'",
  "'it''s @me?'",
  "E'a\\'? @x'",
  '"odd?col"',
  '"say ""@x"""',
  '-- a comment? @x\n',
  '/* block ? @x /* nested ? */ still ? */',
  '$$body ? @x$$',
  '$fn$ select ? , @y $fn$',
  'x::int',
  "'2026-01-01'::date",
  'a @@ b',
  'tags @> ARRAY[1]',
  'ARRAY[1] <@ tags',
  'email',
  'col$1',
  'count(*)',
  '>=',
  ',',
  '(',
  ')',
);
const names = fc.constantFrom('id', 'text', 'at_ms', 'Platform', 'x1');

const positionalSql = fc.array(fc.oneof(inert.map((text): Piece => ({ kind: 'text', text })), fc.constant<Piece>({ kind: 'positional' })), { maxLength: 30 });
const namedSql = fc.array(fc.oneof(inert.map((text): Piece => ({ kind: 'text', text })), names.map((name): Piece => ({ kind: 'named', name }))), { maxLength: 30 });

describe('the SQL rewriter for PostgreSQL', () => {
  it('numbers every ? outside literals, identifiers and comments, in order, and touches nothing else', () => {
    fc.assert(
      fc.property(positionalSql, (pieces) => {
        let n = 0;
        const sql = pieces.map((p) => (p.kind === 'text' ? p.text : '?')).join(' ');
        const expected = pieces.map((p) => (p.kind === 'text' ? p.text : `$${++n}`)).join(' ');
        const values = Array.from({ length: n }, (_, i) => `v${i}`);
        const out = toPostgres(sql, values);
        expect(out.text).toBe(expected);
        expect(out.values).toEqual(values);
      }),
    );
  });

  it('gives each @name one number (repeated names share it) and binds the named values in that order', () => {
    fc.assert(
      fc.property(namedSql, (pieces) => {
        const order: string[] = [];
        const sql = pieces.map((p) => (p.kind === 'text' ? p.text : p.kind === 'named' ? `@${p.name}` : '?')).join(' ');
        const expected = pieces
          .map((p) => {
            if (p.kind !== 'named') return p.kind === 'text' ? p.text : '?';
            if (!order.includes(p.name)) order.push(p.name);
            return `$${order.indexOf(p.name) + 1}`;
          })
          .join(' ');
        const params = { id: 1, text: 'hi', at_ms: 2, Platform: 'x', x1: null, unused: 'ignored' };
        const out = toPostgres(sql, params);
        expect(out.text).toBe(expected);
        expect(out.values).toEqual(order.map((name) => params[name as keyof typeof params]));
      }),
    );
  });

  it('leaves a statement without values as it is (migrations, DDL)', () => {
    const sql = "CREATE TABLE t (a text DEFAULT '?'); -- ?\nSELECT 1::bigint";
    expect(toPostgres(sql)).toEqual({ text: sql, values: [] });
  });

  it('binds booleans as 0/1 and undefined as NULL, as both engines store them', () => {
    expect(toPostgres('SELECT ?, ?, ?', [true, false, undefined]).values).toEqual([1, 0, null]);
    expect(toPostgres('SELECT ?', ['a\u0000b']).values).toEqual(['a\uFFFDb']);
  });

  it('refuses a count of values that does not match the placeholders, and a name without a value', () => {
    expect(() => toPostgres('SELECT ?, ?', [1])).toThrow(StoreError);
    expect(() => toPostgres('SELECT ?', [1, 2])).toThrow(/2 values/);
    expect(() => toPostgres('SELECT @a', {})).toThrow(/@a/);
  });
});
