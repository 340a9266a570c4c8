import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawnSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPLICATION_ID, migrate } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/open.js';
import { runInProcess } from '../helpers/run.js';
import { BIN, cliEnv, tempDir, writeConfig } from '../helpers/cli.js';
import { reportConfig, seedDatabase } from '../report/fixture.js';
import { engineOf } from '../helpers/engine.js';

const NOW = '2026-11-20T12:00:00Z';

function pragma(path: string, name: string): unknown {
  const db = new Database(path, { readonly: true });
  try {
    return db.pragma(name, { simple: true });
  } finally {
    db.close();
  }
}

/** Another application's SQLite file, with data of its own. */
function foreignDatabase(dir: string): string {
  const path = join(dir, 'notes.db');
  const db = new Database(path);
  db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('keep me')");
  db.pragma('user_version = 3');
  db.close();
  return path;
}

async function seeded(dir: string, options: { journal?: 'wal' | 'delete' } = {}): Promise<string> {
  const path = join(dir, 'bw.db');
  await seedDatabase(path, [{ platform: 'twitter', createdAt: '2026-11-18T09:00:00Z', text: 'acme is down' }]);
  const db = new Database(path);
  db.pragma(`journal_mode = ${options.journal ?? 'wal'}`);
  db.close();
  return path;
}

const sideFiles = (dir: string) => readdirSync(dir).filter((n) => /-(wal|shm|journal)$/.test(n));

describe('only our own databases', () => {
  it('a new database is marked with our application_id', async () => {
    const path = join(tempDir(), 'new.db');
    await (await openStore(path)).close();
    expect(pragma(path, 'application_id')).toBe(APPLICATION_ID);
  });

  it.each([
    ['list', ['list']],
    ['show', ['show', '1']],
    ['report', ['report']],
    ['mark', ['mark', '1', 'resolved']],
  ])("refuses another application's database, untouched, for %s", async (_name, args) => {
    const dir = tempDir();
    const path = foreignDatabase(dir);
    const config = writeConfig(dir, reportConfig());
    const before = readFileSync(path);
    const result = await runInProcess(['--config', config, '--db', path, ...args], { now: NOW });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/notes\.db: not a brandwatch database \(tables notes, user_version 3\); point --db at a brandwatch database — the file was left untouched/);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(sideFiles(dir)).toEqual([]);
  });

  it("refuses a poll on another application's database, untouched", async () => {
    const dir = tempDir();
    const path = foreignDatabase(dir);
    const config = writeConfig(dir, reportConfig());
    const before = readFileSync(path);
    const result = await runInProcess(['--config', config, '--db', path, 'poll'], { now: NOW, env: { TWITTER_BEARER_TOKEN: 'unused', FB_PAGE_TOKEN: 'unused' } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/not a brandwatch database/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('refuses a database another application marked with its own id', async () => {
    const path = join(tempDir(), 'other.db');
    const db = new Database(path);
    db.pragma('application_id = 42');
    db.exec('CREATE TABLE mentions (x)');
    db.close();
    const before = readFileSync(path);
    await expect(openStore(path)).rejects.toThrow(/not a brandwatch database \(application id 42\)/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('adopts and marks a brandwatch database from before the marker, keeping its data', async () => {
    const dir = tempDir();
    const path = await seeded(dir);
    const db = new Database(path);
    db.pragma('application_id = 0');
    db.close();
    // Reading commands leave it as it is, and still read it.
    const list = await runInProcess(['--db', path, 'list'], { now: NOW });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('acme is down');
    expect(pragma(path, 'application_id')).toBe(0);
    // The next command that writes marks it.
    const mark = await runInProcess(['--db', path, 'mark', '1', 'resolved'], { now: NOW });
    expect(mark.code, mark.stderr).toBe(0);
    expect(pragma(path, 'application_id')).toBe(APPLICATION_ID);
  });
});

describe('reading commands open the database read-only', () => {
  it.each([['list'], ['show', '1'], ['report', '--since', '7d'], ['export', '--since', '7d'], ['alerts']])(
    '%s leaves a rollback-journal database byte-identical: no WAL switch, no side files',
    async (...args) => {
      const dir = tempDir();
      const path = await seeded(dir, { journal: 'delete' });
      const config = writeConfig(dir, reportConfig());
      const before = readFileSync(path);
      const result = await runInProcess(['--config', config, '--db', path, ...args], { now: NOW });
      expect(result.code, result.stderr).toBe(0);
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(pragma(path, 'journal_mode')).toBe('delete');
      expect(sideFiles(dir)).toEqual([]);
    },
  );

  it('a database that needs a migration is not migrated by list: it says to run poll', async () => {
    const dir = tempDir();
    const path = join(dir, 'old.db');
    const db = new Database(path);
    await migrate(engineOf(db), path, 6);
    db.close();
    const before = readFileSync(path);
    const result = await runInProcess(['--db', path, 'list'], { now: NOW });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/old\.db: the database has schema 6 and this brandwatch reads schema \d+; run `brandwatch poll` once to upgrade it/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  // Root ignores file modes: as root the case runs as an unprivileged user, who must be able to read the checkout.
  const UNPRIVILEGED = 65534;
  const asRoot = process.getuid?.() === 0;
  const canRunUnprivileged = !asRoot || spawnSync(process.execPath, [BIN, '--version'], { uid: UNPRIVILEGED, gid: UNPRIVILEGED, stdio: 'ignore' }).status === 0;

  it('lists a read-only database (0444) in a read-only folder', async (context) => {
    if (!canRunUnprivileged) {
      console.log(`skipped "lists a read-only database": running as root and uid ${UNPRIVILEGED} cannot read this checkout, and file modes do not stop root`);
      return context.skip();
    }
    const dir = tempDir();
    const path = await seeded(dir, { journal: 'delete' });
    const before = readFileSync(path);
    chmodSync(path, 0o444);
    if (asRoot) {
      chownSync(path, UNPRIVILEGED, UNPRIVILEGED);
      chownSync(dir, 0, 0);
    }
    chmodSync(dir, 0o555);
    try {
      const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, '--db', path, 'list', '--status', 'all'], {
          env: cliEnv({ HOME: dir, BRANDWATCH_NOW: NOW }),
          cwd: dir,
          ...(asRoot ? { uid: UNPRIVILEGED, gid: UNPRIVILEGED } : {}),
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('acme is down');
      expect(readFileSync(path).equals(before)).toBe(true);
      expect(existsSync(`${path}-wal`)).toBe(false);
    } finally {
      chmodSync(dir, 0o755);
    }
  });
});

describe('doctor', () => {
  it("reports another application's database as not ours and leaves it untouched", async () => {
    const dir = tempDir();
    const path = foreignDatabase(dir);
    const before = readFileSync(path);
    const result = await runInProcess(['--db', path, 'doctor', '--json'], { now: NOW });
    const report = JSON.parse(result.stdout) as { checks: { area: string; name: string; status: string; detail: string }[] };
    expect(report.checks.find((c) => c.area === 'database' && c.name === 'openable')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/not a brandwatch database/),
    });
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
