/**
 * The built CLI starts from one bundled module (dist/cli/start.js). Its exit codes rest on `instanceof`
 * against the error classes, so the bundle must share the one copy of `errors.js` with the command modules:
 * each class is checked here to reach its exit code through the built CLI.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { runCli, tempDir, writeConfig } from '../helpers/cli.js';
import { configText, sourceBlock } from '../helpers/config.js';

const START = resolve(import.meta.dirname, '../../dist/cli/start.js');

describe('the start-up bundle', () => {
  it('imports the error classes instead of carrying a copy, and loads commands only when they run', () => {
    const bundle = readFileSync(START, 'utf8');
    expect(bundle).not.toMatch(/class (UsageError|ConfigError|TemporaryError|PartialFailure|StoreError|RuntimeFailure)\b/);
    expect(bundle).toMatch(/from ["']\.\.\/errors\.js["']/);
    expect(bundle).toMatch(/import\(["']\.\/commands\/list\.js["']\)/);
    expect(bundle).not.toMatch(/better-sqlite3/);
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
});
