/**
 * The built CLI starts from CommonJS bundles (dist/start/): the entry (start.cjs) and the context with every
 * command (commands.cjs), required when a command runs. Exit codes rest on `instanceof` against the error
 * classes, so both must share the one copy in errors.cjs: each class is checked here to reach its exit code
 * through the built CLI, thrown from the entry, the context and the command modules (list, show, poll).
 */
import { describe, expect, it } from 'vitest';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { cliEnv, runCli, tempDir, writeConfig } from '../helpers/cli.js';
import { configText, sourceBlock } from '../helpers/config.js';

const START = resolve(import.meta.dirname, '../../dist/start');
const ERROR_CLASSES = ['UsageError', 'ConfigError', 'TemporaryError', 'PartialFailure', 'StoreError', 'RuntimeFailure'];

const files = () => readdirSync(START).filter((file) => /\.c?js$/.test(file));
const read = (file: string) => readFileSync(join(START, file), 'utf8');

/** A database with the sample platform's mentions of one poll, and its config. */
async function polledStore() {
  const dir = tempDir();
  const db = join(dir, 'brandwatch.db');
  const config = writeConfig(dir, configText({ brand: 'Fernhill', keywords: ['fernhill'], sources: [{ platform: 'sample', start: '2026-11-20T06:00:00Z', ratePerHour: 6 }] }));
  const poll = await runCli(['--config', config, '--db', db, 'poll'], { env: { BRANDWATCH_NOW: '2026-11-20T08:00:00Z' } });
  expect(poll.code, poll.stderr).toBe(0);
  return { dir, db, config };
}

