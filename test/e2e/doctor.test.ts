import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { FakeHackerNews } from '../fakes/hackernews.js';
import { FakeFeeds } from '../fakes/feed.js';
import { FakeFacebook } from '../fakes/facebook.js';
import { testCertificate } from '../fakes/tls.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { cli, multiConfig, sourceBlock } from '../helpers/sources.js';

let twitter: FakeTwitter;
let hn: FakeHackerNews;
let feeds: FakeFeeds;
let fb: FakeFacebook;
let dir: string;
let env: Record<string, string>;

interface Report {
  ok: boolean;
  failures: number;
  warnings: number;
  checks: { area: string; name: string; status: string; detail: string; fix?: string; rateLimit?: unknown }[];
}

function find(report: Report, area: string, name: string) {
  return report.checks.find((c) => c.area === area && c.name === name);
}

beforeEach(async () => {
  [twitter, hn, feeds, fb] = await Promise.all([new FakeTwitter().start(), new FakeHackerNews().start(), new FakeFeeds().start(), new FakeFacebook().start()]);
  feeds.addRss('Acme news', 'acme');
  dir = tempDir();
  const { caFile } = await testCertificate();
  env = { TWITTER_BEARER_TOKEN: 'test-bearer-token', BRANDWATCH_TWITTER_API_URL: twitter.url, NODE_EXTRA_CA_CERTS: caFile, FB_PAGE_TOKEN: 'test-page-token' };
  writeConfig(
    dir,
    multiConfig([
      sourceBlock('twitter', { bearerTokenEnv: 'TWITTER_BEARER_TOKEN', monthlyReadBudget: 100 }),
      sourceBlock('hackernews', { apiBaseUrl: hn.url }),
      sourceBlock('rss', { url: feeds.rssUrl }),
      sourceBlock('facebook', { pageId: '1001', pageTokenEnv: 'FB_PAGE_TOKEN', apiBaseUrl: fb.url }),
    ]),
  );
});

afterEach(async () => {
  await Promise.all([twitter.stop(), hn.stop(), feeds.stop(), fb.stop()]);
});

