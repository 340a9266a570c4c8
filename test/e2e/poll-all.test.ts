import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { FakeMastodon } from '../fakes/mastodon.js';
import { FakeBluesky } from '../fakes/bluesky.js';
import { FakeReddit } from '../fakes/reddit.js';
import { FakeHackerNews } from '../fakes/hackernews.js';
import { FakeFeeds } from '../fakes/feed.js';
import { FakeFacebook } from '../fakes/facebook.js';
import { testCertificate } from '../fakes/tls.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { bySource, cli, multiConfig, sourceBlock } from '../helpers/sources.js';

let twitter: FakeTwitter;
let mastodon: FakeMastodon;
let bluesky: FakeBluesky;
let reddit: FakeReddit;
let hn: FakeHackerNews;
let feeds: FakeFeeds;
let fb: FakeFacebook;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  [twitter, mastodon, bluesky, reddit, hn, feeds, fb] = await Promise.all([
    new FakeTwitter().start(),
    new FakeMastodon().start(),
    new FakeBluesky().start(),
    new FakeReddit().start(),
    new FakeHackerNews().start(),
    new FakeFeeds().start(),
    new FakeFacebook().start(),
  ]);
  dir = tempDir();
  const { caFile } = await testCertificate();
  env = {
    NODE_EXTRA_CA_CERTS: caFile,
    BRANDWATCH_TWITTER_API_URL: twitter.url,
    TWITTER_BEARER_TOKEN: 'test-bearer-token',
    MASTODON_TOKEN: mastodon.token,
    BLUESKY_APP_PASSWORD: bluesky.password,
    REDDIT_CLIENT_ID: reddit.client.id,
    REDDIT_CLIENT_SECRET: reddit.client.secret,
    REDDIT_USERNAME: reddit.client.username,
    REDDIT_PASSWORD: reddit.client.password,
    FB_PAGE_TOKEN: fb.token,
  };
  writeConfig(
    dir,
    multiConfig(
      [
        sourceBlock('twitter', { bearerTokenEnv: 'TWITTER_BEARER_TOKEN' }),
        sourceBlock('mastodon', { instanceUrl: mastodon.url, accessTokenEnv: 'MASTODON_TOKEN' }),
        sourceBlock('bluesky', { serviceUrl: bluesky.url, identifier: 'acme.bsky.social', appPasswordEnv: 'BLUESKY_APP_PASSWORD' }),
        sourceBlock('reddit', {
          apiBaseUrl: reddit.url,
          tokenUrl: `${reddit.url}/api/v1/access_token`,
          clientIdEnv: 'REDDIT_CLIENT_ID',
          clientSecretEnv: 'REDDIT_CLIENT_SECRET',
          usernameEnv: 'REDDIT_USERNAME',
          passwordEnv: 'REDDIT_PASSWORD',
        }),
        sourceBlock('hackernews', { apiBaseUrl: hn.url }),
        sourceBlock('rss', { name: 'alerts', url: feeds.alertsUrl }),
        sourceBlock('facebook', { pageId: '1001', pageTokenEnv: 'FB_PAGE_TOKEN', apiBaseUrl: fb.url }),
      ],
      { ownAccounts: { twitter: 'acme_help', mastodon: 'acme_help', bluesky: 'acme.bsky.social', reddit: 'acme_help', hackernews: 'acme_team' } },
    ),
  );
  mastodon.tokenAccount = mastodon.addAccount('acme_help');
});

afterAll(async () => {
  for (const fake of [twitter.server, hn.server, feeds.server, fb.server]) expect(fake.unexpected).toEqual([]);
  await Promise.all([twitter.stop(), mastodon.stop(), bluesky.stop(), reddit.stop(), hn.stop(), feeds.stop(), fb.stop()]);
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

describe('one poll over all seven platforms', () => {
  it('stores each platform’s mentions once while one source fails (exit 3), recovers on the next poll, then costs a few requests when nothing is new', async () => {
    twitter.addMentions(12);
    mastodon.addTagged(9);
    bluesky.addMentions(7);
    reddit.addLinks(5);
    hn.addStories(6);
    for (let i = 0; i < 4; i++) feeds.addAlert(`<b>Acme</b> alert ${i}`, 'text', `https://site${i}.example/acme`);
    const post = fb.addPost('Our new skates');
    fb.addComments(post, 3);
    // Facebook's feed answers garbage three times in a row: that source fails, the other six store.
    for (let i = 0; i < 3; i++) fb.server.inject({ kind: 'malformed' }, /\/feed$/);

    const first = await cli(dir, ['poll', '--json'], env);
    expect(first.code, first.stderr).toBe(3);
    const report = bySource(first.stdout);
    expect(report.facebook).toMatchObject({ status: 'failed', new: 0, message: 'Facebook sent an incomplete or malformed response' });
    expect(first.stderr).toMatch(/^facebook: failed: Facebook sent an incomplete or malformed response/m);
    for (const name of ['twitter', 'mastodon', 'bluesky', 'reddit', 'hackernews', 'alerts']) expect(report[name]!.status, name).toBe('ok');
    const expected = { twitter: 12, mastodon: 9, bluesky: 7, reddit: 5, hackernews: 6, rss: 4 };
    expect(countByPlatform()).toEqual(expected);

    const second = await cli(dir, ['poll', '--json'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(bySource(second.stdout).facebook).toMatchObject({ status: 'ok', new: 3 });
    expect(Object.entries(bySource(second.stdout)).filter(([name]) => name !== 'facebook').every(([, r]) => r.new === 0)).toBe(true);
    expect(countByPlatform()).toEqual({ ...expected, facebook: 3 });

    const quiet = await cli(dir, ['poll', '--json'], env);
    expect(quiet.code, quiet.stderr).toBe(0);
    const requests = Object.fromEntries(Object.entries(bySource(quiet.stdout)).map(([name, r]) => [name, r.requests]));
    // X: one search, own replies (the open mentions were read moments ago: no metrics lookup is due yet). Mastodon: hashtag
    // group, notifications, own statuses. Bluesky: search, own feed (the session kept from the last poll: no login).
    // Reddit: token, search, own comments. Hacker News: one per keyword plus the brand's comments.
    // Feed: one conditional GET answered 304. Facebook: the Page feed (no post's comment count moved).
    expect(requests).toEqual({ twitter: 2, mastodon: 3, bluesky: 2, reddit: 3, hackernews: 2, alerts: 1, facebook: 1 });
    expect(Object.values(bySource(quiet.stdout)).every((r) => r.new === 0)).toBe(true);
    expect(countByPlatform()).toEqual({ ...expected, facebook: 3 });
  });
});
