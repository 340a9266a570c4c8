import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { lstatSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { FakeServer } from '../fakes/server.js';
import { configText } from '../helpers/config.js';
import { BIN, cliEnv, tempDir } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run.js';
import { toJson } from '../../src/io/json.js';
import { sanitizeText } from '../../src/io/sanitize.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const SAMPLE = { platform: 'sample', start: '2026-11-06T12:00:00Z', ratePerHour: 2 };

function sampleDir(): string {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.yml'), configText({ brand: 'Fernhill', keywords: ['fernhill', '@fernhill_help'], ownAccounts: { sample: 'fernhill_help' }, sources: [SAMPLE] }), { mode: 0o600 });
  return dir;
}
const inDir = (dir: string, args: string[]) => ['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args];

/** Run the built CLI with its stdout going to a shell redirection or pipe. */
function shell(command: string): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn('/bin/bash', ['-c', `set -o pipefail; ${command}`], { env: { ...cliEnv(), BW: `${process.execPath} ${BIN}` } });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('output that cannot be written', () => {
  it('ends quietly with exit 0 when the reader goes away (| head), on every output path', async () => {
    const dir = sampleDir();
    expect((await runInProcess(inDir(dir, ['poll', '-q']), { now: NOW })).code).toBe(0);
    const base = `$BW --config ${dir}/config.yml --db ${dir}/bw.db`;
    // Independent pipelines (the demo writes to its own folder), run side by side.
    const commands = ['list --status all --limit 200', 'list --status all --json', 'export --since 30d', 'report --since 30d', `demo --dir ${dir}/demo`];
    const results = await Promise.all(commands.map((command) => shell(`${base} ${command} | head -1`)));
    for (const [i, command] of commands.entries()) {
      expect(results[i]!.stderr, command).not.toMatch(/EPIPE|at .*\.js:\d+/);
      expect(results[i]!.code, command).toBe(0);
    }
  });

  it('exits 1 with one line when the output goes to a full disk', async () => {
    const dir = sampleDir();
    await runInProcess(inDir(dir, ['poll', '-q']), { now: NOW });
    const base = `$BW --config ${dir}/config.yml --db ${dir}/bw.db`;
    const commands = ['list --status all', 'report --since 30d', 'export --since 30d'];
    const results = await Promise.all(commands.map((command) => shell(`${base} ${command} > /dev/full`)));
    for (const [i, command] of commands.entries()) {
      expect(results[i]!.code, command).toBe(1);
      expect(results[i]!.stderr.trim().split('\n').at(-1), command).toMatch(/cannot write the output \(ENOSPC\)/);
    }
    const out = await shell(`${base} export --since 30d --out /dev/full`);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/writing \/dev\/full failed \(ENOSPC\)/);
    expect(lstatSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});

describe('export --out', () => {
  it('writes through a symlink to the file it names, keeping the link', async () => {
    const dir = sampleDir();
    await runInProcess(inDir(dir, ['poll', '-q']), { now: NOW });
    writeFileSync(join(dir, 'real.csv'), 'old\n');
    symlinkSync(join(dir, 'real.csv'), join(dir, 'link.csv'));
    const result = await runInProcess(inDir(dir, ['export', '--since', '30d', '--out', join(dir, 'link.csv')]), { now: NOW });
    expect(result.code, result.stderr).toBe(0);
    expect(lstatSync(join(dir, 'link.csv')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'real.csv'), 'utf8')).toMatch(/^id,|^"?id"?,/);
  });

  it('sanitises CSV printed to a terminal', async () => {
    const dir = sampleDir();
    await runInProcess(inDir(dir, ['poll', '-q']), { now: NOW });
    const db = new Database(join(dir, 'bw.db'));
    db.prepare("UPDATE mentions SET text = ? WHERE id = (SELECT min(id) FROM mentions)").run('fernhill \x1b]52;c;ZXZpbA==\x07 pwned \x1b[2J');
    db.close();
    const tty = await runInProcess(inDir(dir, ['export', '--since', '30d']), { now: NOW, tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout).not.toMatch(/\x1b/);
    const piped = await runInProcess(inDir(dir, ['export', '--since', '30d']), { now: NOW });
    expect(piped.stdout).toMatch(/\x1b\]52/); // a file gets the data as stored; spreadsheets never execute escapes
  });
});

describe('JSON and text for the terminal', () => {
  it('escapes C1 controls, bidi overrides and direction marks in JSON; the parsed value is unchanged', () => {
    const text = 'a\u009b31mb\u009dc\u202ed\u200fe\u061cf\u2066g';
    const json = toJson({ text });
    expect(json).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u200e\u200f\u061c\u2066-\u2069]/);
    expect(json).toContain('\\u009b');
    expect(JSON.parse(json)).toEqual({ text });
  });

  it('strips RLM, LRM and ALM from text', () => {
    expect(sanitizeText('a\u200fb\u200ec\u061cd')).toBe('abcd');
  });

  it('list --json and show --json carry no raw C1 control or bidi override from a post', async () => {
    const dir = sampleDir();
    await runInProcess(inDir(dir, ['poll', '-q']), { now: NOW });
    const db = new Database(join(dir, 'bw.db'));
    const id = (db.prepare('SELECT min(id) AS id FROM mentions').get() as { id: number }).id;
    db.prepare('UPDATE mentions SET text = ? WHERE id = ?').run('fernhill \u009b2J \u009d0;title\u009c \u202eevil', id);
    db.close();
    for (const args of [['list', '--status', 'all', '--json'], ['show', String(id), '--json']]) {
      const result = await runInProcess(inDir(dir, args), { now: NOW, tty: true });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toMatch(/[\u0080-\u009f\u202a-\u202e]/);
    }
  });

  it('show prints a hostile actor name harmlessly', async () => {
    const dir = sampleDir();
    await runInProcess(inDir(dir, ['poll', '-q']), { now: NOW });
    const id = String((new Database(join(dir, 'bw.db'), { readonly: true }).prepare('SELECT min(id) AS id FROM mentions').get() as { id: number }).id);
    await runInProcess(inDir(dir, ['mark', id, 'resolved']), { now: NOW, env: { BRANDWATCH_ACTOR: 'eve\x1b]52;c;ZXZpbA==\x07' } });
    const shown = await runInProcess(inDir(dir, ['show', id]), { now: NOW, tty: true });
    expect(shown.stdout).toMatch(/\(eve\)/);
    expect(shown.stdout).not.toMatch(/\x1b/);
  });
});

describe('secrets', () => {
  let server: FakeServer | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
  });

  it('a server that echoes the Authorization header never gets the token printed, in text or --json', async () => {
    const token = 'mastodon-secret-token-4f9a';
    server = new FakeServer(false);
    server.route('GET', /.*/, (request) => ({ status: 401, body: { error: `invalid token: ${String(request.headers.authorization)}` } }));
    await server.start();
    const dir = tempDir();
    writeFileSync(
      join(dir, 'config.yml'),
      configText({ sources: [{ platform: 'mastodon', instanceUrl: server.url, accessTokenEnv: 'MASTODON_TOKEN' }] }),
      { mode: 0o600 },
    );
    const env = { MASTODON_TOKEN: token };
    for (const args of [['poll'], ['poll', '--json'], ['-v', 'poll'], ['doctor', '--json'], ['doctor']]) {
      const result = await runInProcess(inDir(dir, args), { now: NOW, env });
      expect(`${result.stdout}${result.stderr}`, args.join(' ')).not.toContain(token);
      expect(`${result.stdout}${result.stderr}`, args.join(' ')).not.toContain(encodeURIComponent(token));
    }
    expect(server.requests.length).toBeGreaterThan(0);
    expect(String(server.requests[0]!.headers.authorization)).toContain(token);
  });
});
