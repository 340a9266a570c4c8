#!/usr/bin/env node
// CommonJS (bin/package.json): `--help` and every command start without waiting for Node's ES module loader;
// commands themselves are ES modules, imported when they run.
require('../dist/start/start.cjs').main(process.argv);