describe('doctor', () => {
  it('passes a healthy setup: config, database, every source reached with its token, rate limits and the month’s use', async () => {
    twitter.addMentions(60);
    // Early in the month, so 60 of 100 posts projects past the budget.
    const early = { ...env, BRANDWATCH_NOW: '2026-11-03T12:00:00Z' };
    // X's clock agrees with the pinned one, so the first poll's start_time is inside its 7-day window.
    twitter.clockAhead = Date.parse(early.BRANDWATCH_NOW) - Date.now();
    expect((await cli(dir, ['poll', '--platform', 'twitter'], early)).code).toBe(0);
    const result = await cli(dir, ['doctor', '--json'], early);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ ok: true, failures: 0 });
    expect(find(report, 'config', 'valid')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/4 sources, 1 keyword/) });
    expect(find(report, 'database', 'schema')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/\(current\)/) });
    expect(find(report, 'database', 'writable')).toMatchObject({ status: 'ok' });
    expect(find(report, 'twitter', 'token accepted')).toMatchObject({ status: 'ok' });
    expect(find(report, 'twitter', 'rate limit')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^\d+\/450 search requests left/) });
    expect(find(report, 'facebook', 'token accepted')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/"Acme" \(1001\)/) });
    expect(find(report, 'facebook', 'rate limit')).toMatchObject({ status: 'ok', detail: "12% of the app's Graph API allowance used" });
    expect(find(report, 'hackernews', 'endpoint reachable')).toMatchObject({ status: 'ok' });
    expect(find(report, 'rss', 'feed reachable')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/"Example News & Views" with 1 entries/) });
    expect(find(report, 'rss', 'conditional requests')).toMatchObject({ status: 'ok' });
    expect(find(report, 'twitter', 'monthly use')).toMatchObject({
      status: 'warn',
      // 60 posts at $0.005 and 17 authors at $0.010 (user reads)
      detail: '2026-11: 1 requests, 60/100 posts read, projected 720 by month end; $0.47 spent, projected $5.64: on course to exceed the budget',
    });
    expect(find(report, 'hackernews', 'monthly use')).toMatchObject({ status: 'ok', detail: '2026-11: 0 requests, 0 posts read, projected 0 by month end (no monthlyReadBudget)' });
    // One search with a one-minute window: cheap.
    const probe = twitter.searchRequests.at(-1)!;
    expect(probe.query.get('max_results')).toBe('10');
  });

  it('names each broken piece and its fix, and exits 1', async () => {
    twitter.rateLimit.remaining = 0;
    twitter.rateLimit.reset = Math.floor(Date.now() / 1000) + 600;
    writeFileSync(join(dir, 'bw.db'), 'this is not a database');
    chmodSync(join(dir, 'config.yml'), 0o644);
    const { FB_PAGE_TOKEN: _, ...withoutFacebook } = env;
    await hn.stop();
    const result = await cli(dir, ['doctor'], { ...withoutFacebook });
    expect(result.code).toBe(1);
    const out = result.stdout;
    expect(out).toMatch(/^warn config +permissions: .*readable by other users/m);
    expect(out).toMatch(/fix: chmod 600 .*config\.yml/);
    expect(out).toMatch(/^FAIL database +openable: .*bw\.db: file is not a database/m);
    expect(out).toMatch(/^FAIL facebook +credentials present: .*the environment variable FB_PAGE_TOKEN is not set/m);
    expect(out).toMatch(/fix: export FB_PAGE_TOKEN=… in the environment brandwatch runs in/);
    expect(out).toMatch(/^warn twitter +rate limit: X rate limit reached/m);
    expect(out).toMatch(/^FAIL hackernews +endpoint reachable: cannot reach Hacker News search \(ECONNREFUSED\)/m);
    expect(out).toMatch(/^ok   rss +feed reachable/m);
    expect(out.trim().split('\n').at(-1)).toMatch(/^3 problems, \d+ warnings?$/);
  });

  it('reports a refused token and a database from a newer brandwatch', async () => {
    const db = new Database(join(dir, 'bw.db'));
    // As a newer brandwatch leaves it: marked ours (application_id "bwch"), with a schema this one does not know.
    db.pragma(`application_id = ${0x62776368}`);
    db.pragma('user_version = 999');
    db.close();
    const result = await cli(dir, ['doctor', '--json'], { ...env, TWITTER_BEARER_TOKEN: 'wrong-SECRET', FB_PAGE_TOKEN: 'also-wrong-SECRET' });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as Report;
    expect(find(report, 'database', 'schema')).toMatchObject({ status: 'fail', fix: 'upgrade brandwatch' });
    expect(find(report, 'twitter', 'token accepted')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/X refused the token \(401/) });
    expect(find(report, 'facebook', 'token accepted')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/refused the page token \(190/) });
    expect(result.stdout + result.stderr).not.toContain('SECRET');
  });

  it('reports an invalid config with its line and still checks the database', async () => {
    writeConfig(dir, 'brand: Acme\nkeywords: [acme]\nsources:\n  - platform: rss\n    url: not-a-url\n');
    const result = await cli(dir, ['doctor'], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAIL config +valid: .*config\.yml:5: sources\[0\]\.url: /m);
    expect(result.stdout).toMatch(/^ok   database +openable: .*does not exist yet; the first poll creates it/m);
  });

  it('says what each platform needs for direct messages, and why Messenger and Instagram DMs are not read', async () => {
    writeConfig(
      dir,
      multiConfig([
        sourceBlock('twitter', { bearerTokenEnv: 'TWITTER_BEARER_TOKEN', directMessages: true }),
        sourceBlock('facebook', { pageId: '1001', pageTokenEnv: 'FB_PAGE_TOKEN', apiBaseUrl: fb.url }),
      ]),
    );
    const report = JSON.parse((await cli(dir, ['doctor', '--json'], env)).stdout) as Report;
    expect(find(report, 'twitter', 'direct messages')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/userTokenEnv .* dm\.read dm\.write/) });
    expect(find(report, 'facebook', 'direct messages')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/App Review grants pages_messaging and instagram_manage_messages/) });
    writeConfig(dir, multiConfig([sourceBlock('twitter', { bearerTokenEnv: 'TWITTER_BEARER_TOKEN', userTokenEnv: 'TWITTER_USER_TOKEN', directMessages: true })]));
    const on = JSON.parse((await cli(dir, ['doctor', '--json'], { ...env, TWITTER_USER_TOKEN: 'test-user-token' })).stdout) as Report;
    expect(find(on, 'twitter', 'direct messages')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/GET \/2\/dm_events \(\$0\.01 a DM event.*\$0\.015 each/) });
  });
});
