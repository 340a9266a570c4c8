import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/config/load.js';
import { tempDir } from '../helpers/cli.js';
import { runInProcess, scriptedPrompter } from '../helpers/run.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');

function load(path: string) {
  return parseConfig(readFileSync(path, 'utf8'), path).config;
}

describe('init for every platform', () => {
  it('flags: one source per platform, secrets by env name, X with a live monthly read budget and its reason', async () => {
    const path = join(tempDir(), 'config.yml');
    const result = await runInProcess(
      [
        '--config', path, 'init', '--brand', 'Acme', '--keywords', 'acme, @acme_help', '--timezone', 'Europe/London',
        '--platforms', 'twitter,mastodon,bluesky,reddit,hackernews,rss,facebook',
        '--twitter-handle', '@acme_help', '--twitter-budget', '20000',
        '--mastodon-instance', 'https://mastodon.social', '--mastodon-handle', 'acme@mastodon.social',
        '--bluesky-handle', 'acme.bsky.social', '--reddit-subreddits', 'r/broadband,uktech',
        '--rss-url', 'https://www.google.com/alerts/feeds/123/456', '--facebook-page', '1234567890',
      ],
      { now: NOW },
    );
    expect(result.code, result.stderr).toBe(0);
    const config = load(path);
    expect(config.sources.map((s) => s.platform)).toEqual(['twitter', 'mastodon', 'bluesky', 'reddit', 'hackernews', 'rss', 'facebook']);
    expect(config.sources[0]).toMatchObject({ bearerTokenEnv: 'TWITTER_BEARER_TOKEN', monthlyReadBudget: 20000 });
    expect(config.sources[2]).toMatchObject({ identifier: 'acme.bsky.social', appPasswordEnv: 'BLUESKY_APP_PASSWORD' });
    expect(config.sources[3]).toMatchObject({ subreddits: ['broadband', 'uktech'] });
    expect(config.ownAccounts).toEqual({ twitter: 'acme_help', mastodon: 'acme@mastodon.social', bluesky: 'acme.bsky.social' });
    expect(config.sla).toMatchObject({ twitter: 30 * 60_000, facebook: 2 * 3_600_000 });
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/# X bills every post read \(\$0\.005 each, pay-per-use\): 20,000 posts ≈ \$100 a month\.\n.*\n    monthlyReadBudget: 20000/);
    expect(result.stderr).toMatch(/export TWITTER_BEARER_TOKEN=… TWITTER_USER_TOKEN=… MASTODON_ACCESS_TOKEN=… BLUESKY_APP_PASSWORD=… FACEBOOK_PAGE_TOKEN=…/);
    expect(result.stderr).toContain(`brandwatch --config ${path} doctor`);
  });

  it.each([
    [['--timezone', 'Europe/Londn'], /--timezone: "Europe\/Londn" is not a known IANA time zone/],
    [['--platforms', 'twitter,myspace'], /--platforms: "myspace" is not a platform init knows \(use twitter, mastodon/],
    [['--platforms', 'bluesky'], /bluesky needs --bluesky-handle/],
    [['--platforms', 'rss', '--rss-url', 'ftp://x'], /--rss-url: must be an http/],
    [['--twitter-handle', 'way_too_long_for_x_handles'], /--twitter-handle: is not a twitter account name/],
    [['--twitter-budget', 'lots'], /--twitter-budget: a whole number of posts/],
  ])('a bad flag %j is exit 2 naming it', async (flags, message) => {
    const path = join(tempDir(), 'config.yml');
    const result = await runInProcess(['--config', path, 'init', '--brand', 'Acme', ...flags], { now: NOW });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('prompts: each answer checked as it is given; a mistyped zone asks again and nothing is lost; the file is shown once written', async () => {
    const path = join(tempDir(), 'config.yml');
    const prompter = scriptedPrompter([
      'Acme', 'acme, @acme_help',
      'Europe/Londn', 'Europe/London',
      false,
      'twitter, bluesky, rss',
      'acme_help', '', '', '5000',
      '@acme', 'acme.bsky.social', '',
      'not a url', 'https://www.google.com/alerts/feeds/1/2',
    ]);
    const result = await runInProcess(['--config', path, 'init'], { now: NOW, tty: true, prompter });
    expect(result.code, result.stderr).toBe(0);
    expect(prompter.refused).toEqual([
      expect.stringMatching(/^Time zone for reports: "Europe\/Londn" is not a known IANA time zone/),
      expect.stringMatching(/^The brand's Bluesky handle.*: is not a bluesky account name/),
      expect.stringMatching(/^Feed URL.*: /),
    ]);
    const config = load(path);
    expect(config).toMatchObject({ brand: 'Acme', timezone: 'Europe/London' });
    expect(config.sources).toMatchObject([
      { platform: 'twitter', bearerTokenEnv: 'TWITTER_BEARER_TOKEN', userTokenEnv: 'TWITTER_USER_TOKEN', monthlyReadBudget: 5000 },
      { platform: 'bluesky', identifier: 'acme.bsky.social', appPasswordEnv: 'BLUESKY_APP_PASSWORD' },
      { platform: 'rss', url: 'https://www.google.com/alerts/feeds/1/2' },
    ]);
    expect(result.stdout).toContain(readFileSync(path, 'utf8').trim());
  });

  it('--demo writes the four sample platforms in London time', async () => {
    const path = join(tempDir(), 'config.yml');
    expect((await runInProcess(['--config', path, 'init', '--brand', 'Fernhill', '--demo', '--timezone', 'Europe/London'], { now: NOW })).code).toBe(0);
    const config = load(path);
    expect(config.sources.map((s) => (s as { imitates?: string }).imitates)).toEqual(['twitter', 'mastodon', 'bluesky', 'rss']);
  });
});
