import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { permissionWarnings } from '../io/permissions.js';
import type { Config } from './schema.js';
import { readConfigText, type LoadedConfig } from './file.js';

export { secretVariables } from './file.js';

/** The bundle's build id (scripts/build-start.js); absent when the modules run unbundled, which then never cache. */
declare const __BW_BUILD__: string | undefined;


/** Where checked configs are kept, and the build that checked them: the schema may change with any build. */
export interface ConfigCache {
  dir: string;
  build: string;
}

/** $XDG_CACHE_HOME/brandwatch/config (default ~/.cache), for the bundled CLI only. */
export function configCache(env: NodeJS.ProcessEnv): ConfigCache | null {
  const build = typeof __BW_BUILD__ === 'string' ? __BW_BUILD__ : null;
  const base = env.XDG_CACHE_HOME?.startsWith('/') ? env.XDG_CACHE_HOME : env.HOME ? join(env.HOME, '.cache') : null;
  return build && base ? { dir: join(base, 'brandwatch', 'config'), build } : null;
}


/**
 * loadConfig with a cache of the checked result: YAML, zod and the schema (most of a short command's
 * start-up) load only when the file's text, the build or Node (Intl and URL decide validity) changed.
 * Only a config that passed is kept, so a bad one always fails as loadConfig fails.
 */
export async function loadConfigCached(path: string, cache: ConfigCache | null): Promise<LoadedConfig> {
  const text = readConfigText(path);
  const full = resolve(path);
  const entry = cache ? join(cache.dir, `${hash(full)}.json`) : null;
  let config = cache && entry ? cached(entry, cache.build, full, text) : null;
  if (!config) {
    const { parseConfig } = await import('./load.js');
    config = parseConfig(text, path).config;
    if (cache && entry) keep(cache, entry, full, text, config);
  }
  return { config, path: full, warnings: permissionWarnings(path, 'config file') };
}


interface Entry {
  build: string;
  node: string;
  path: string;
  text: string;
  config: Config;
}

function cached(entry: string, build: string, path: string, text: string): Config | null {
  try {
    const kept = JSON.parse(readFileSync(entry, 'utf8')) as Entry;
    return kept.build === build && kept.node === process.version && kept.path === path && kept.text === text ? kept.config : null;
  } catch {
    return null;
  }
}

function keep(cache: ConfigCache, entry: string, path: string, text: string, config: Config): void {
  // What JSON cannot carry exactly (-0, an undefined key) is checked afresh each time.
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(config)), config)) return;
  try {
    // One level at a time, private like the config itself.
    const folders = [join(cache.dir, '..', '..'), join(cache.dir, '..'), cache.dir];
    for (const folder of folders) {
      try {
        mkdirSync(folder, { mode: 0o700 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
    }
    const partial = `${entry}.${process.pid}`;
    writeFileSync(partial, JSON.stringify({ build: cache.build, node: process.version, path, text, config } satisfies Entry), { mode: 0o600 });
    renameSync(partial, entry);
  } catch {
    // No cache this time: the next run checks the file again.
  }
}

/** A short name for a config path (cyrb53); the entry itself holds the path and text it stands for. */
function hash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16);
}