describe('the start-up bundle', () => {
  it('declares each error class once, in errors.cjs, and the bundles require it from there', () => {
    expect(files().sort()).toEqual(['commands.cjs', 'errors.cjs', 'start.cjs']);
    for (const name of ERROR_CLASSES) {
      const declaring = files().filter((file) => new RegExp(`class ${name}\\b|\\b${name} = class\\b`).test(read(file)));
      expect(declaring, name).toEqual(['errors.cjs']);
    }
    for (const file of ['start.cjs', 'commands.cjs']) expect(read(file), file).toMatch(/require\(["']\.\/errors\.cjs["']\)/);
  });

  it('starts without any command: they, the database driver and the config schema load when a command runs', () => {
    const entry = read('start.cjs');
    expect(entry).toMatch(/require\(["']\.\/commands\.cjs["']\)/);
    expect(entry).not.toMatch(/better-sqlite3|zod|chalk/);
    // In commands.cjs a package is required where the module using it is first evaluated, not at load.
    const commands = read('commands.cjs');
    for (const name of ['better-sqlite3', 'zod', 'pg', 'twitter-api-v2', 'masto', '@atproto/api']) {
      const lines = commands.split('\n').filter((line) => line.includes(`require("${name}")`));
      expect(lines.length, name).toBeGreaterThan(0);
      for (const line of lines) expect(line, name).toMatch(/^\s+/);
    }
  });

  it('--help → 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Usage: brandwatch/);
  });

  it('UsageError → 2', async () => {
    const result = await runCli(['list', '--limit', 'zero']);
    expect(result.code, result.stderr).toBe(2);
  });

  it('ConfigError → 2', async () => {
    const dir = tempDir();
    const result = await runCli(['--config', join(dir, 'missing.yml'), 'list']);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/missing\.yml/);
  });

  it('StoreError → 1', async () => {
    const dir = tempDir();
    const db = join(dir, 'notes.db');
    writeFileSync(db, 'these are my notes, not a database\n'.repeat(200));
    const config = writeConfig(dir, configText({ sources: [{ platform: 'sample', start: '2026-11-20T06:00:00Z', ratePerHour: 1 }] }));
    const result = await runCli(['--config', config, '--db', db, 'list']);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/not a SQLite database/);
  });

  it('TemporaryError → 75 (the poll lock is held)', async () => {
    const dir = tempDir();
    const db = join(dir, 'brandwatch.db');
    const config = writeConfig(dir, configText({ sources: [{ platform: 'sample', start: '2026-11-20T06:00:00Z', ratePerHour: 1 }] }));
    expect((await runCli(['--config', config, '--db', db, 'poll'], { env: { BRANDWATCH_NOW: '2026-11-20T08:00:00Z' } })).code).toBe(0);
    const holder = new Database(`${db}.poll-lock`);
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const result = await runCli(['--config', config, '--db', db, 'poll'], { env: { BRANDWATCH_NOW: '2026-11-20T08:05:00Z' } });
      expect(result.code, result.stderr).toBe(75);
    } finally {
      holder.close();
    }
  });

  it('PartialFailure → 3 (one source of two failed)', async () => {
    const dir = tempDir();
    const config = writeConfig(
      dir,
      configText({
        sources: [{ platform: 'sample', start: '2026-11-20T06:00:00Z', ratePerHour: 1 }, sourceBlock('rss', { url: 'http://127.0.0.1:9/feed.xml' })],
      }),
    );
    const result = await runCli(['--config', config, '--db', join(dir, 'brandwatch.db'), 'poll'], { env: { BRANDWATCH_NOW: '2026-11-20T08:00:00Z' } });
    expect(result.code, result.stderr).toBe(3);
  });

  it('list and show work from the bundle, with their errors\' exit codes', async () => {
    const { db, config } = await polledStore();
    const list = await runCli(['--config', config, '--db', db, 'list', '--status', 'all'], { env: { BRANDWATCH_NOW: '2026-11-20T08:00:00Z' } });
    expect(list.code, list.stderr).toBe(0);
    const id = list.stdout.split('\n')[0]!.split('\t')[0]!;
    expect(id).toMatch(/^\d+$/);
    const show = await runCli(['--config', config, '--db', db, 'show', id], { env: { BRANDWATCH_NOW: '2026-11-20T08:00:00Z' } });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(new RegExp(`^#${id} sample`));
    expect(show.stdout).toMatch(/Priority \d+/);

    // UsageError from the command module, from the context, and ConfigError from the config loader.
    expect((await runCli(['--db', db, 'show', 'abc'])).code).toBe(2);
    const absent = await runCli(['--db', db, 'show', '999999']);
    expect(absent.code, absent.stderr).toBe(2);
    expect(absent.stderr).toMatch(/no mention has id 999999/);
    expect((await runCli(['--db', join(tempDir(), 'none.db'), 'list'])).code).toBe(2);
    writeFileSync(config, 'brand: [not, a, name]\n');
    const broken = await runCli(['--config', config, '--db', db, 'show', id]);
    expect(broken.code, broken.stderr).toBe(2);
    // StoreError (1) from show as from list.
    const notes = join(tempDir(), 'notes.db');
    writeFileSync(notes, 'these are my notes, not a database\n'.repeat(200));
    const store = await runCli(['--db', notes, 'show', '1']);
    expect(store.code, store.stderr).toBe(1);
    expect(store.stderr).toMatch(/not a SQLite database/);
  });

  it('keeps the compiled code of the commands in the cache folder, and a damaged cache changes nothing', async () => {
    const { db } = await polledStore();
    const home = tempDir();
    const env = { HOME: home, BRANDWATCH_NOW: '2026-11-20T08:00:00Z' };
    const folder = join(home, '.cache', 'brandwatch', 'code');
    const first = await runCli(['--db', db, 'list', '--status', 'all'], { env });
    expect(first.code, first.stderr).toBe(0);
    const [cache] = readdirSync(folder);
    expect(cache).toMatch(/^commands\.cjs-[0-9a-f]{24}-v\d+\.\d+\.\d+-\w+\.bin$/);
    const second = await runCli(['--db', db, 'list', '--status', 'all'], { env });
    expect(second).toEqual(first);
    expect((await runCli(['--db', db, 'show', 'abc'], { env })).code).toBe(2);

    writeFileSync(join(folder, cache!), Buffer.alloc(250_000, 7));
    const damaged = await runCli(['--db', db, 'list', '--status', 'all'], { env });
    expect(damaged).toEqual(first);
    expect(readFileSync(join(folder, cache!)).subarray(0, 64).equals(Buffer.alloc(64, 7))).toBe(false);
    expect(readdirSync(folder)).toEqual([cache]);
  });

  it('uses the installed better-sqlite3 (not the bundled copy of its script) when it is another version', async () => {
    const { db } = await polledStore();
    const root = resolve(import.meta.dirname, '../..');
    // The package as installed next to a better-sqlite3 of another version: the bundle resolves packages from its own folder.
    const pkg = tempDir('brandwatch-sqlite-');
    cpSync(join(root, 'bin'), join(pkg, 'bin'), { recursive: true });
    cpSync(join(root, 'dist', 'start'), join(pkg, 'dist', 'start'), { recursive: true });
    cpSync(join(root, 'package.json'), join(pkg, 'package.json'));
    mkdirSync(join(pkg, 'data'));
    symlinkSync(join(root, 'data', 'model'), join(pkg, 'data', 'model'));
    const modules = join(pkg, 'node_modules');
    mkdirSync(modules);
    for (const name of readdirSync(join(root, 'node_modules'))) {
      if (name !== 'better-sqlite3' && !name.startsWith('.')) symlinkSync(join(root, 'node_modules', name), join(modules, name));
    }
    const sqlite = join(modules, 'better-sqlite3');
    mkdirSync(sqlite);
    symlinkSync(join(root, 'node_modules', 'better-sqlite3', 'build'), join(sqlite, 'build'));
    cpSync(join(root, 'node_modules', 'better-sqlite3', 'lib'), join(sqlite, 'lib'), { recursive: true });
    const manifest = JSON.parse(readFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')) as { version: string };
    const mark = join(pkg, 'installed-script-ran');
    writeFileSync(join(sqlite, 'lib', 'index.js'), `${readFileSync(join(sqlite, 'lib', 'index.js'), 'utf8')}\nrequire('fs').writeFileSync(${JSON.stringify(mark)}, 'yes');\n`);
    const run = (bin: string) => spawnSync(process.execPath, [bin, '--db', db, 'list', '--status', 'all'], { env: cliEnv({ BRANDWATCH_NOW: '2026-11-20T08:00:00Z' }), encoding: 'utf8' });
    // The version bundled: the bundled script runs, the installed one is never loaded.
    writeFileSync(join(sqlite, 'package.json'), JSON.stringify(manifest));
    const bundled = run(join(pkg, 'bin', 'brandwatch.js'));
    expect(bundled.status, bundled.stderr).toBe(0);
    expect(existsSync(mark)).toBe(false);
    writeFileSync(join(sqlite, 'package.json'), JSON.stringify({ ...manifest, version: `${manifest.version}-other` }));
    const installed = run(join(pkg, 'bin', 'brandwatch.js'));
    expect(installed.status, installed.stderr).toBe(0);
    expect(existsSync(mark)).toBe(true);
    expect(installed.stdout).toBe(bundled.stdout);
    expect(installed.stdout).toBe(run(join(root, 'bin', 'brandwatch.js')).stdout);
  });
});

