#!/usr/bin/env node
// Classification throughput on one core (DESIGN §10: ≥ 50k mentions/s), measured apart from ingest.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyAdaptation, adapt, loadModel } from '../dist/classifier/index.js';

const TARGET = 50_000;
const posts = readFileSync(fileURLToPath(new URL('../data/team/customer-posts.tsv', import.meta.url)), 'utf8')
  .split('\n').slice(1).filter(Boolean).map((line) => line.split('\t').slice(4).join('\t'));
const model = loadModel();

function rate(m, n) {
  for (let i = 0; i < 20_000; i++) m.classify(posts[i % posts.length]);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) m.classify(posts[i % posts.length], { lang: 'en' });
  return n / (Number(process.hrtime.bigint() - start) / 1e9);
}

const base = rate(model, 200_000);
const adapted = applyAdaptation(model, adapt(model, posts.slice(0, 200).map((text, i) => ({ text, category: 'problem', createdAt: new Date(i).toISOString() }))));
const withAdaptation = rate(adapted, 200_000);
const line = (label, r) => `${label.padEnd(28)} ${Math.round(r).toLocaleString('en').padStart(9)} mentions/s  (target ≥ ${TARGET.toLocaleString('en')}: ${r >= TARGET ? 'ok' : 'BELOW'})`;
console.log(line('classify, shipped weights', base));
console.log(line('classify, adapted to a brand', withAdaptation));
