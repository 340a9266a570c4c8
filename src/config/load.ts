import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { configSchema, PLATFORMS, type Config } from './schema.js';
import { permissionWarnings } from '../io/permissions.js';
import { readConfigText, type LoadedConfig } from './file.js';

export { secretVariables } from './file.js';
export type { LoadedConfig };

/** Read, parse and validate a config file; any problem is a ConfigError naming file, line and key. */
export function loadConfig(path: string): LoadedConfig {
  const text = readConfigText(path);
  const { config, warnings } = parseConfig(text, path);
  warnings.push(...permissionWarnings(path, 'config file'));
  return { config, path: resolve(path), warnings };
}

/** Parse config text; `name` is used in messages. Pure apart from nothing: no file access. */
export function parseConfig(text: string, name: string): { config: Config; warnings: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    const line = lineCounter.linePos(error.pos[0]).line;
    const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(`${name}:${line}: YAML syntax error: ${reason}`);
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    // e.g. the yaml library's guard against alias bombs ("billion laughs").
    throw new ConfigError(`${name}: the YAML cannot be read: ${(error as Error).message}`);
  }
  if (data === null || data === undefined) throw new ConfigError(`${name}: the config file is empty`);
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues;
    const first = describeIssue(issues[0]!, doc, lineCounter, name, data);
    const count = issues.reduce((n, issue) => n + (issue.code === 'unrecognized_keys' ? issue.keys.length : 1), 0) - 1;
    const more = count > 0 ? ` (and ${count} more problem${count > 1 ? 's' : ''})` : '';
    throw new ConfigError(first + more);
  }
  const config = result.data;
  const names = new Set<string>();
  for (const [index, source] of config.sources.entries()) {
    const sourceName = source.name ?? source.platform;
    if (names.has(sourceName)) {
      const line = lineOf(doc, lineCounter, ['sources', index]);
      throw new ConfigError(
        `${name}:${line}: sources[${index}]: a second ${source.platform} source needs its own \`name\` (two sources are called "${sourceName}")`,
      );
    }
    names.add(sourceName);
  }
  return { config, warnings: [] };
}

function describeIssue(issue: z.core.$ZodIssue, doc: Document, lineCounter: LineCounter, name: string, data: unknown): string {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const line = lineOfKey(doc, lineCounter, path, key) ?? lineOf(doc, lineCounter, path);
    return `${name}:${line}: ${formatPath([...path, key])}: unknown key (check its spelling; see the README for the keys each section takes)`;
  }
  const line = lineOf(doc, lineCounter, path);
  let message = issue.message;
  if (issue.code === 'invalid_type') {
    // zod does not report the input by default: look in the document to tell "missing" from "wrong type".
    const value = path.reduce<unknown>((at, key) => (at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), data);
    if (path.length === 0) return `${name}:1: the config must be a mapping of keys (brand, keywords, sources, …), not ${kindOf(value)}`;
    message = doc.hasIn(path) ? `must be ${KIND[issue.expected] ?? issue.expected} (it is ${kindOf(value)})` : 'is required';
  }
  else if (issue.code === 'invalid_union' && path[0] === 'sources' && (path.length === 2 || path[2] === 'platform')) {
    message = `unknown platform (use one of: ${PLATFORMS.join(', ')})`;
  }
  return `${name}:${line}: ${formatPath(path)}: ${message}`;
}

const KIND: Record<string, string> = { object: 'a mapping of keys', array: 'a list', string: 'text', number: 'a number', boolean: 'true or false' };

/** What a YAML value is, in the words of the messages (never the value itself: it may be a secret). */
function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping of keys';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'boolean') return 'true or false';
  return `a ${typeof value}`;
}

function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** 1-based line of the node at `path`, or of its nearest existing ancestor. */
function lineOf(doc: Document, lineCounter: LineCounter, path: (string | number)[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lineCounter.linePos(node.range[0]).line;
    if (depth > 0) {
      const keyLine = lineOfKey(doc, lineCounter, path.slice(0, depth - 1), path[depth - 1]!);
      if (keyLine !== null) return keyLine;
    }
  }
  return 1;
}

function lineOfKey(doc: Document, lineCounter: LineCounter, parentPath: (string | number)[], key: string | number): number | null {
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (!isMap(parent)) return null;
  for (const item of parent.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key && item.key.range) {
      return lineCounter.linePos(item.key.range[0]).line;
    }
  }
  return null;
}

/** Resolve a path written in the config relative to the config file's folder. */
export function resolveFromConfig(configPath: string, path: string): string {
  return resolve(dirname(configPath), path);
}

/**
 * The config's `database`: a file path relative to the config, or a PostgreSQL URL as written. A URL
 * carrying a password is refused: the password belongs in PGPASSWORD or ~/.pgpass, never in the file.
 */
export function databaseFromConfig(configPath: string, database: string): string {
  if (!/^postgres(ql)?:\/\//i.test(database)) return resolveFromConfig(configPath, database);
  let password = '';
  try {
    password = new URL(database).password;
  } catch {
    throw new ConfigError(`${configPath}: database: not a usable PostgreSQL URL; write it as postgres://user@host:5432/database`);
  }
  if (password || /[?&]password=/i.test(database)) {
    throw new ConfigError(
      `${configPath}: database: the URL carries a password; remove it from the config and put it in PGPASSWORD or ~/.pgpass (host:port:database:user:password)`,
    );
  }
  return database;
}
