/**
 * Tokens never appear in output, logs, errors, the database or exports: every command runs with
 * recognisable fake tokens, and everything it printed or wrote is scanned for them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { testCertificate } from '../fakes/tls.js';
import { runCli, tempDir, writeConfig, type CliResult } from '../helpers/cli.js';

const BEARER = 'BWSECRETbearer7Hq2ZkP9xL4mN8vR';
const USER = 'BWSECRETuser3Jt6WcY1sD5fG0bV';
const WRONG = 'BWSECRETwrong8Kp4XnQ2rT7yU1eZ';
const SECRETS = [BEARER, USER, WRONG];

/** Every form a token could leak in: as is, URL- and base64-encoded, and a long-enough prefix. */
function leaks(text: string | Buffer): string[] {
  const haystack = Buffer.isBuffer(text) ? text.toString('latin1') : text;
  return SECRETS.flatMap((secret) =>
    [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64').slice(0, 24), secret.slice(0, 14)].filter((form) =>
      haystack.includes(form),
    ),
  );
}

let fake: FakeTwitter;
let dir: string;
let env: Record<string, string>;
const scanned: string[] = [];

beforeAll(async () => {
  fake = await new FakeTwitter({ bearerToken: BEARER, userToken: USER }).start();
  fake.addMentions(30, 'acme');
  fake.addTweet('@acme_help my order is late', { mentions: ['acme_help'] });
  dir = tempDir('brandwatch-secrets-');
  const { caFile } = await testCertificate();
  env = { TWITTER_BEARER_TOKEN: BEARER, TWITTER_USER_TOKEN: USER, BRANDWATCH_TWITTER_API_URL: fake.url, NODE_EXTRA_CA_CERTS: caFile, BRANDWATCH_NOW: new Date().toISOString() };
  writeConfig(
    dir,
    [
      'brand: Acme',
      'timezone: UTC',
      'keywords: [acme, "@acme_help"]',
      'ownAccounts: { twitter: acme_help }',
      'templates: { thanks: "Thanks {author}!" }',
      'sources:',
      '  - platform: twitter',
      '    bearerTokenEnv: TWITTER_BEARER_TOKEN',
      '    userTokenEnv: TWITTER_USER_TOKEN',
      '    timeout: 500ms',
      '    retry: { attempts: 2, baseDelay: 10ms }',
      '',
    ].join('\n'),
  );
});

afterAll(async () => fake?.stop());

interface Row {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Faults for the fake X API before the run. */
  before?: () => void;
  /** Proof that the run took the path it is meant to test. */
  stderr?: RegExp;
  /** Needs neither the store nor the fake API: started with the first row and run alongside the others. */
  alongside?: boolean;
}

const alongside = new Map<string, Promise<CliResult>>();

const c = (...args: string[]) => ['--config', '%DIR%/config.yml', '--db', '%DIR%/bw.db', ...args];

