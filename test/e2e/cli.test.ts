import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';
import { DEMO_NOW, sharedDemo } from '../helpers/demo.js';

describe.concurrent('configuration errors', () => {
  const cases: [string, string, Record<string, string>, RegExp][] = [
    ['YAML syntax error', 'brand: Acme\nkeywords: [acme\n', {}, /config\.yml:\d+: YAML syntax error/],
    ['unknown key', twitterConfig() + 'colour: blue\n', { TWITTER_BEARER_TOKEN: 'x' }, /config\.yml:\d+: colour: unknown key/],
    ['missing token variable', twitterConfig(), {}, /the environment variable TWITTER_BEARER_TOKEN is not set/],
    ['bad duration', twitterConfig({ extra: 'rateLimitWait: a while' }), { TWITTER_BEARER_TOKEN: 'x' }, /sources\[0\]\.rateLimitWait: "a while" is not a duration/],
  ];
  it.each(cases)('%s: exit 2 with one line naming the problem, no stack trace', async (_, text, env, expected) => {
    const dir = tempDir();
    writeConfig(dir, text);
    const result = await runCli(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stdout).toBe('');
    expect(existsSync(join(dir, 'bw.db'))).toBe(false);
  });

  it('points to init when there is no config', async () => {
    const dir = tempDir();
    const result = await runCli(['--config', join(dir, 'nope.yml'), 'poll']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no config file here; create one with `brandwatch init`/);
  });

  it('warns when the config is readable by other users', async () => {
    const dir = tempDir();
    writeConfig(dir, twitterConfig());
    const { chmodSync } = await import('node:fs');
    chmodSync(join(dir, 'config.yml'), 0o644);
    const result = await runCli(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'list']);
    expect(result.stderr).toMatch(/readable by other users; run `chmod 600/);
  });

  it('gives usage errors exit 2', async () => {
    const dir = tempDir();
    // Independent processes, run side by side.
    const [bogus, unknown, badLimit, badSince, badStatus] = await Promise.all([
      runCli(['poll', '--bogus']),
      runCli(['frobnicate']),
      runCli(['--db', join(dir, 'bw.db'), 'list', '--limit', 'lots']),
      runCli(['--db', join(dir, 'bw.db'), 'list', '--since', 'yesterdayish']),
      runCli(['--db', join(dir, 'bw.db'), 'list', '--status', 'done']),
    ]);
    expect(bogus.code).toBe(2);
    expect(unknown.code).toBe(2);
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toMatch(/"lots" is not a positive whole number/);
    expect(badSince.code).toBe(2);
    expect(badSince.stderr).toMatch(/--since: "yesterdayish" is not a date/);
    expect(badStatus.stderr).toMatch(/"done" is not a status/);
  });

  it('prints help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: brandwatch/);
    expect(result.stdout).toMatch(/Exit codes: 0 ok/);
  });
});

describe.concurrent('init', () => {
  it('writes a private, loadable config from flags when not in a terminal', async () => {
    const dir = tempDir();
    const path = join(dir, 'conf', 'config.yml');
    const result = await runCli(['--config', path, 'init', '--brand', 'Acme', '--keywords', 'acme, @acme_help', '--twitter-handle', '@acme_help', '--timezone', 'Europe/London']);
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/bearerTokenEnv: TWITTER_BEARER_TOKEN/);
    expect(text).toMatch(/twitter: acme_help/);
    const again = await runCli(['--config', path, 'init', '--brand', 'Acme']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; pass --force/);
  });

  it('needs --brand without a terminal', async () => {
    const result = await runCli(['--config', join(tempDir(), 'c.yml'), 'init']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/init needs --brand/);
  });
});

// The run's one demo (test/helpers/demo.ts) serves both tests below, each on its own copy of the folder.
describe('demo', () => {
  it('polls the bundled sample platform offline and shows the inbox; a re-poll adds nothing', async () => {
    const { dir, result } = await sharedDemo();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Inbox — \d+ most urgent open mentions/);
    expect(result.stderr).toMatch(/x-sample: \d+ new/);
    expect(result.stderr).toMatch(/google-alerts-sample: \d+ new/);
    const db = new Database(join(dir, 'brandwatch.db'), { readonly: true });
    const counts = db.prepare("SELECT count(*) AS mentions, sum(status = 'replied') AS replied, min(created_at) AS oldest FROM mentions").get() as {
      mentions: number;
      replied: number;
      oldest: number;
    };
    const native = db.prepare("SELECT count(*) AS n FROM responses WHERE via = 'native' AND state = 'sent'").get() as { n: number };
    // The fortnight is replayed as 15-minute polls: every mention was seen within 15 minutes, as with cron.
    const lag = db.prepare('SELECT max(fetched_at - created_at) AS worst, min(fetched_at - created_at) AS best FROM mentions').get() as { worst: number; best: number };
    expect(lag.best).toBeGreaterThanOrEqual(0);
    expect(lag.worst).toBeLessThanOrEqual(15 * 60_000);
    db.close();
    expect(counts.mentions).toBeGreaterThan(100);
    expect(counts.replied).toBeGreaterThan(30);
    expect(counts.replied).toBeLessThan(counts.mentions);
    // Every replied mention was answered natively; an item a follow-up took back to the queue keeps its first reply too.
    expect(native.n).toBeGreaterThanOrEqual(counts.replied);
    const db2 = new Database(join(dir, 'brandwatch.db'), { readonly: true });
    const unanswered = db2.prepare("SELECT count(*) AS n FROM mentions m WHERE status = 'replied' AND NOT EXISTS (SELECT 1 FROM responses r WHERE r.mention_id = m.id) AND NOT EXISTS (SELECT 1 FROM responses r JOIN mentions f ON f.id = r.mention_id WHERE f.thread_id = m.id)").get() as { n: number };
    const followUps = db2.prepare('SELECT count(*) AS n FROM mentions WHERE thread_id IS NOT NULL').get() as { n: number };
    db2.close();
    expect(unanswered.n).toBe(0);
    expect(followUps.n).toBeGreaterThan(5);
    expect(counts.oldest).toBeGreaterThanOrEqual(Date.parse('2026-11-08T09:00:00Z'));

    const again = await runCli(['--config', join(dir, 'config.yml'), 'poll', '--json'], { env: { BRANDWATCH_NOW: DEMO_NOW } });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).new).toBe(0);
  }, 120_000);
});

describe('list and show', () => {
  it('print hostile platform text harmlessly, as a table or tab-separated', async () => {
    const { result, dir } = await sharedDemo();
    expect(result.code, result.stderr).toBe(0);
    const dbPath = join(dir, 'brandwatch.db');
    const db = new Database(dbPath);
    db.prepare("UPDATE mentions SET text = ?, author_handle = ? WHERE id = 1").run(
      'evil \x1b]52;c;cm0gLXJmIH4=\x07 clear\x1b[2J title\x1b]0;pwned\x07 \u202eRTL',
      'bad\x1b[31mred',
    );
    db.close();
    const list = await runCli(['--db', dbPath, 'list', '--status', 'all', '--limit', '500']);
    expect(list.code).toBe(0);
    const show = await runCli(['--db', dbPath, 'show', '1']);
    expect(show.code).toBe(0);
    for (const output of [list.stdout, show.stdout]) {
      expect(output).not.toMatch(/[\x1b\x07\u202e]/);
      expect(output).toContain('evil');
    }
    expect(list.stdout.split('\n')[0]!.split('\t')).toHaveLength(8);
    const json = await runCli(['--db', dbPath, '--json', 'show', '1']);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: 1, source: expect.stringMatching(/-sample$/) });
    const missing = await runCli(['--db', dbPath, 'show', '99999']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no mention has id 99999/);
  }, 120_000);
});
