import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { FakeHackerNews } from '../fakes/hackernews.js';
import { FakeFeeds } from '../fakes/feed.js';
import { FakeFacebook } from '../fakes/facebook.js';
import { testCertificate } from '../fakes/tls.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { bySource, cli, multiConfig, sourceBlock } from '../helpers/sources.js';

let twitter: FakeTwitter;
let hn: FakeHackerNews;
let feeds: FakeFeeds;
let fb: FakeFacebook;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  [twitter, hn, feeds, fb] = await Promise.all([new FakeTwitter().start(), new FakeHackerNews().start(), new FakeFeeds().start(), new FakeFacebook().start()]);
  dir = tempDir();
  const { caFile } = await testCertificate();
  env = {
    NODE_EXTRA_CA_CERTS: caFile,
    BRANDWATCH_TWITTER_API_URL: twitter.url,
    TWITTER_BEARER_TOKEN: 'test-bearer-token',
    FB_PAGE_TOKEN: fb.token,
  };
  writeConfig(
    dir,
    multiConfig(
      [
        sourceBlock('twitter', { bearerTokenEnv: 'TWITTER_BEARER_TOKEN' }),
        sourceBlock('hackernews', { apiBaseUrl: hn.url }),
        sourceBlock('rss', { name: 'news', url: feeds.rssUrl }),
        sourceBlock('rss', { name: 'alerts', url: feeds.alertsUrl }),
        sourceBlock('facebook', { pageId: '1001', pageTokenEnv: 'FB_PAGE_TOKEN', apiBaseUrl: fb.url }),
      ],
      { ownAccounts: { twitter: 'acme_help', hackernews: 'acme_team' } },
    ),
  );
});

afterAll(async () => {
  for (const fake of [twitter.server, hn.server, feeds.server, fb.server]) expect(fake.unexpected).toEqual([]);
  await Promise.all([twitter.stop(), hn.stop(), feeds.stop(), fb.stop()]);
});

function countByPlatform(): Record<string, number> {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT platform, count(*) AS n FROM mentions GROUP BY platform').all() as { platform: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.platform, r.n]));
  } finally {
    db.close();
  }
}

describe('one poll over every platform', () => {
  it('stores each platform’s mentions once while one source fails (exit 3), recovers on the next poll, then costs one request per query when nothing is new', async () => {
    twitter.addMentions(12);
    hn.addStories(7);
    for (let i = 0; i < 4; i++) feeds.addRss(`Acme story ${i}`, `<p>about acme ${i}</p>`);
    for (let i = 0; i < 3; i++) feeds.addAlert(`<b>Acme</b> alert ${i}`, 'text', `https://site${i}.example/acme`);
    const post = fb.addPost('Our new skates');
    fb.addComments(post, 6);
    // Facebook's feed answers garbage three times in a row: that source fails, the rest store.
    for (let i = 0; i < 3; i++) fb.server.inject({ kind: 'malformed' }, /\/feed$/);

    const first = await cli(dir, ['poll', '--json'], env);
    expect(first.code, first.stderr).toBe(3);
    const report = bySource(first.stdout);
    expect(report.facebook).toMatchObject({ status: 'failed', new: 0, message: 'Facebook sent an incomplete or malformed response' });
    expect(first.stderr).toMatch(/^facebook: failed: Facebook sent an incomplete or malformed response/m);
    for (const name of ['twitter', 'hackernews', 'news', 'alerts']) expect(report[name]!.status, name).toBe('ok');
    expect(countByPlatform()).toEqual({ twitter: 12, hackernews: 7, rss: 7 });

    const second = await cli(dir, ['poll', '--json'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(bySource(second.stdout).facebook).toMatchObject({ status: 'ok', new: 6 });
    expect(countByPlatform()).toEqual({ twitter: 12, hackernews: 7, rss: 7, facebook: 6 });

    const quiet = await cli(dir, ['poll', '--json'], env);
    expect(quiet.code, quiet.stderr).toBe(0);
    const requests = Object.fromEntries(Object.entries(bySource(quiet.stdout)).map(([name, r]) => [name, r.requests]));
    // hackernews: one query per keyword plus one for the brand's own comments.
    expect(requests).toEqual({ twitter: 1, hackernews: 2, news: 1, alerts: 1, facebook: 1 });
    expect(Object.values(bySource(quiet.stdout)).every((r) => r.new === 0)).toBe(true);
    expect(countByPlatform()).toEqual({ twitter: 12, hackernews: 7, rss: 7, facebook: 6 });
  });
});
