import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { FakeMastodon } from '../fakes/mastodon.js';
import { FakeBluesky } from '../fakes/bluesky.js';
import { FakeReddit } from '../fakes/reddit.js';
import { testCertificate } from '../fakes/tls.js';
import { runCommand, tempDir, writeConfig } from '../helpers/cli.js';

let twitter: FakeTwitter;
let mastodon: FakeMastodon;
let bluesky: FakeBluesky;
let reddit: FakeReddit;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  [twitter, mastodon, bluesky, reddit] = await Promise.all([new FakeTwitter().start(), new FakeMastodon().start(), new FakeBluesky().start(), new FakeReddit().start()]);
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
  };
  const common = ['    retry: { attempts: 2, baseDelay: 10ms }', '    timeout: 2s'];
  writeConfig(
    dir,
    [
      'brand: Acme',
      'timezone: UTC',
      'keywords: [acme]',
      'ownAccounts: { twitter: acme_help, mastodon: acme_help, bluesky: acme.bsky.social, reddit: acme_help }',
      'sources:',
      '  - platform: twitter',
      '    bearerTokenEnv: TWITTER_BEARER_TOKEN',
      ...common,
      '  - platform: mastodon',
      `    instanceUrl: ${mastodon.url}`,
      '    accessTokenEnv: MASTODON_TOKEN',
      ...common,
      '  - platform: bluesky',
      `    serviceUrl: ${bluesky.url}`,
      '    identifier: acme.bsky.social',
      '    appPasswordEnv: BLUESKY_APP_PASSWORD',
      ...common,
      '  - platform: reddit',
      `    apiBaseUrl: ${reddit.url}`,
      `    tokenUrl: ${reddit.url}/api/v1/access_token`,
      '    clientIdEnv: REDDIT_CLIENT_ID',
      '    clientSecretEnv: REDDIT_CLIENT_SECRET',
      '    usernameEnv: REDDIT_USERNAME',
      '    passwordEnv: REDDIT_PASSWORD',
      ...common,
      '',
    ].join('\n'),
  );
  mastodon.tokenAccount = mastodon.addAccount('acme_help');
});

afterAll(async () => {
  await Promise.all([twitter.stop(), mastodon.stop(), bluesky.stop(), reddit.stop()]);
});

function poll() {
  return runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll', '--json'], { env });
}

function countByPlatform(): Record<string, number> {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT platform, count(*) AS n FROM mentions GROUP BY platform').all() as { platform: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.platform, r.n]));
  } finally {
    db.close();
  }
}

describe('one poll over X, Mastodon, Bluesky and Reddit', () => {
  it('stores every working platform once while a failing one exits 3, then costs a few requests per quiet poll', async () => {
    twitter.addMentions(12);
    mastodon.addTagged(9);
    bluesky.addMentions(7);
    reddit.addLinks(5);
    reddit.server.inject({ kind: 'status', status: 502, body: { message: 'Bad Gateway', error: 502 } }, /search/);
    reddit.server.inject({ kind: 'status', status: 502, body: { message: 'Bad Gateway', error: 502 } }, /search/);

    const first = await poll();
    expect(first.code).toBe(3);
    expect(first.stderr).toMatch(/^reddit: failed: Reddit answered 502 \(Bad Gateway\)/m);
    expect(countByPlatform()).toEqual({ twitter: 12, mastodon: 9, bluesky: 7 });

    const second = await poll();
    expect(second.code, second.stderr).toBe(0);
    expect(countByPlatform()).toEqual({ twitter: 12, mastodon: 9, bluesky: 7, reddit: 5 });

    const quiet = await poll();
    expect(quiet.code, quiet.stderr).toBe(0);
    const requests = Object.fromEntries((JSON.parse(quiet.stdout).sources as { source: string; requests: number; new: number }[]).map((s) => [s.source, s.requests]));
    // X: one search, own replies (no metrics lookup: the open mentions were read moments ago); Mastodon: one hashtag
    // group, notifications, own statuses; Bluesky: search + own feed (the kept session, no login); Reddit: token + search + own comments.
    expect(requests).toEqual({ twitter: 2, mastodon: 3, bluesky: 2, reddit: 3 });
    expect(countByPlatform()).toEqual({ twitter: 12, mastodon: 9, bluesky: 7, reddit: 5 });
  });
});
