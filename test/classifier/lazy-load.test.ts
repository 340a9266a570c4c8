import { describe, expect, it, vi } from 'vitest';

const reads: string[] = [];
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    readFileSync: ((path: Parameters<typeof fs.readFileSync>[0], ...rest: unknown[]) => {
      reads.push(String(path));
      return (fs.readFileSync as (...args: unknown[]) => unknown)(path, ...rest);
    }) as typeof fs.readFileSync,
  };
});

describe('loading the weights', () => {
  it('happens on loadModel(), not on import', async () => {
    const classifier = await import('../../src/classifier/index.js');
    expect(reads.filter((p) => p.endsWith('.bin'))).toEqual([]);
    const model = classifier.loadModel();
    expect(reads.filter((p) => p.endsWith('classifier.bin'))).toHaveLength(1);
    expect(classifier.loadModel()).toBe(model);
    expect(reads.filter((p) => p.endsWith('classifier.bin'))).toHaveLength(1);
  });
});
