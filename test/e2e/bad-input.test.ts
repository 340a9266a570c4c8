/**
 * The bad-input catalogue: each row is hostile or broken input to the built CLI, with the exit code and
 * the one-line message it must produce — and a check that nothing stored (config, database) changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, cliEnv, runCli, tempDir, type CliResult } from '../helpers/cli.js';

const NOW = '2026-11-22T09:00:00Z';
const TOKEN = 'AAAAAAAAAAAAAAAAAAAAAbadinput%2Fsecret%3Dtoken';

/** A valid config for the offline sample platform (no network), with extra top-level lines. */
function sampleConfig(extra: string[] = [], source: string[] = []): string {
  return [
    'brand: Fernhill',
    'timezone: Europe/London',
    'keywords: [fernhill, "@fernhill_help"]',
    'ownAccounts: { twitter: fernhill_help }',
    'sources:',
    '  - platform: sample',
    '    start: "2026-11-08T09:00:00Z"',
    ...source.map((line) => `    ${line}`),
    ...extra,
    '',
  ].join('\n');
}

interface Setup {
  dir: string;
  config: string;
  db: string;
}

interface Case {
  name: string;
  /** Breaks the standard setup (a valid config and a database holding mentions). */
  prepare?: (t: Setup) => void;
  args: (t: Setup) => string[];
  env?: Record<string, string>;
  code: number;
  stderr: RegExp;
  /** What stdout must hold; empty when not given and the command fails. */
  stdout?: RegExp;
  /** Why this row may legitimately change what is stored (otherwise nothing may change). */
  storeMayChange?: string;
  /** Run as an unprivileged user when the tests run as root (file permissions do not bind root). */
  unprivileged?: boolean;
}

const config = (text: string) => (t: Setup) => writeFileSync(t.config, text, { mode: 0o600 });
const poll = (t: Setup) => ['--config', t.config, '--db', t.db, 'poll'];
const list = (...extra: string[]) => (t: Setup) => ['--config', t.config, '--db', t.db, 'list', ...extra];

