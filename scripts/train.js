#!/usr/bin/env node
// Entry point of `npm run train`: trains from the repository's data/, writes data/model/classifier.bin, prints held-out figures.
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatReport, runTraining } from '../dist/classifier/training-run.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    epochs: { type: 'string' },
    external: { type: 'string', default: `${root}data/external` },
    'train-on-external': { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const shipped = `${root}data/model/classifier.bin`;
const overrides = {};
if (values.seed) overrides.seed = Number(values.seed);
if (values.epochs) overrides.epochs = Number(values.epochs);
// The shipped weights come from in-repo data only (CI has no data/external); third-party training needs a file of one's own.
if (values['train-on-external'] && !values.out) {
  console.error('--train-on-external needs --out <file>: the shipped weights are trained on the repository\'s data only (data/README.md)');
  process.exit(2);
}
const report = runTraining({ team: `${root}data`, external: values.external }, overrides, values.out ?? shipped, { trainOnExternal: values['train-on-external'] });
console.log(formatReport(report));
console.log(`\nwrote ${values.out ?? shipped}`);
