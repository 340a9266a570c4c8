// The start-up bundle, built from tsc's output into dist/start/ (one flat folder, two levels below the
// package like every dist/<layer>/ module, so `new URL('../../data/…', import.meta.url)` still finds the
// classifier weights):
//
// - start.cjs: the command line's entry (main, the command tree, argument expansion) with commander inside,
//   as CommonJS. `bin/brandwatch.js` requires it, so `--help` never starts Node's ES module loader and
//   compiles one file instead of resolving a dozen modules.
// - context.js and one ES module per command (list.js, show.js, …), with the project's modules they share
//   split into chunk-*.js: a command loads a few files instead of dozens. Every module of ours is in
//   exactly one of these files, so a class checked with `instanceof` (store engines, source failures) has
//   one copy. Packages stay in node_modules, resolved by Node as before.
// - errors.cjs: the error classes, once. start.cjs requires it and every ES module imports it, and Node
//   hands both the same module, so `instanceof` in main picks the exit code of a class a command threw.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const OUT = 'dist/start';
const ERRORS = resolve('dist/errors.js');
const COMMANDS = readdirSync('dist/cli/commands').filter((file) => file.endsWith('.js'));

rmSync(OUT, { recursive: true, force: true });

/** Any import of dist/errors.js, however its importer spells the path, is errors.cjs beside the output. */
const sharedErrors = {
  name: 'shared-errors',
  setup(b) {
    b.onResolve({ filter: /errors\.js$/ }, (args) => (resolve(args.resolveDir, args.path) === ERRORS ? { path: './errors.cjs', external: true } : undefined));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', packages: 'external', plugins: [sharedErrors] };

await build({ ...common, entryPoints: [ERRORS], outfile: `${OUT}/errors.cjs`, format: 'cjs', plugins: [] });

await build({
  ...common,
  entryPoints: ['dist/cli/context.js', ...COMMANDS.map((file) => `dist/cli/commands/${file}`)],
  outdir: OUT,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  format: 'esm',
  splitting: true,
});

/** main.js loads the context and each command lazily: the flat ES modules above. */
const lazyModules = {
  name: 'lazy-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\/(context|commands\/[\w-]+)\.js$/ }, (args) => ({ path: `./${args.path.split('/').at(-1)}`, external: true }));
  },
};

await build({
  ...common,
  entryPoints: ['dist/cli/main.js'],
  outfile: `${OUT}/start.cjs`,
  format: 'cjs',
  // commander is bundled (the rest of node_modules is not): it is most of what `--help` runs.
  packages: undefined,
  external: ['./errors.cjs'],
  plugins: [sharedErrors, lazyModules],
});