const CASES: Case[] = [
  // Config files.
  { name: 'YAML syntax error', prepare: config('brand: Acme\nkeywords: [acme\n'), args: poll, code: 2, stderr: /config\.yml:\d+: YAML syntax error/ },
  { name: 'empty config', prepare: config(''), args: poll, code: 2, stderr: /config\.yml: the config file is empty/ },
  { name: 'config is a list', prepare: config('- brand\n- keywords\n'), args: poll, code: 2, stderr: /config\.yml:1: the config must be a mapping of keys .*not a list/ },
  {
    name: 'config is binary garbage',
    prepare: (t) => writeFileSync(t.config, Buffer.from(Array.from({ length: 400 }, (_, i) => (i * 151 + 7) % 256)), { mode: 0o600 }),
    args: poll,
    code: 2,
    stderr: /config\.yml(:\d+)?: /,
  },
  {
    name: 'YAML alias bomb',
    prepare: config(['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`)].join('\n')),
    args: poll,
    code: 2,
    stderr: /config\.yml: the YAML cannot be read: Excessive alias count/,
  },
  { name: 'duplicate key', prepare: config(sampleConfig(['brand: Other'])), args: poll, code: 2, stderr: /config\.yml:\d+: YAML syntax error: Map keys must be unique/ },
  { name: 'unknown key', prepare: config(sampleConfig(['colour: blue'])), args: poll, code: 2, stderr: /config\.yml:8: colour: unknown key \(check its spelling/ },
  { name: 'wrong type', prepare: config(sampleConfig([], ['ratePerHour: lots'])), args: poll, code: 2, stderr: /config\.yml:8: sources\[0\]\.ratePerHour: must be a number \(it is text\)/ },
  { name: 'keywords not a list', prepare: config('brand: Acme\nkeywords: 5\nsources: [{platform: sample, start: "2026-11-08T09:00:00Z"}]\n'), args: poll, code: 2, stderr: /config\.yml:2: keywords: must be a list \(it is a number\)/ },
  { name: 'missing key', prepare: config('keywords: [acme]\nsources: [{platform: sample, start: "2026-11-08T09:00:00Z"}]\n'), args: poll, code: 2, stderr: /config\.yml:1: brand: is required/ },
  { name: 'unknown platform', prepare: config(sampleConfig().replace('platform: sample', 'platform: myspace')), args: poll, code: 2, stderr: /sources\[0\]\.platform: unknown platform \(use one of: twitter, sample/ },
  {
    name: 'a token written where its variable name belongs',
    prepare: config(sampleConfig(['  - platform: twitter', `    bearerTokenEnv: "${TOKEN}"`])),
    args: poll,
    code: 2,
    stderr: /sources\[1\]\.bearerTokenEnv: must be the NAME of an environment variable/,
  },
  { name: 'unknown time zone', prepare: config(sampleConfig().replace('Europe/London', 'Mars/Olympus_Mons')), args: poll, code: 2, stderr: /timezone: is not a known IANA time zone/ },
  { name: 'bad duration', prepare: config(sampleConfig(['sla: { twitter: soonish }'])), args: poll, code: 2, stderr: /sla\.twitter: "soonish" is not a duration/ },
  { name: 'negative budget', prepare: config(sampleConfig([], ['monthlyReadBudget: -5'])), args: poll, code: 2, stderr: /sources\[0\]\.monthlyReadBudget: Too small/ },
  { name: 'config is a folder', prepare: (t) => mkdirSync(join(t.dir, 'folder.yml')), args: (t) => ['--config', join(t.dir, 'folder.yml'), '--db', t.db, 'poll'], code: 2, stderr: /folder\.yml: not a regular file; pass --config <file>/ },
  { name: 'config missing', args: (t) => ['--config', join(t.dir, 'nope.yml'), '--db', t.db, 'poll'], code: 2, stderr: /nope\.yml: no config file here; create one with `brandwatch init`/ },
  {
    name: 'token variable not set',
    prepare: config(sampleConfig(['  - platform: twitter', '    bearerTokenEnv: BADINPUT_UNSET_TOKEN'])),
    args: poll,
    code: 2,
    stderr: /bearerTokenEnv: the environment variable BADINPUT_UNSET_TOKEN is not set/,
  },
  {
    name: 'keyword too long for any X query',
    prepare: config(sampleConfig(['  - platform: twitter', '    bearerTokenEnv: BADINPUT_TOKEN']).replace('keywords: [fernhill', `keywords: [${'x'.repeat(600)}, fernhill`)),
    env: { BADINPUT_TOKEN: TOKEN },
    args: poll,
    // A configuration error caught when the sources are built (issue 16), before any source polls.
    code: 2,
    stderr: /sources\.twitter: the keyword "x+" with its excludes makes a query longer than 512 characters; shorten it or raise queryLengthLimit/,
  },

  // Flags and arguments.
  { name: 'unknown command', args: () => ['frobnicate'], code: 2, stderr: /unknown command 'frobnicate'/ },
  { name: 'unknown option', args: (t) => [...list()(t), '--bogus'], code: 2, stderr: /unknown option '--bogus'/ },
  { name: '--limit 0', args: list('--limit', '0'), code: 2, stderr: /"0" is not a positive whole number/ },
  { name: '--limit 1e3', args: list('--limit', '1e3'), code: 2, stderr: /"1e3" is not a positive whole number/ },
  { name: '--status unknown', args: list('--status', 'new,done'), code: 2, stderr: /--status: "done" is not a status/ },
  { name: '--platform unknown', args: (t) => [...poll(t), '--platform', 'myspace'], code: 2, stderr: /no configured source is called "myspace" \(configured: sample\)/ },
  { name: 'show without id', args: (t) => ['--db', t.db, 'show'], code: 2, stderr: /missing required argument 'id'/ },
  { name: 'show a word', args: (t) => ['--db', t.db, 'show', 'first'], code: 2, stderr: /"first" is not a mention id/ },
  { name: 'show an id beyond 2^64', args: (t) => ['--db', t.db, 'show', '99999999999999999999999'], code: 2, stderr: /"99999999999999999999999" is larger than any mention id/ },
  { name: 'show id 0', args: (t) => ['--db', t.db, 'show', '0'], code: 2, stderr: /no mention has id 0/ },
  { name: 'init without --brand, no terminal', args: (t) => ['--config', join(t.dir, 'new.yml'), 'init'], code: 2, stderr: /init needs --brand/ },
  { name: 'init over an existing config', args: (t) => ['--config', t.config, 'init', '--brand', 'Other'], code: 2, stderr: /already exists; pass --force/ },
  { name: 'demo --dir is a file', args: (t) => ['demo', '--dir', join(t.config, 'sub')], code: 2, stderr: /--dir: cannot create the folder .*config\.yml\/sub \(ENOTDIR\)/ },

  { name: 'watch --every 0s', args: (t) => ['--config', t.config, '--db', t.db, 'watch', '--every', '0s'], code: 2, stderr: /--every: "0s" is not a duration between 1s and 24h/ },
  { name: 'watch --every words', args: (t) => ['--config', t.config, '--db', t.db, 'watch', '--every', 'soon'], code: 2, stderr: /--every: "soon" is not a duration between 1s and 24h/ },
  { name: 'alerts --kind unknown', args: (t) => ['--config', t.config, '--db', t.db, 'alerts', '--kind', 'loud'], code: 2, stderr: /--kind: "loud" is not an alert kind/ },
  { name: 'alerts --since words', args: (t) => ['--config', t.config, '--db', t.db, 'alerts', '--since', 'yesterday'], code: 2, stderr: /--since: "yesterday" is not a date/ },
  { name: 'triage without a terminal', args: (t) => ['--config', t.config, '--db', t.db, 'triage'], code: 2, stderr: /triage is interactive and needs a terminal; in scripts use `brandwatch --config \S+ --db \S+ reply/ },

  // Replies and marks change nothing when any part is wrong.
  ...((): Case[] => {
    const run = (...extra: string[]) => (t: Setup) => ['--config', t.config, '--db', t.db, ...extra];
    return [
      { name: 'mark without a status', args: run('mark', '1'), code: 2, stderr: /give one or more mention ids and then a status/ },
      { name: 'mark to an unknown status', args: run('mark', '1', 'done'), code: 2, stderr: /"done" is not a status/ },
      { name: 'mark with an unknown category', args: run('mark', '1', 'resolved', '--category', 'weird'), code: 2, stderr: /--category: "weird" is not a category/ },
      { name: 'mark with an empty note', args: run('mark', '1', 'resolved', '--note', ' '), code: 2, stderr: /--note is empty/ },
      { name: 'mark several, one missing: none changed', args: run('mark', '1', '2', '99999', 'resolved'), code: 2, stderr: /no mention has id 99999 .*; nothing was changed/ },
      { name: 'reply to a word', args: run('reply', 'abc', '--text', 'hi'), code: 2, stderr: /"abc" is not a mention id/ },
      { name: 'reply to a missing id', args: run('reply', '99999', '--text', 'hi'), code: 2, stderr: /no mention has id 99999/ },
      { name: 'reply without text', args: run('reply', '1'), code: 2, stderr: /give the reply as --text "…" or --template <name> \(one of them\)/ },
      { name: 'reply with text and template', args: run('reply', '1', '--text', 'hi', '--template', 'x'), code: 2, stderr: /give the reply as --text "…" or --template <name> \(one of them\)/ },
      { name: 'reply with an empty text', args: run('reply', '1', '--text', ''), code: 2, stderr: /--text is empty/ },
      { name: 'reply with an unknown template', args: run('reply', '1', '--template', 'nope'), code: 2, stderr: /no template is called "nope"/ },
      { name: 'reply too long', args: run('reply', '1', '--text', 'x'.repeat(600)), code: 2, stderr: /the reply is 600 characters by sample's count; the limit is 500 — shorten it by 100/ },
      {
        name: 'reply --dry-run with escapes in the text',
        args: run('reply', '1', '--dry-run', '--text', 'sorry \x1b]52;c;cm0gLXJm\x07 \x1b[2J'),
        code: 0,
        stdout: /^(?![\s\S]*[\x1b\x07])[\s\S]*sorry/,
        stderr: /^[^\x1b\x07]*$/,
      },
      { name: 'post an empty text', args: run('post', ''), code: 2, stderr: /the post text is empty/ },
    ];
  })(),

  // Dates.
  { name: '--since 30 February', args: list('--since', '2026-02-30'), code: 2, stderr: /--since: "2026-02-30" is not a date/ },
  { name: '--since hour 24', args: list('--since', '2026-11-16T24:30'), code: 2, stderr: /--since: "2026-11-16T24:30" is not a date/ },
  { name: '--since empty', args: list('--since', ''), code: 2, stderr: /--since: "" is not a date/ },
  { name: '--since words', args: list('--since', 'last tuesday'), code: 2, stderr: /--since: "last tuesday" is not a date/ },
  { name: '--since a week', args: list('--since', '2026-W47'), code: 2, stderr: /--since: "2026-W47" is not a date/ },

  // Weeks and periods, for every command that takes them.
  ...['report', 'export'].flatMap((command): Case[] => {
    const run = (...extra: string[]) => (t: Setup) => ['--config', t.config, '--db', t.db, command, ...extra];
    return [
      { name: `${command} --week 2026-W54`, args: run('--week', '2026-W54'), code: 2, stderr: /--week: "2026-W54" is not a week \(use an ISO week like 2026-W47, or last, or this\)/ },
      { name: `${command} --week 2025-W53 (a 52-week year)`, args: run('--week', '2025-W53'), code: 2, stderr: /--week: "2025-W53" is not a week/ },
      { name: `${command} --week 2026-W00`, args: run('--week', '2026-W00'), code: 2, stderr: /--week: "2026-W00" is not a week/ },
      { name: `${command} --week 47`, args: run('--week', '47'), code: 2, stderr: /--week: "47" is not a week/ },
      { name: `${command} --week with --since`, args: run('--week', 'last', '--since', '7d'), code: 2, stderr: /--week cannot be combined with --since\/--until/ },
      { name: `${command} --until alone`, args: run('--until', '2026-11-01'), code: 2, stderr: /--until needs --since/ },
      { name: `${command} period backwards`, args: run('--since', '2026-11-20', '--until', '2026-11-10'), code: 2, stderr: /--until must be after --since/ },
      { name: `${command} --since 13th month`, args: run('--since', '2026-13-01'), code: 2, stderr: /--since: "2026-13-01" is not a date/ },
      { name: `${command} --out in a missing folder`, args: run('--out', '/nonexistent-brandwatch/out.file'), code: 2, stderr: /--out: cannot write \/nonexistent-brandwatch\/out\.file \(ENOENT\)/ },
    ];
  }),
  { name: 'report --by unknown', args: (t) => ['--config', t.config, '--db', t.db, 'report', '--by', 'colour'], code: 2, stderr: /--by: "colour" is not a grouping \(use platform, keyword, category, day, person\)/ },
  { name: 'report --format unknown', args: (t) => ['--config', t.config, '--db', t.db, 'report', '--format', 'pdf'], code: 2, stderr: /--format: "pdf" is not a format \(use table, json, html\)/ },
  { name: 'export --what unknown', args: (t) => ['--config', t.config, '--db', t.db, 'export', '--what', 'everything'], code: 2, stderr: /--what: "everything" is not an export \(use mentions or summary\)/ },

  // Databases.
  { name: 'database is not SQLite', prepare: (t) => writeFileSync(t.db, 'name,handle\nacme,@acme\n'.repeat(200)), args: list(), code: 1, stderr: /bw\.db: this file is not a SQLite database/ },
  {
    name: 'database from a newer brandwatch',
    prepare: (t) => {
      const db = new Database(t.db);
      db.pragma('user_version = 999');
      db.close();
    },
    args: poll,
    code: 1,
    stderr: /bw\.db: the database was written by a newer brandwatch \(schema 999, this version knows \d+\); upgrade brandwatch — the file was left untouched/,
  },
  { name: 'report on a database that is not SQLite', prepare: (t) => writeFileSync(t.db, 'SQLite format 2\0'.repeat(300)), args: (t) => ['--config', t.config, '--db', t.db, 'report'], code: 1, stderr: /bw\.db: this file is not a SQLite database/ },
  // doctor reports a checklist on stdout (exit 1 on any problem) rather than one line.
  { name: 'doctor on a database that is not SQLite', prepare: (t) => writeFileSync(t.db, 'not a database\n'.repeat(100)), args: (t) => ['--config', t.config, '--db', t.db, 'doctor'], code: 1, stderr: /^$/, stdout: /FAIL database +openable: .*bw\.db: file is not a database\n +fix: point --db at a brandwatch database/ },
  {
    name: 'doctor on a database from a newer brandwatch',
    prepare: (t) => {
      const db = new Database(t.db);
      db.pragma('user_version = 999');
      db.close();
    },
    args: (t) => ['--config', t.config, '--db', t.db, 'doctor'],
    code: 1,
    stderr: /^$/,
    stdout: /FAIL database +schema: .*bw\.db: schema 999 was written by a newer brandwatch \(this one knows \d+\)/,
  },
  { name: 'database path is a folder', args: (t) => ['--db', t.dir, 'list'], code: 1, stderr: /cannot open the database/ },
  { name: 'database folder is a file', args: (t) => ['--db', join(t.config, 'bw.db'), 'list'], code: 2, stderr: /config\.yml is a file, not a folder; fix --db/ },
  { name: 'database folder missing', args: (t) => ['--db', join(t.dir, 'no', 'such', 'bw.db'), 'list'], code: 2, stderr: /the folder .*no\/such does not exist; fix --db/ },
  { name: 'database missing for a reading command', args: (t) => ['--db', join(t.dir, 'typo.db'), 'list'], code: 2, stderr: /typo\.db: no database here yet; run `brandwatch --db \S+typo\.db poll` first/ },
  { name: 'named config missing for list', args: (t) => ['--config', join(t.dir, 'typo.yml'), 'list'], code: 2, stderr: /typo\.yml: no config file here/ },
  { name: 'named config missing for alerts', args: (t) => ['--config', join(t.dir, 'typo.yml'), 'alerts'], code: 2, stderr: /typo\.yml: no config file here/ },
  { name: 'named config missing for show', args: (t) => ['--config', join(t.dir, 'typo.yml'), 'show', '1'], code: 2, stderr: /typo\.yml: no config file here/ },
  {
    name: 'damaged database',
    prepare: (t) => {
      const bytes = readFileSync(t.db);
      for (let i = 8192; i < bytes.length; i++) bytes[i] = (i * 7) & 255;
      writeFileSync(t.db, bytes);
    },
    args: list('--status', 'all'),
    code: 1,
    stderr: /bw\.db: the database is damaged \(database disk image is malformed\); restore it from a backup/,
  },
  {
    name: 'read-only database: list still reads',
    prepare: (t) => chmodSync(t.db, 0o444),
    args: list('--status', 'all', '--limit', '1'),
    unprivileged: true,
    code: 0,
    stderr: /^(warning: .*readable by other users.*\n)?$/,
  },
  {
    name: 'read-only database: poll stops',
    prepare: (t) => chmodSync(t.db, 0o444),
    args: poll,
    env: { BRANDWATCH_NOW: '2026-12-20T09:00:00Z' },
    unprivileged: true,
    code: 1,
    stderr: /bw\.db: the database is read-only; check the file's and its folder's permissions/,
  },
];

/** Files whose bytes must not change: the config and the database (WAL side files aside). */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(dir)) {
    if (/-(wal|shm)$|\.poll-lock$/.test(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isFile()) files.set(name, createHash('sha256').update(readFileSync(path)).digest('hex'));
  }
  return files;
}

const UNPRIVILEGED = 65534;
const asRoot = process.getuid?.() === 0;

/** Run the CLI as another user (root ignores file permissions). */
function runAs(uid: number, args: string[], env: Record<string, string>, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cliEnv({ ...env, HOME: cwd }), cwd, uid, gid: uid, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

let template: string;

beforeAll(async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'config.yml'), sampleConfig(), { mode: 0o600 });
  template = join(dir, 'bw.db');
  const seeded = await runCli(['--config', join(dir, 'config.yml'), '--db', template, 'poll'], { env: { BRANDWATCH_NOW: NOW } });
  expect(seeded.code, seeded.stderr).toBe(0);
  // Fold the WAL into the file so a copy is the whole database.
  const db = new Database(template);
  db.pragma('journal_mode = DELETE');
  db.close();
});

function setup(): Setup {
  const dir = tempDir('brandwatch-bad-');
  const t = { dir, config: join(dir, 'config.yml'), db: join(dir, 'bw.db') };
  writeFileSync(t.config, sampleConfig(), { mode: 0o600 });
  copyFileSync(template, t.db);
  chmodSync(t.db, 0o600);
  // In WAL mode already, as brandwatch leaves it: reading must then leave the file's bytes alone.
  const db = new Database(t.db);
  db.pragma('journal_mode = WAL');
  db.close();
  return t;
}

/**
 * Whether the unprivileged user can run the built CLI from this checkout: not when the clone lives in a
 * folder only its owner can read (e.g. under `mktemp -d` as root); those cases are then skipped, saying why.
 */
const unprivilegedCanRun = asRoot && spawnSync(process.execPath, [BIN, '--version'], { uid: UNPRIVILEGED, gid: UNPRIVILEGED, stdio: 'ignore' }).status === 0;

describe.concurrent('bad-input catalogue', () => {
  it.for(CASES.map((c) => [c.name, c] as const))('%s', async ([, row], context) => {
    if (row.unprivileged && asRoot && !unprivilegedCanRun) {
      console.log(`skipped "${row.name}": the unprivileged user (uid ${UNPRIVILEGED}) cannot read this checkout; run the tests from a folder other users can read to include it`);
      return context.skip();
    }
    const t = setup();
    row.prepare?.(t);
    const before = snapshot(t.dir);
    const env = { BRANDWATCH_NOW: NOW, ...row.env };
    let result: CliResult;
    if (row.unprivileged && asRoot) {
      chmodSync(t.dir, 0o755);
      for (const name of readdirSync(t.dir)) chownSync(join(t.dir, name), UNPRIVILEGED, UNPRIVILEGED);
      chownSync(t.dir, UNPRIVILEGED, UNPRIVILEGED);
      result = await runAs(UNPRIVILEGED, row.args(t), env, t.dir);
    } else {
      result = await runCli(row.args(t), { env, cwd: t.dir });
    }
    expect(result.code, result.stderr).toBe(row.code);
    if (row.code !== 0 && !row.stdout) {
      // One line naming what to fix (after any warnings), no stack trace, nothing on stdout.
      const lines = result.stderr.trim().split('\n').filter((l) => !l.startsWith('warning:') && !l.startsWith('(run brandwatch --help'));
      expect(lines, result.stderr).toHaveLength(1);
    }
    if (row.stdout) expect(result.stdout).toMatch(row.stdout);
    else if (row.code !== 0) expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(row.stderr);
    expect(result.stderr).not.toMatch(/\n\s+at |SqliteError|ZodError/);
    expect(result.stderr + result.stdout).not.toContain(TOKEN);
    if (!row.storeMayChange) expect(snapshot(t.dir)).toEqual(before);
  });
});

/** A real full disk: a tiny tmpfs (needs root and mount; skipped where the machine does not allow it). */
function mountTinyDisk(dir: string, bytes: number): boolean {
  if (!asRoot) return false;
  mkdirSync(dir, { recursive: true });
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir]).status === 0;
}

describe('full disk', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const dir of mounts) spawnSync('umount', [dir]);
  });

  it('poll stops with one line naming the file, exit 1, and the stored mentions are intact', async (context) => {
    const t = setup();
    const disk = join(t.dir, 'disk');
    // Room for the database, its 32 KB shared-memory index and a little WAL: not for a month of mentions.
    const size = Math.ceil(statSync(template).size / 4096) * 4096 + 64 * 1024;
    if (!mountTinyDisk(disk, size)) return context.skip();
    mounts.push(disk);
    const db = join(disk, 'bw.db');
    copyFileSync(template, db);
    const count = () => {
      const handle = new Database(db, { readonly: true });
      try {
        return (handle.prepare('SELECT count(*) AS n, max(id) AS last FROM mentions').get() as { n: number; last: number });
      } finally {
        handle.close();
      }
    };
    const before = count();
    // Four more weeks of mentions do not fit.
    const result = await runCli(['--config', t.config, '--db', db, 'poll'], { env: { BRANDWATCH_NOW: '2026-12-20T09:00:00Z' } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim()).toBe(`brandwatch: ${db}: the disk is full; free some space and run the command again`);
    expect(existsSync(db)).toBe(true);
    expect(count()).toEqual(before);
    const listed = await runCli(['--db', db, 'list', '--status', 'all', '--limit', '1']);
    expect(listed.code, listed.stderr).toBe(0);
  });

  it('a disk too full to open the database: one line naming the file and what to check, exit 1', async (context) => {
    const t = setup();
    const disk = join(t.dir, 'disk');
    // Room for the database file alone: not for its 32 KB shared-memory index.
    if (!mountTinyDisk(disk, Math.ceil(statSync(t.db).size / 4096) * 4096 + 8192)) return context.skip();
    mounts.push(disk);
    const db = join(disk, 'bw.db');
    // The setup's copy is in WAL mode already, as brandwatch leaves a database.
    copyFileSync(t.db, db);
    const before = createHash('sha256').update(readFileSync(db)).digest('hex');
    const result = await runCli(['--config', t.config, '--db', db, 'poll'], { env: { BRANDWATCH_NOW: '2026-12-20T09:00:00Z' } });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr.trim()).toMatch(new RegExp(`^brandwatch: ${db}: the database could not be read or written \\(SQLITE_IOERR[A-Z_]*\\); check free disk space and the disk itself$`));
    expect(createHash('sha256').update(readFileSync(db)).digest('hex')).toBe(before);
  });
});
