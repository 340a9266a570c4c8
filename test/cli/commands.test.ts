import { beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { configText } from '../helpers/config.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess, scriptedPrompter, type InProcessOptions } from '../helpers/run.js';
import { exitCodeFor } from '../../src/cli/main.js';
import { ConfigError, PartialFailure, RuntimeFailure, StoreError, TemporaryError, UsageError } from '../../src/errors.js';

/** A fixed clock: the sample platform's fortnight ends here. */
const NOW = Date.parse('2026-11-20T12:00:00Z');
const START = '2026-11-06T12:00:00Z';

let dir: string;
const run = (args: string[], options: InProcessOptions = {}) =>
  runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { now: NOW, ...options });

function rows<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = tempDir();
  writeFileSync(
    join(dir, 'config.yml'),
    configText({
      brand: 'Fernhill',
      keywords: ['fernhill', '@fernhill_help'],
      ownAccounts: { sample: 'fernhill_help' },
      sources: [{ platform: 'sample', start: START, ratePerHour: 2 }],
      extra: 'sla:\n  sample: 1h\n  default: 24h\ntemplates:\n  thanks: "Thank you @{author}!"',
    }),
    { mode: 0o600 },
  );
});

describe('commands in-process on the real context', () => {
  it('poll stores the sample fortnight at the fixed clock; a second poll finds nothing new', async () => {
    const first = await run(['poll', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as { new: number; outcome: string };
    expect(report.outcome).toBe('ok');
    expect(report.new).toBeGreaterThan(100);
    expect(rows<{ n: number }>('SELECT count(*) AS n FROM mentions')[0]!.n).toBe(report.new);
    // Nothing is fetched after the fixed clock, whatever the machine's time.
    expect(rows<{ newest: number }>('SELECT max(created_at) AS newest FROM mentions')[0]!.newest).toBeLessThanOrEqual(NOW);
    const second = await run(['poll', '--json']);
    expect(JSON.parse(second.stdout).new).toBe(0);
  });

  it('list is a table on a terminal and tab-separated with RFC 3339 times when piped', async () => {
    await run(['poll', '-q']);
    const tty = await run(['list', '--limit', '3'], { tty: true, columns: 120 });
    expect(tty.code, tty.stderr).toBe(0);
    const piped = await run(['list', '--limit', '3']);
    expect(piped.code).toBe(0);
    const lines = piped.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(piped.stdout).toMatch(/\t/);
    expect(piped.stdout).toMatch(/2026-11-\d\dT\d\d:\d\d/);
    expect(tty.stdout).not.toEqual(piped.stdout);
  });

  it('mark then show: the history names the actor and the fixed time', async () => {
    await run(['poll', '-q']);
    const id = rows<{ id: number }>("SELECT id FROM mentions WHERE status = 'new' ORDER BY id LIMIT 1")[0]!.id;
    const marked = await run(['mark', String(id), 'resolved', '--note', 'sorted by phone'], { env: { BRANDWATCH_ACTOR: 'dana' } });
    expect(marked.code, marked.stderr).toBe(0);
    const shown = await run(['show', String(id), '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const body = JSON.parse(shown.stdout) as { status: string; history: { actor: string; at: string }[] };
    expect(body.status).toBe('resolved');
    expect(JSON.stringify(body.history)).toMatch(/dana/);
    expect(JSON.stringify(body.history)).toMatch(/2026-11-20T12:00:00/);
  });

  it('triage driven by keystrokes: reply to the most urgent item, then quit', async () => {
    await run(['poll', '-q']);
    const before = rows<{ n: number }>("SELECT count(*) AS n FROM responses WHERE via = 'brandwatch'")[0]!.n;
    const prompter = scriptedPrompter(['r', 'Sorry about that, we are on it.', 'y', 'q']);
    const result = await run(['triage'], { tty: true, columns: 100, prompter });
    expect(result.code, result.stderr).toBe(0);
    expect(prompter.asked[0]).toBe('Action:');
    const sent = rows<{ text: string; sent_at: number; state: string }>("SELECT text, sent_at, state FROM responses WHERE via = 'brandwatch' ORDER BY id");
    expect(sent).toHaveLength(before + 1);
    expect(sent.at(-1)).toMatchObject({ text: 'Sorry about that, we are on it.', state: 'sent', sent_at: NOW });
  });

  it('triage refuses to run without a terminal (exit 2)', async () => {
    const result = await run(['triage']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs a terminal/);
  });

  it('reply --open hands the web link to the injected browser opener', async () => {
    await run(['poll', '-q']);
    const id = rows<{ id: number }>("SELECT id FROM mentions WHERE status = 'new' ORDER BY id LIMIT 1")[0]!.id;
    const opened: string[] = [];
    const dry = await run(['reply', String(id), '--template', 'thanks', '--dry-run', '--json'], { opened });
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout).text).toMatch(/^Thank you @/);
    expect(opened).toEqual([]);
  });

  it('a config error is exit 2 with one line; a missing mention id is exit 2', async () => {
    writeFileSync(join(dir, 'config.yml'), 'brand: Acme\nkeywords: [acme\n');
    const bad = await run(['poll']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stdout).toBe('');
  });

  it('ids beyond the safe integer range are refused as such', async () => {
    await run(['poll', '-q']);
    const result = await run(['reply', '99999999999999999999999', '--text', 'hi']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/larger than any mention id/);
    expect(result.stderr).not.toMatch(/e\+23/);
  });
});

describe('exit codes', () => {
  const cases: [unknown, number][] = [
    [new UsageError('x'), 2],
    [new ConfigError('x'), 2],
    [new TemporaryError('x'), 75],
    [new PartialFailure('x'), 3],
    [new RuntimeFailure('x'), 1],
    [new StoreError('x'), 1],
    [new Error('x'), 1],
    ['not even an error', 1],
  ];
  it.each(cases)('%s → %i', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });
});
