#!/usr/bin/env node
// Classification throughput on one core (DESIGN §10: ≥ 50k mentions/s), measured apart from ingest.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyAdaptation, adapt, loadModel } from '../dist/classifier/index.js';

export const CLASSIFY_TARGET = 50_000;

function rate(model, posts, n) {
  for (let i = 0; i < 20_000; i++) model.classify(posts[i % posts.length]);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) model.classify(posts[i % posts.length], { lang: 'en' });
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * Mentions per second with the shipped weights and with a brand's adaptation applied (the median of `runs`,
 * taken in turn); `runs` has every run's rate of each.
 */
export function measureClassification(runs = 3, n = 200_000) {
  const posts = readFileSync(fileURLToPath(new URL('../data/team/customer-posts.tsv', import.meta.url)), 'utf8')
    .split('\n').slice(1).filter(Boolean).map((line) => line.split('\t').slice(4).join('\t'));
  const model = loadModel();
  const adapted = applyAdaptation(model, adapt(model, posts.slice(0, 200).map((text, i) => ({ text, category: 'problem', createdAt: new Date(i).toISOString() }))));
  const all = { shipped: [], adapted: [] };
  for (let i = 0; i < runs; i++) {
    all.shipped.push(rate(model, posts, n));
    all.adapted.push(rate(adapted, posts, n));
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { shipped: median(all.shipped), adapted: median(all.adapted), runs: all };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { shipped, adapted } = measureClassification();
  const line = (label, r) => `${label.padEnd(28)} ${Math.round(r).toLocaleString('en').padStart(9)} mentions/s  (target ≥ ${CLASSIFY_TARGET.toLocaleString('en')}: ${r >= CLASSIFY_TARGET ? 'ok' : 'BELOW'})`;
  console.log(line('classify, shipped weights', shipped));
  console.log(line('classify, adapted to a brand', adapted));
}
