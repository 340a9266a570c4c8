import { afterEach, describe, expect, it } from 'vitest';
import { blueskySource, mastodonSource, redditSource } from '../../src/config/schema.js';
import { BlueskySource } from '../../src/sources/bluesky/source.js';
import { MastodonSource } from '../../src/sources/mastodon/source.js';
import { RedditSource } from '../../src/sources/reddit/source.js';
import { FakeBluesky } from '../fakes/bluesky.js';
import { FakeMastodon } from '../fakes/mastodon.js';
import { FakeReddit } from '../fakes/reddit.js';

const keywords = [{ term: 'acme', exclude: [] }];
const stops: (() => Promise<void>)[] = [];
const signal = new AbortController().signal;

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

describe('doctor checks', () => {
  it('Mastodon: timeline reachable with its rate limit, and whose token it is', async () => {
    const fake = await new FakeMastodon().start();
    stops.push(() => fake.stop());
    fake.tokenAccount = fake.addAccount('someone_else');
    const config = mastodonSource.parse({ platform: 'mastodon', instanceUrl: fake.url, timeout: '2s' });
    const checks = await new MastodonSource({ config, keywords, ownHandles: ['acme_help'], accessToken: fake.token }).check(signal);
    // First: who may read hashtag timelines (Mastodon 4.5's timelines_access in GET /api/v2/instance).
    expect(checks[0]).toMatchObject({ name: 'hashtag timelines', status: 'ok' });
    expect(checks[1]).toMatchObject({ name: 'endpoint reachable', status: 'ok', rateLimit: { limit: 300, remaining: 299, resetAt: fake.rateLimit.reset.getTime() } });
    expect(checks[2]).toMatchObject({ name: 'token accepted', status: 'warn', detail: expect.stringContaining('someone_else@') });
    const bad = await new MastodonSource({ config, keywords, ownHandles: [], accessToken: 'wrong' }).check(signal);
    expect(bad[2]).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^Mastodon refused the request \(401/) });
  });

  it('Bluesky: the app password, then a search', async () => {
    const fake = await new FakeBluesky().start();
    stops.push(() => fake.stop());
    const config = blueskySource.parse({ platform: 'bluesky', serviceUrl: fake.url, identifier: 'acme.bsky.social', appPasswordEnv: 'X', timeout: '2s' });
    expect(await new BlueskySource({ config, keywords, ownHandles: [], appPassword: fake.password, now: () => Date.now() }).check(signal)).toMatchObject([
      { name: 'app password accepted', status: 'ok', detail: 'logged in as @acme.bsky.social' },
      { name: 'search reachable', status: 'ok', rateLimit: { limit: 3000 } },
    ]);
    expect(await new BlueskySource({ config, keywords, ownHandles: [], appPassword: 'nope', now: () => Date.now() }).check(signal)).toMatchObject([{ name: 'app password accepted', status: 'fail' }]);
  });

  it('Reddit: the login, or a read-only warning, then a search', async () => {
    const fake = await new FakeReddit().start();
    stops.push(() => fake.stop());
    const config = redditSource.parse({ platform: 'reddit', apiBaseUrl: fake.url, tokenUrl: `${fake.url}/api/v1/access_token`, timeout: '2s' });
    const { id, secret, username, password } = fake.client;
    expect(await new RedditSource({ config, keywords, ownHandles: [], credentials: { clientId: id, clientSecret: secret, username, password }, now: () => Date.now() }).check(signal)).toMatchObject([
      { name: 'login accepted', status: 'ok' },
      { name: 'search reachable', status: 'ok', rateLimit: { remaining: 995 } },
    ]);
    expect(await new RedditSource({ config, keywords, ownHandles: [], credentials: null, now: () => Date.now() }).check(signal)).toMatchObject([
      { name: 'login accepted', status: 'warn' },
      { name: 'search reachable', status: 'ok' },
    ]);
    const refused = await new RedditSource({ config, keywords, ownHandles: [], credentials: { clientId: id, clientSecret: 'bad', username, password }, now: () => Date.now() }).check(signal);
    expect(refused).toMatchObject([{ name: 'login accepted', status: 'fail', detail: expect.stringMatching(/^Reddit refused the request \(401/) }]);
  });
});