// New commands slot in here as rows; -v shows the debug lines and stack traces a leak would hide in.
const ROWS: Row[] = [
  { name: 'help', args: ['--help'] },
  { name: 'poll', args: c('-v', 'poll') },
  { name: 'poll --json', args: c('--json', 'poll') },
  { name: 'poll through 5xx and resets', args: c('-v', 'poll'), before: () => (fake.addMentions(5), fake.server.inject({ kind: 'status', status: 503 }).inject({ kind: 'reset' })), stderr: /request failed \(X answered 503/ },
  { name: 'poll with a refused token', args: c('-v', 'poll'), env: { TWITTER_BEARER_TOKEN: WRONG }, stderr: /X refused the token \(401/ },
  { name: 'poll with a stalled API', args: c('-v', 'poll'), before: () => fake.server.inject({ kind: 'stall', ms: 800 }).inject({ kind: 'stall', ms: 800 }), stderr: /no complete answer within \d+s/ },
  { name: 'list', args: c('-v', 'list', '--status', 'all') },
  { name: 'list --json', args: c('--json', 'list', '--status', 'all') },
  { name: 'show', args: c('-v', 'show', '1') },
  { name: 'show --json', args: c('--json', 'show', '1') },
  { name: 'show a missing id (error path)', args: c('-v', 'show', '424242'), stderr: /no mention has id 424242/ },
  { name: 'bad flag (error path)', args: c('-v', 'list', '--since', 'whenever') },
  { name: 'report', args: c('-v', 'report', '--since', '7d') },
  { name: 'report --json', args: c('--json', 'report', '--since', '7d', '--by', 'keyword') },
  { name: 'report --format html --out', args: c('-v', 'report', '--since', '7d', '--format', 'html', '--out', '%DIR%/report.html') },
  { name: 'export --out', args: c('-v', 'export', '--since', '7d', '--out', '%DIR%/mentions.csv') },
  { name: 'export summary to stdout', args: c('export', '--since', '7d', '--what', 'summary') },
  { name: 'report with a bad week (error path)', args: c('-v', 'report', '--week', '2026-W99'), stderr: /is not a week/ },
  { name: 'doctor (checks the token against the API)', args: c('-v', 'doctor') },
  { name: 'doctor with a refused token', args: c('-v', 'doctor'), env: { TWITTER_BEARER_TOKEN: WRONG } },
  { name: 'reply --dry-run', args: c('-v', 'reply', '%SUMMONS%', '--text', 'Sorry! DM us your order number', '--dry-run') },
  { name: 'reply (user token on the wire)', args: c('-v', 'reply', '%SUMMONS%', '--template', 'thanks') },
  { name: 'reply with a refused user token', args: c('-v', 'reply', '%OTHER%', '--text', 'Sorry to hear that'), env: { TWITTER_USER_TOKEN: WRONG } },
  { name: 'mark', args: c('-v', 'mark', '1', '2', 'resolved', '--note', 'handled by phone') },
  { name: 'post --dry-run', args: c('-v', 'post', 'Outage: we are on it', '--dry-run') },
  { name: 'post', args: c('-v', 'post', 'Outage: we are on it') },
  { name: 'triage without a terminal (error path)', args: c('-v', 'triage'), stderr: /needs a terminal/ },
  { name: 'alerts', args: c('-v', 'alerts') },
  { name: 'init', args: ['--config', join('%DIR%', 'init.yml'), '-v', 'init', '--brand', 'Acme', '--keywords', 'acme'] },
  { name: 'demo', args: ['-v', 'demo', '--dir', join('%DIR%', 'demo')], alongside: true },
];

describe('secrets', () => {
  beforeAll(() => {
    // The demo replays a fortnight offline (seconds of work): it runs while the other rows take their turns.
    for (const row of ROWS.filter((r) => r.alongside)) {
      alongside.set(row.name, runCli(row.args.map((a) => a.replace('%DIR%', dir)), { env: { ...env, ...row.env }, cwd: dir }));
    }
  });

  it.each(ROWS.map((r) => [r.name, r] as const))('%s: no token in stdout or stderr', async (_, row) => {
    row.before?.();
    const db = existsSync(join(dir, 'bw.db')) ? new Database(join(dir, 'bw.db'), { readonly: true }) : null;
    const idOf = (sql: string) => String((db?.prepare(sql).get() as { id: number } | undefined)?.id ?? 1);
    const summons = idOf("SELECT id FROM mentions WHERE text LIKE '@acme_help%' ORDER BY id LIMIT 1");
    const other = idOf("SELECT id FROM mentions WHERE text NOT LIKE '@acme_help%' AND status = 'new' ORDER BY id LIMIT 1");
    db?.close();
    const args = row.args.map((a) => a.replace('%DIR%', dir).replace('%SUMMONS%', summons).replace('%OTHER%', other));
    const result = await (alongside.get(row.name) ?? runCli(args, { env: { ...env, ...row.env }, cwd: dir }));
    scanned.push(row.name);
    if (row.stderr) expect(result.stderr).toMatch(row.stderr);
    expect(result.code, result.stderr).not.toBeNull();
    expect(leaks(result.stdout), `${row.name} stdout`).toEqual([]);
    expect(leaks(result.stderr), `${row.name} stderr`).toEqual([]);
  });

  it('no token in any file written: database, WAL, lock, config, demo and exports', () => {
    expect(scanned).toHaveLength(ROWS.length);
    // The runs did use the tokens: the fake API saw the bearer token on the wire.
    expect(fake.searchRequests.some((r) => r.headers.authorization === `Bearer ${BEARER}`)).toBe(true);
    expect(fake.server.requests.some((r) => r.method === 'POST' && r.headers.authorization === `Bearer ${USER}`)).toBe(true);
    const files: string[] = [];
    const walk = (folder: string) => {
      for (const name of readdirSync(folder)) {
        const path = join(folder, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(path);
      }
    };
    walk(dir);
    expect(files.some((f) => f.endsWith('bw.db'))).toBe(true);
    expect(files.some((f) => f.endsWith('mentions.csv')) && files.some((f) => f.endsWith('report.html'))).toBe(true);
    for (const file of files) expect(leaks(readFileSync(file)), file).toEqual([]);
  });
});
