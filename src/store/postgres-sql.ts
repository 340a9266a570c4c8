/**
 * The store's common SQL as PostgreSQL reads it: `?` (positional values) and `@name` (named values) become
 * `$1, $2, …`. Only SQL text is rewritten: string literals ('…', E'…', $tag$…$tag$), quoted identifiers
 * ("…") and comments (-- and nested /* *\/) pass through untouched, and so do `::` casts and PostgreSQL's
 * own operators that contain `@` (`@@`, `@>`, `<@`).
 */
import { StoreError } from '../errors.js';
import type { Params } from './engine.js';

export interface PostgresStatement {
  text: string;
  values: unknown[];
}

/** Characters that may precede an operator's `@` (`<@`, `@@`, `&@`): such an `@` is never a parameter. */
const OPERATOR_CHARS = new Set(['+', '-', '*', '/', '<', '>', '=', '~', '!', '@', '#', '%', '^', '&', '|', '`', '?']);

const isIdentStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c);
const isIdentPart = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c);

/** The statement with `$n` placeholders and its values in their order. */
export function toPostgres(sql: string, params?: Params): PostgresStatement {
  if (params === undefined) return { text: sql, values: [] };
  const positional = Array.isArray(params);
  const named = positional ? null : (params as Readonly<Record<string, unknown>>);
  const values: unknown[] = [];
  const nameIndex = new Map<string, number>();
  let used = 0;
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    // Comments.
    if (c === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? n : end + 1;
      out += sql.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < n && depth > 0) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    // String literals: '…' with '' inside; E'…' also with backslash escapes.
    if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && !isIdentPart(sql[i - 2]);
      let j = i + 1;
      while (j < n) {
        if (escapes && sql[j] === '\\') j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      out += sql.slice(i, Math.min(j + 1, n));
      i = j + 1;
      continue;
    }
    // Quoted identifiers: "…" with "" inside.
    if (c === '"') {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '"' && sql[j + 1] === '"') j += 2;
        else if (sql[j] === '"') break;
        else j++;
      }
      out += sql.slice(i, Math.min(j + 1, n));
      i = j + 1;
      continue;
    }
    // Dollar quoting: $$…$$ or $tag$…$tag$ (a `$` inside an identifier, or `$1`, is not one).
    if (c === '$' && !(i > 0 && isIdentPart(sql[i - 1]))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        const stop = end === -1 ? n : end + tag[0].length;
        out += sql.slice(i, stop);
        i = stop;
        continue;
      }
    }
    // Identifiers and keywords as a whole (so the `e` of `some'` is never mistaken, and `a$b` stays one word).
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(sql[j])) j++;
      out += sql.slice(i, j);
      i = j;
      continue;
    }
    if (c === '?' && positional) {
      used++;
      if (used > (params as readonly unknown[]).length) {
        throw new StoreError(`statement has more ? placeholders than the ${(params as readonly unknown[]).length} values given: ${oneLine(sql)}`);
      }
      values.push((params as readonly unknown[])[used - 1]);
      out += `$${used}`;
      i++;
      continue;
    }
    if (c === '@' && named && isIdentStart(next) && !(i > 0 && OPERATOR_CHARS.has(sql[i - 1]!))) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(sql[j]!)) j++;
      const name = sql.slice(i + 1, j);
      let index = nameIndex.get(name);
      if (index === undefined) {
        if (!Object.prototype.hasOwnProperty.call(named, name)) {
          throw new StoreError(`statement names @${name} but no value was given for it: ${oneLine(sql)}`);
        }
        values.push(named[name]);
        index = values.length;
        nameIndex.set(name, index);
      }
      out += `$${index}`;
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  if (positional && used !== (params as readonly unknown[]).length) {
    throw new StoreError(`statement has ${used} ? placeholders but ${(params as readonly unknown[]).length} values were given: ${oneLine(sql)}`);
  }
  return { text: out, values: values.map(toPostgresValue) };
}

/**
 * Booleans are stored as 0/1 on both engines. PostgreSQL's text cannot hold U+0000 (a platform's text might):
 * it becomes U+FFFD (as a lone surrogate does on both engines) rather than failing the page that carries it.
 */
function toPostgresValue(value: unknown): unknown {
  if (value === true) return 1;
  if (value === false) return 0;
  if (value === undefined) return null;
  if (typeof value === 'string' && value.includes('\u0000')) return value.replace(/\u0000/g, '\uFFFD');
  return value;
}

function oneLine(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
