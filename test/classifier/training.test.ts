import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadTeamSplit, teamPostFiles } from '../../src/classifier/datasets.js';
import { decodeModel, encodeModel } from '../../src/classifier/model.js';
import { trainModel } from '../../src/classifier/train.js';

const data = fileURLToPath(new URL('../../data', import.meta.url));
const posts = loadTeamSplit(data).train;
const options = { bits: 14, seed: 42, epochs: 3, learningRate: 0.25, l2: 1e-6, negativeWeight: 2, dataHash: 'test' };

describe('training', () => {
  it('reads every team file and keeps the check sets out of training', () => {
    const files = teamPostFiles(data).map((f) => f.split('/').pop());
    expect(files).toContain('customer-posts.tsv');
    expect(files.some((f) => f!.includes('check'))).toBe(false);
    expect(posts.length).toBeGreaterThanOrEqual(1200);
  });

  it('gives the same weights for the same data and seed', () => {
    const a = trainModel(posts.slice(0, 150), options);
    const b = trainModel(posts.slice(0, 150), options);
    expect(a.info.weightsHash).toBe(b.info.weightsHash);
    expect(trainModel(posts.slice(0, 150), { ...options, seed: 43 }).info.weightsHash).not.toBe(a.info.weightsHash);
  });

  it('round-trips through the weights file format', () => {
    const model = trainModel(posts.slice(0, 60), options);
    const copy = decodeModel(encodeModel(model));
    expect(copy.info.weightsHash).toBe(model.info.weightsHash);
    expect(copy.classify(posts[0]!.text)).toEqual(model.classify(posts[0]!.text));
  });

  it('refuses a weights file whose header has no weights hash, naming the fix', () => {
    const bytes = encodeModel(trainModel(posts.slice(0, 20), options));
    const length = bytes.readUInt32LE(4);
    const header = JSON.parse(bytes.toString('utf8', 8, 8 + length)) as Record<string, unknown>;
    delete header.weightsHash;
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const head = Buffer.alloc(8);
    head.write('BWC1', 0, 'ascii');
    head.writeUInt32LE(json.length, 4);
    expect(() => decodeModel(Buffer.concat([head, json, bytes.subarray(8 + length)]))).toThrow(/no weights hash.*npm run train/);
  });
});
