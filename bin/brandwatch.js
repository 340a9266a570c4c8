#!/usr/bin/env node
// CommonJS (bin/package.json): `--help` and every command start without waiting for Node's ES module loader.
'use strict';
const Module = require('node:module');
const { basename, dirname, join } = require('node:path');

const START = join(__dirname, '..', 'dist', 'start');
useCodeCache();
require(join(START, 'start.cjs')).main(process.argv);

/**
 * V8's code cache for dist/start/commands.cjs, as `module.enableCompileCache()` keeps it on Node 22 (and
 * the v8-compile-cache package on older ones): compiling commands.cjs is the largest part of a short
 * command's start-up, and a cached compile is a fraction of it. The cache lives in
 * $XDG_CACHE_HOME/brandwatch/code (default ~/.cache), one file named after the build (the id the build
 * writes on the bundle's first line: hashing 750 kB here would cost more than the cache saves) and the Node
 * version; V8 itself rejects a cache from another build. It is written at exit, when a run found none (so
 * it holds the functions that run compiled), and any failure only means compiling as usual.
 */
function useCodeCache() {
  const env = process.env;
  const base = env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : env.HOME ? join(env.HOME, '.cache') : null;
  if (!base) return;
  const dir = join(base, 'brandwatch', 'code');
  if (typeof Module.enableCompileCache === 'function') return void Module.enableCompileCache(dir);
  const vm = require('node:vm');
  // Without it, a dynamic import() inside a vm.Script fails; Node versions that lack it compile as usual.
  const dynamicImport = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  if (dynamicImport === undefined) return;
  const fs = require('node:fs');
  // Only the commands' bundle: the entry compiles in a few milliseconds, and reading a cache would cost as much.
  let commands = null;
  const compile = Module.prototype._compile;
  const toWrite = [];
  Module.prototype._compile = function (content, filename) {
    if (!filename.endsWith('commands.cjs') || filename !== (commands ??= join(fs.realpathSync(START), 'commands.cjs'))) return compile.call(this, content, filename);
    const build = /^\/\/ brandwatch build ([0-9a-f]+)\n/.exec(content.slice(0, 64))?.[1];
    if (!build) return compile.call(this, content, filename);
    let script;
    let cacheFile;
    let cached;
    try {
      cacheFile = join(dir, `${basename(filename)}-${build}-${process.version}-${process.arch}.bin`);
      try {
        cached = fs.readFileSync(cacheFile);
      } catch {
        cached = undefined;
      }
      script = new vm.Script(Module.wrap(content), { filename, cachedData: cached, importModuleDynamically: dynamicImport });
    } catch {
      return compile.call(this, content, filename);
    }
    if (cached === undefined || script.cachedDataRejected) toWrite.push({ script, cacheFile, bundle: basename(filename) });
    const wrapper = script.runInThisContext({ displayErrors: true });
    const module = this;
    const require = (id) => module.require(id);
    require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
    require.main = process.mainModule;
    require.cache = Module._cache;
    return wrapper.call(module.exports, module.exports, require, module, filename, dirname(filename));
  };
  process.once('exit', () => {
    for (const { script, cacheFile, bundle } of toWrite) {
      try {
        // One level at a time: a recursive mkdir can spin for ever on some paths (under /proc).
        for (const folder of [base, dirname(dir), dir]) {
          try {
            fs.mkdirSync(folder, { mode: 0o700 });
          } catch (error) {
            if (error.code !== 'EEXIST') throw error;
          }
        }
        // A cache of an older build of the same bundle is of no more use.
        for (const old of fs.readdirSync(dir)) if (old.startsWith(`${bundle}-`) && join(dir, old) !== cacheFile) fs.rmSync(join(dir, old), { force: true });
        const partial = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
        fs.renameSync(partial, cacheFile);
      } catch {
        // No cache this time.
      }
    }
  });
}
