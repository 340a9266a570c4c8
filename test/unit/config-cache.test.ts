import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigCached } from '../../src/config/cached.js';
import { loadConfig } from '../../src/config/load.js';
import { configText } from '../helpers/config.js';

const sample = { platform: 'sample', start: '2026-11-20T06:00:00Z', ratePerHour: 1 };

function setUp() {
  const dir = mkdtempSync(join(tmpdir(), 'bw-config-cache-'));
  const path = join(dir, 'config.yml');
  writeFileSync(path, configText({ sources: [sample] }), { mode: 0o600 });
  return { path, cache: { dir: join(dir, 'cache', 'brandwatch', 'config'), build: 'build-1' } };
}

const entries = (dir: string) => readdirSync(dir).map((name) => join(dir, name));

describe('the checked-config cache', () => {
  it('gives what loadConfig gives, then reads the kept result while text, build and Node stay the same', async () => {
    const { path, cache } = setUp();
    const first = await loadConfigCached(path, cache);
    expect(first).toEqual(loadConfig(path));
    const [entry] = entries(cache.dir);
    // A kept result that differs shows the second load read it instead of checking the file again.
    const kept = JSON.parse(readFileSync(entry!, 'utf8'));
    writeFileSync(entry!, JSON.stringify({ ...kept, config: { ...kept.config, brand: 'Kept' } }));
    expect((await loadConfigCached(path, cache)).config.brand).toBe('Kept');
    expect((await loadConfigCached(path, { ...cache, build: 'build-2' })).config.brand).toBe(first.config.brand);
  });

  it('checks an edited file afresh, and never keeps a bad one', async () => {
    const { path, cache } = setUp();
    await loadConfigCached(path, cache);
    writeFileSync(path, configText({ brand: 'Edited', sources: [sample] }));
    expect((await loadConfigCached(path, cache)).config.brand).toBe('Edited');
    writeFileSync(path, 'brand: [not, a, name]\n');
    const uncached = (() => {
      try {
        loadConfig(path);
      } catch (error) {
        return (error as Error).message;
      }
      return null;
    })();
    expect(uncached).not.toBeNull();
    await expect(loadConfigCached(path, cache)).rejects.toThrow(uncached!);
    expect(JSON.parse(readFileSync(entries(cache.dir)[0]!, 'utf8')).config.brand).toBe('Edited');
  });

  it('without a cache (unbundled modules) only checks', async () => {
    const { path } = setUp();
    expect(await loadConfigCached(path, null)).toEqual(loadConfig(path));
  });
});
