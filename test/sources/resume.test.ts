import { afterEach, describe, expect, it } from 'vitest';
import { blueskySource, mastodonSource, redditSource } from '../../src/config/schema.js';
import { BlueskySource } from '../../src/sources/bluesky/source.js';
import { MastodonSource } from '../../src/sources/mastodon/source.js';
import { RedditSource } from '../../src/sources/reddit/source.js';
import type { CursorState, Source } from '../../src/sources/types.js';
import { FakeBluesky } from '../fakes/bluesky.js';
import { FakeMastodon } from '../fakes/mastodon.js';
import { FakeReddit } from '../fakes/reddit.js';
import { pagingRun } from '../helpers/paging.js';

const keywords = [{ term: 'acme', exclude: [] }];
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** Poll the first (search) group twice: interrupted after one page, then resumed from the saved cursor. */
async function interruptAndResume(source: Source, addMeanwhile: () => void) {
  const [group] = source.groups();
  const first = pagingRun(1);
  expect(await first.poll(source, group!, null)).toBe(true);
  addMeanwhile();
  const second = pagingRun();
  expect(await second.poll(source, group!, first.pages.at(-1)!.cursor as CursorState)).toBe(false);
  return [...first.pages, ...second.pages].flatMap((p) => p.mentions.map((m) => m.externalId));
}

describe('an interrupted poll resumes where it stopped, then catches up', () => {
  it('Mastodon: the backfill walk continues with max_id, then min_id picks up what arrived', async () => {
    const fake = await new FakeMastodon().start();
    stops.push(() => fake.stop());
    const backlog = fake.addTagged(100);
    const source = new MastodonSource({ config: mastodonSource.parse({ platform: 'mastodon', instanceUrl: fake.url }), keywords, ownHandles: [], accessToken: null });
    let meanwhile: string[] = [];
    const ids = await interruptAndResume(source, () => (meanwhile = fake.addTagged(5).map((s) => s.id)));
    expect(ids.sort()).toEqual([...backlog.map((s) => s.id), ...meanwhile].sort());
    expect(fake.timelineRequests[1]!.query.get('max_id')).toBe(backlog[60]!.id);
    expect(fake.timelineRequests.at(-1)!.query.get('min_id')).toBe(backlog.at(-1)!.id);
  });

  it('Bluesky: the search cursor continues, then a fresh run from the watermark', async () => {
    const fake = await new FakeBluesky().start();
    stops.push(() => fake.stop());
    const backlog = fake.addMentions(25);
    const config = blueskySource.parse({ platform: 'bluesky', serviceUrl: fake.url, identifier: 'acme.bsky.social', appPasswordEnv: 'X', pageSize: 10 });
    const source = new BlueskySource({ config, keywords, ownHandles: [], appPassword: fake.password, now: () => Date.now() });
    let meanwhile: string[] = [];
    const ids = await interruptAndResume(source, () => (meanwhile = fake.addMentions(3).map((p) => p.uri)));
    expect(new Set(ids)).toEqual(new Set([...backlog.map((p) => p.uri), ...meanwhile]));
    expect(fake.searchRequests.map((r) => r.query.get('cursor'))).toEqual([null, '10', '20', null]);
    expect(fake.searchRequests.at(-1)!.query.get('since')).toBe(new Date(Date.parse(backlog.at(-1)!.record.createdAt) - 30_000).toISOString());
  });

  it('Reddit: `after` continues the run, then a fresh run from the watermark', async () => {
    const fake = await new FakeReddit().start();
    stops.push(() => fake.stop());
    const backlog = fake.addLinks(150);
    const config = redditSource.parse({ platform: 'reddit', apiBaseUrl: fake.url });
    const source = new RedditSource({ config, keywords, ownHandles: [], credentials: null, now: () => Date.now() });
    let meanwhile: string[] = [];
    const ids = await interruptAndResume(source, () => (meanwhile = fake.addLinks(4).map((l) => l.name)));
    expect(new Set(ids)).toEqual(new Set([...backlog.map((l) => l.name), ...meanwhile]));
    expect(fake.searchRequests.map((r) => r.query.get('after'))).toEqual([null, backlog[50]!.name, null]);
  });
});
