import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { idBefore } from '../../src/sources/twitter/window.js';
import { FakeTwitter } from '../fakes/twitter.js';
import { FakeServer } from '../fakes/server.js';
import { testCertificate } from '../fakes/tls.js';
import { runCli, startCli, tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';

// Keyword search only: the own-replies search and the metrics refresh would add requests these tests count.
const QUIET_X = 'nativeReplies: false\nrefreshMetrics: false';
import { TerminalSession } from '../helpers/terminal.js';
import { takeNamedLock } from '../../src/store/lock.js';
import { openStore } from '../../src/store/open.js';

let fake: FakeTwitter;
let dir: string;
let env: Record<string, string>;

function storedIds(): string[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return (db.prepare('SELECT external_id FROM mentions ORDER BY external_id').all() as { external_id: string }[]).map((r) => r.external_id);
  } finally {
    db.close();
  }
}

function watch(...args: string[]) {
  const child = startCli(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'watch', ...args], { env });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output, closed };
}

async function until(condition: () => boolean, what: string, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let children: ChildProcess[] = [];

beforeEach(async () => {
  fake = await new FakeTwitter().start();
  dir = tempDir();
  const { caFile } = await testCertificate();
  env = { TWITTER_BEARER_TOKEN: 'test-bearer-token', BRANDWATCH_TWITTER_API_URL: fake.url, NODE_EXTRA_CA_CERTS: caFile };
  writeConfig(dir, twitterConfig({ extra: QUIET_X }));
});

afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children = [];
  await fake.stop();
});

describe('watch', () => {
  it('stopped with SIGTERM mid-poll leaves the database consistent: the next poll neither re-fetches stored pages nor skips any', async () => {
    const posted = fake.addMentions(350);
    fake.server.inject({ kind: 'delay', ms: 100 });
    // SIGTERM arrives while the second page is on its way.
    fake.server.inject({ kind: 'delay', ms: 1500 });
    const { child, output, closed } = watch('--every', '1m');
    children.push(child);
    await until(() => fake.searchRequests.length === 2, 'the second page request');
    child.kill('SIGTERM');
    expect(await closed, output.stderr).toBe(0);
    expect(output.stderr).toMatch(/SIGTERM received; stopping after the current step/);
    expect(output.stderr).toMatch(/watch: stopped\n$/);
    // The request in flight was abandoned at once (SIGTERM ends a stuck request): the first page is stored
    // with its cursor, nothing of the second, nothing after it requested.
    expect(fake.searchRequests).toHaveLength(2);
    expect(storedIds()).toHaveLength(100);

    const next = await runCli(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), '--json', 'poll'], { env });
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).sources[0]).toMatchObject({ new: 250 });
    // Pages 2 to 4 of the interrupted run (its page token), then one catch-up request from the overlap window
    // below the run's newest id.
    const resumed = fake.searchRequests.slice(2);
    expect(resumed.map((r) => Boolean(r.query.get('next_token')))).toEqual([true, true, true, false]);
    expect(resumed[3]!.query.get('since_id')).toBe(idBefore(posted.at(-1)!.id, 30_000));
    expect(storedIds()).toEqual(posted.map((t) => t.id).sort());
  });

  it('keeps going across a failed round, prints alert lines and delivers them to the webhook', async () => {
    const receiver = new FakeServer(false);
    const received: { alert: { kind: string; mention: { author: string } } }[] = [];
    receiver.route('POST', /^\/hook$/, (r) => {
      received.push(JSON.parse(r.body));
      return { status: 200, body: 'ok' };
    });
    await receiver.start();
    try {
      writeConfig(dir, `${twitterConfig({ extra: QUIET_X })}alerts:\n  webhookEnv: BW_WEBHOOK\n  minPriority: low\n`);
      env.BW_WEBHOOK = `${receiver.url}/hook`;
      fake.addTweet('acme my router is on fire', { author: 'erin' });
      // The whole first round fails (every retry), the next one works.
      for (let i = 0; i < 3; i++) fake.server.inject({ kind: 'status', status: 503, body: { title: 'Service Unavailable' } });
      const { child, output, closed } = watch('--every', '1s');
      children.push(child);
      await until(() => received.length === 1, 'the webhook delivery');
      fake.addTweet('acme still no internet', { author: 'finn' });
      await until(() => received.length === 2, 'the second webhook delivery');
      child.kill('SIGINT');
      expect(await closed, output.stderr).toBe(0);
      expect(output.stderr).toMatch(/^twitter: failed: X answered 503/m);
      expect(received.map((b) => b.alert.mention.author)).toEqual(['erin', 'finn']);
      const lines = output.stdout.trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^\d\d:\d\d new +New (?:low|normal|high|urgent) mention from @erin on twitter \(\w+, priority \d+\) — due in (?:23h 59m|24h 00m): "acme my router is on fire" +#1$/);
      // No status line or bell when stdout is not a terminal.
      expect(output.stdout).not.toMatch(/[\x07\r]/);
    } finally {
      await receiver.stop();
    }
  });

  it('on a terminal: a live status line, a bell with alerts, and Ctrl-C stops it cleanly', async () => {
    writeConfig(dir, `${twitterConfig({ extra: QUIET_X })}sla:\n  twitter: 30m\nalerts:\n  minPriority: low\n`);
    fake.addTweet('acme where is my engineer', { author: 'gus' });
    const session = new TerminalSession(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'watch', '--every', '30s'], env);
    try {
      await session.waitFor(/next poll in \d+s · 1 open · next SLA deadline: #1 in 29m · last poll \d\d:\d\d, 1 new/);
      expect(session.screen).toMatch(/new +New (?:low|normal|high|urgent) mention from @gus on twitter \(\w+, priority \d+\) — due in (?:29|30)m: "acme where is my engineer" +#1/);
      expect(session.screen).toContain('\x07');
      session.type('\x03');
      // (The exit status is the wrapping shell's under `script`; the SIGTERM test checks watch's own.)
      await session.exited;
      expect(session.screen).toMatch(/SIGINT received; stopping after the current step[\s\S]*watch: stopped/);
    } finally {
      session.kill();
    }
  });

  it('skips a round while another poll holds the lock, then carries on; --json prints one alert per line', async () => {
    writeConfig(dir, `${twitterConfig({ extra: QUIET_X })}alerts:\n  minPriority: low\n`);
    await (await openStore(join(dir, 'bw.db'))).close();
    const lock = takeNamedLock(join(dir, 'bw.db'), 'poll')!;
    fake.addTweet('acme outage in leeds', { author: 'hana' });
    const { child, output, closed } = watch('--every', '1s', '--json');
    children.push(child);
    try {
      await until(() => /another poll holds the lock; skipping this round/.test(output.stderr), 'a skipped round');
      expect(fake.searchRequests).toHaveLength(0);
    } finally {
      lock.release();
    }
    await until(() => output.stdout.includes('\n'), 'an alert line');
    child.kill('SIGTERM');
    expect(await closed, output.stderr).toBe(0);
    const lines = output.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ id: 1, kind: 'new', mention: expect.objectContaining({ author: 'hana' }), delivery: 'none' })]);
  });

  it('refuses a bad interval', async () => {
    const result = await runCli(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'watch', '--every', 'soon'], { env });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('brandwatch: --every: "soon" is not a duration between 1s and 24h (use e.g. 30s, 2m, 5m)');
  });
});
