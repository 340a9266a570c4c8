import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');

/**
 * The layers of src/, lowest first: a module may import its own layer's and lower layers' modules only.
 * Equal ranks are neighbours that do not import each other.
 */
const RANK: Record<string, number> = {
  errors: 0,
  random: 0,
  io: 1,
  config: 2,
  time: 3,
  metrics: 4,
  sources: 4,
  classifier: 4,
  store: 5,
  triage: 6,
  report: 6,
  alerts: 7,
  poll: 7,
  cli: 8,
};

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? modules(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Every relative import of a module (static, dynamic and type-only), as absolute .ts paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:\bfrom|\bimport\s*\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers.map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
}

function layerOf(file: string): string {
  const top = relative(SRC, file).split('/')[0]!;
  return top.replace(/\.ts$/, '');
}

const graph = new Map(modules(SRC).map((file) => [file, importsOf(file)]));

describe('the import graph of src/', () => {
  it('knows the layer of every top-level folder', () => {
    const unknown = [...new Set([...graph.keys()].map(layerOf))].filter((layer) => !(layer in RANK));
    expect(unknown, 'give each new folder a rank in RANK').toEqual([]);
  });

  it('has no import that runs upward', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        if (RANK[layerOf(target)]! > RANK[layerOf(file)]!) upward.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, 'open');
      path.push(file);
      for (const target of graph.get(file) ?? []) {
        if (!graph.has(target)) continue;
        if (state.get(target) === 'open') cycles.push([...path.slice(path.indexOf(target)), target].map((f) => relative(SRC, f)).join(' → '));
        else if (!state.has(target)) visit(target);
      }
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it('resolves every relative import to a module', () => {
    const missing = [...graph].flatMap(([file, targets]) => targets.filter((t) => !graph.has(t)).map((t) => `${relative(SRC, file)} → ${relative(SRC, t)}`));
    expect(missing).toEqual([]);
  });
});
