import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteAddon } from '../../src/store/sqlite-addon.js';

describe('the SQLite addon', () => {
  it('is named by the path installs put it at, and opens a database', () => {
    const options = sqliteAddon();
    expect(options.nativeBinding).toMatch(/better-sqlite3\/build\/Release\/better_sqlite3\.node$/);
    expect(existsSync(options.nativeBinding!)).toBe(true);
    const db = new Database(':memory:', options);
    expect(db.prepare('SELECT 1 AS one').get()).toEqual({ one: 1 });
    db.close();
  });
});
