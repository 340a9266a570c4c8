import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { buildSources } from '../../src/sources/index.js';
import type { CursorState, FetchedPage, Source } from '../../src/sources/types.js';
import { FakeHackerNews } from '../fakes/hackernews.js';
import { FakeFacebook } from '../fakes/facebook.js';
import { pagingRun } from '../helpers/paging.js';
import { multiConfig, sourceBlock } from '../helpers/sources.js';

async function source(block: string, env: NodeJS.ProcessEnv = {}): Promise<Source> {
  const { config } = parseConfig(multiConfig([block]), 'config.yml');
  const [built] = await buildSources(config, { env, configPath: 'config.yml', now: () => Date.now() });
  return built!;
}

function ids(pages: FetchedPage[]): string[] {
  return pages.flatMap((p) => p.mentions.map((m) => m.externalId));
}

let hn: FakeHackerNews;
let fb: FakeFacebook;

beforeEach(async () => {
  [hn, fb] = await Promise.all([new FakeHackerNews().start(), new FakeFacebook().start()]);
});

afterEach(async () => {
  await Promise.all([hn.stop(), fb.stop()]);
});

describe('an interrupted poll resumes where it stopped', () => {
  it('Hacker News: the run’s bound is saved with each page; the next poll finishes the backlog, then commits the watermark', async () => {
    const hackernews = await source(sourceBlock('hackernews', { apiBaseUrl: hn.url, hitsPerPage: 10 }));
    const stories = hn.addStories(25);
    const [group] = hackernews.groups();
    const first = pagingRun(1);
    await first.poll(hackernews, group!, null);
    const saved = first.pages.at(-1)!.cursor as { newest: number | null; run: { until: number } | null };
    expect(saved.newest).toBeNull();
    expect(saved.run?.until).toBe(stories[15]!.created_at_i);

    // Newer stories arrive meanwhile: they wait for the next run, the backlog is finished without gaps.
    const newer = hn.addStory('acme arrives late', { at: stories.at(-1)!.created_at_i + 5 });
    const second = pagingRun();
    await second.poll(hackernews, group!, saved as unknown as CursorState);
    expect(new Set([...ids(first.pages), ...ids(second.pages)])).toEqual(new Set(stories.map((s) => s.objectID)));
    const committed = second.pages.at(-1)!.cursor as { newest: number; run: null };
    expect(committed).toEqual({ newest: stories.at(-1)!.created_at_i, run: null });

    const third = pagingRun();
    await third.poll(hackernews, group!, committed as unknown as CursorState);
    expect(ids(third.pages)).toContain(newer.objectID);
  });

  it('Facebook: a post is committed only when all its new comments are stored, so a stop mid-post re-reads it', async () => {
    const facebook = await source(sourceBlock('facebook', { pageId: '1001', pageTokenEnv: 'FB_PAGE_TOKEN', apiBaseUrl: fb.url }), { FB_PAGE_TOKEN: fb.token });
    const post = fb.addPost('Launch');
    const comments = fb.addComments(post, 150);
    const [group] = facebook.groups();
    const first = pagingRun(1);
    await first.poll(facebook, group!, null);
    const saved = first.pages.at(-1)!.cursor as { posts: Record<string, unknown> };
    expect(ids(first.pages)).toHaveLength(100);
    expect(saved.posts[post.id]).toBeUndefined();

    const second = pagingRun();
    await second.poll(facebook, group!, saved as unknown as CursorState);
    expect(new Set([...ids(first.pages), ...ids(second.pages)])).toEqual(new Set(comments.map((c) => c.id)));
    const committed = second.pages.at(-1)!.cursor as { posts: Record<string, { count: number }> };
    expect(committed.posts[post.id]!.count).toBe(150);
  });
});
