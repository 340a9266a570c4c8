// The start-up bundles, built from tsc's output into dist/start/ (two levels below the package like every
// dist/<layer>/ module, so `new URL('../../data/…', import.meta.url)` still finds the classifier weights).
// All three are CommonJS: no command waits for Node's ES module loader, and no file is resolved twice.
//
// - start.cjs: the command line's entry (main, the command tree, argument expansion) with commander inside.
//   `bin/brandwatch.js` requires it; `--help` compiles this one file.
// - commands.cjs: the context and every command, required when a command runs. Each command's modules
//   are evaluated only when that command is imported (esbuild's lazy module initialisation), and every
//   module of ours is in it once, so a class checked with `instanceof` (store engines, source failures)
//   has one copy. Packages stay in node_modules (required when the module that uses them is first
//   evaluated), except the ES-module-only chalk and p-retry, which are bundled, and better-sqlite3's script
//   (not its addon), bundled for the installed version it was built with (bundledSqlite below).
// - errors.cjs: the error classes, once, required by both: main's `instanceof` sees the class a command threw.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const OUT = 'dist/start';
const ERRORS = resolve('dist/errors.js');
const COMMANDS = readdirSync('dist/cli/commands').filter((file) => file.endsWith('.js')).map((file) => file.slice(0, -3));
/** Packages that can only be imported, not required: bundled into commands.cjs. */
const IMPORT_ONLY = ['chalk', 'p-retry'];
const dependencies = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).dependencies);

rmSync(OUT, { recursive: true, force: true });

/**
 * What this build is made of: every module tsc wrote, the installed version of every dependency and this
 * script. Caches of what the build computes (V8's code cache of commands.cjs, a checked config) are keyed by
 * it, so the CLI never has to hash its own bundle at start-up.
 */
function buildId() {
  const hash = createHash('sha1');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (path !== OUT) walk(path);
      } else if (entry.name.endsWith('.js')) hash.update(`${path}\0`).update(readFileSync(path)).update('\0');
    }
  };
  walk('dist');
  for (const name of dependencies) hash.update(`${name}@${JSON.parse(readFileSync(join('node_modules', name, 'package.json'), 'utf8')).version}\0`);
  hash.update(readFileSync(new URL(import.meta.url)));
  return hash.digest('hex').slice(0, 24);
}
const BUILD = buildId();

/** Any import of dist/errors.js, however its importer spells the path, is errors.cjs beside the output. */
const sharedErrors = {
  name: 'shared-errors',
  setup(b) {
    b.onResolve({ filter: /errors\.js$/ }, (args) => (resolve(args.resolveDir, args.path) === ERRORS ? { path: './errors.cjs', external: true } : undefined));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' };

await build({ ...common, entryPoints: [ERRORS], outfile: `${OUT}/errors.cjs` });

// The context, loaded with the bundle, and one lazy loader per command.
const commandsEntry = [
  "export { createContext } from './context.js';",
  `export const commands = { ${COMMANDS.map((name) => `${JSON.stringify(name)}: () => import('./commands/${name}.js')`).join(', ')} };`,
].join('\n');

/**
 * better-sqlite3's JavaScript, bundled: installed, it is a dozen small files the module loader finds and reads one
 * by one, a few milliseconds of every command that opens a database. Its compiled addon stays where it is
 * (src/store/sqlite-addon.ts names it). The bundled copy is used only when the installed package is the very
 * version bundled and its addon is where installs put it, so script and addon always match; anything else
 * requires the installed package, as before.
 */
const SQLITE = 'better-sqlite3';
const sqliteVersion = JSON.parse(readFileSync(join('node_modules', SQLITE, 'package.json'), 'utf8')).version;
const bundledSqlite = {
  name: 'bundled-better-sqlite3',
  setup(b) {
    b.onResolve({ filter: /^better-sqlite3$/ }, (args) =>
      args.namespace === 'sqlite-choice' ? { path: SQLITE, external: true } : { path: SQLITE, namespace: 'sqlite-choice' },
    );
    // Reached only without the addon at build/Release, where the bundled copy is not used.
    b.onResolve({ filter: /^bindings$/ }, () => ({ path: 'bindings', external: true }));
    b.onLoad({ filter: /.*/, namespace: 'sqlite-choice' }, () => ({
      contents: [
        "const { existsSync, readFileSync } = require('node:fs');",
        "const { dirname, join } = require('node:path');",
        'let root = null;',
        `try { root = dirname(require.resolve(${JSON.stringify(`${SQLITE}/package.json`)})); } catch {}`,
        'const same = root !== null && existsSync(join(root, "build", "Release", "better_sqlite3.node")) &&',
        `  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version === ${JSON.stringify(sqliteVersion)};`,
        `module.exports = same ? require(${JSON.stringify(resolve('node_modules', SQLITE, 'lib', 'index.js'))}) : require(${JSON.stringify(SQLITE)});`,
      ].join('\n'),
      resolveDir: resolve('.'),
      loader: 'js',
    }));
  },
};

await build({
  ...common,
  stdin: { contents: commandsEntry, resolveDir: resolve('dist/cli'), sourcefile: 'commands-entry.js', loader: 'js' },
  outfile: `${OUT}/commands.cjs`,
  external: dependencies.filter((name) => !IMPORT_ONLY.includes(name) && name !== SQLITE),
  plugins: [sharedErrors, bundledSqlite],
  // CommonJS has no import.meta: the bundle's own URL stands in (it sits where dist/<layer>/ modules sit).
  // __BW_BUILD__: the build's id, for the caches it keys (config/load.ts); its first line names it for bin/brandwatch.js.
  define: { 'import.meta.url': '__bwModuleUrl', __BW_BUILD__: JSON.stringify(BUILD) },
  banner: { js: `// brandwatch build ${BUILD}\nconst __bwModuleUrl = require('node:url').pathToFileURL(__filename).href;` },
});

/**
 * main.js imports `./context.js` and `./commands/<name>.js` when a command runs: in start.cjs each is a small
 * module that requires commands.cjs then and hands over the real one.
 */
const lazyModules = {
  name: 'lazy-modules',
  setup(b) {
    b.onResolve({ filter: /^\.\/(context|commands\/[\w-]+)\.js$/ }, (args) => ({ path: args.path, namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => {
      const name = /^\.\/commands\/([\w-]+)\.js$/.exec(args.path)?.[1];
      const contents = name
        ? `const { commands } = require('./commands.cjs');\nexport function run(...args) { return commands[${JSON.stringify(name)}]().then((command) => command.run(...args)); }`
        : "export const { createContext } = require('./commands.cjs');";
      return { contents, loader: 'js', resolveDir: resolve(OUT) };
    });
  },
};

/**
 * commander requires child_process at load for executable subcommands, which brandwatch has none of: loading
 * it (and with it net, dgram and the stream modules) waits until something is spawned.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.namespace === 'lazy-builtin' ? { path: 'node:child_process', external: true } : { path: 'child_process', namespace: 'lazy-builtin' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, () => ({
      contents: "module.exports = new Proxy({}, { get: (_, key) => require('node:child_process')[key] });",
      loader: 'js',
    }));
  },
};

await build({
  ...common,
  entryPoints: ['dist/cli/main.js'],
  outfile: `${OUT}/start.cjs`,
  // commander is bundled: it is most of what `--help` runs.
  external: ['./errors.cjs', './commands.cjs'],
  plugins: [sharedErrors, lazyModules, lazyChildProcess],
});
