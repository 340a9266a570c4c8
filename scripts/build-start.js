// The start-up bundle: `bin/brandwatch.js` loads one ES module holding the command line's entry (main,
// the command tree, argument expansion) with commander inside, instead of resolving and compiling a
// dozen modules before `--help` can print. Command modules and the context stay separate files, loaded only
// when a command runs. `errors.js` stays outside the bundle so that every module shares one copy of the error
// classes (`instanceof` decides the exit code).
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/cli/main.js'],
  outfile: 'dist/cli/start.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // commander is CommonJS: its require() of Node's built-ins needs a real require inside an ES module.
  banner: { js: "import { createRequire as __bwRequire } from 'node:module'; const require = __bwRequire(import.meta.url);" },
  // Paths as main.js and program.js spell them, resolved beside dist/cli/start.js at run time.
  external: ['./context.js', './commands/*', '../errors.js'],
});
