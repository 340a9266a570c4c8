import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeHackerNews } from '../fakes/hackernews.js';
import { FakeFeeds } from '../fakes/feed.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { bySource, cli, cursorOf, multiConfig, nativeResponses, sourceBlock, storedRows } from '../helpers/sources.js';

let hn: FakeHackerNews;
let dir: string;

function configure(extra: Record<string, string | number | boolean> = {}, more: string[] = []): void {
  writeConfig(dir, multiConfig([sourceBlock('hackernews', { apiBaseUrl: hn.url, ...extra }), ...more], { ownAccounts: { hackernews: 'Acme_Team' } }));
}

beforeEach(async () => {
  hn = await new FakeHackerNews().start();
  dir = tempDir();
  configure();
});

afterEach(async () => {
  expect(hn.server.unexpected).toEqual([]);
  await hn.stop();
});

describe('poll against the fake Algolia HN Search API', () => {
  it('stores stories and comments once, records the brand’s own comments as replies, and costs one request per query when nothing is new', async () => {
    const now = Math.floor(Date.now() / 1000);
    const story = hn.addStory('Acme launches rocket skates', { at: now - 600, text: 'Has anyone <i>tried</i> them?' });
    const comment = hn.addComment('<p>My acme skates broke &amp; the support form 404s.</p><p>Second&#x27;s para</p>', { at: now - 300, parent: story });
    hn.addStory('Unrelated post about rust', { at: now - 200 });
    const ours = hn.addComment('Sorry about that, we are on it', { at: now - 100, parent: comment, author: 'Acme_Team' });
    hn.server.expectCalled('GET', /^\/api\/v1\/search_by_date$/);

    const first = await cli(dir, ['poll', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(bySource(first.stdout).hackernews).toMatchObject({ status: 'ok', new: 2, pages: 2, requests: 2, nativeReplies: 1 });
    const [keywordRequest, ownRequest] = hn.searchRequests;
    expect(keywordRequest!.query.get('query')).toBe('acme');
    expect(keywordRequest!.query.get('tags')).toBe('(story,comment)');
    expect(keywordRequest!.query.get('numericFilters')).toMatch(/^created_at_i>\d+$/);
    expect(ownRequest!.query.get('tags')).toBe('comment,author_Acme_Team');

    const rows = storedRows(dir);
    expect(rows.map((r) => r.external_id)).toEqual([story.objectID, comment.objectID]);
    expect(rows[0]).toMatchObject({
      platform: 'hackernews',
      url: `https://news.ycombinator.com/item?id=${story.objectID}`,
      author_handle: story.author,
      created_at: story.created_at_i * 1000,
      conversation_id: story.objectID,
    });
    expect(rows[0]!.text).toBe(`Acme launches rocket skates\n\nHas anyone tried them?\n\n${story.url}`);
    expect(rows[1]!.text).toBe("My acme skates broke & the support form 404s.\n\nSecond's para");
    expect(rows[1]).toMatchObject({ in_reply_to: story.objectID, conversation_id: story.objectID, status: 'replied' });
    expect(nativeResponses(dir)).toEqual([{ external_id: ours.objectID, mention_external_id: comment.objectID, via: 'native' }]);

    const second = await cli(dir, ['poll', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(bySource(second.stdout).hackernews).toMatchObject({ new: 0, requests: 2, nativeReplies: 0 });
    // The cursor moved to the newest stored item, less the 10-minute overlap for Algolia's indexing lag.
    const newest = Math.max(comment.created_at_i, ours.created_at_i);
    expect(hn.searchRequests[2]!.query.get('numericFilters')).toBe(`created_at_i>${comment.created_at_i - 600}`);
    expect(hn.searchRequests[3]!.query.get('numericFilters')).toBe(`created_at_i>${newest - 600}`);

    const later = hn.addComment('acme answered within an hour, impressive', { at: now + 1 });
    const third = await cli(dir, ['poll', '--json']);
    expect(bySource(third.stdout).hackernews).toMatchObject({ new: 1, requests: 2 });
    expect(storedRows(dir).map((r) => r.external_id)).toEqual([story.objectID, comment.objectID, later.objectID]);
  });

  it('pages a backlog newest first by narrowing created_at_i, never by page number, and stores it whole', async () => {
    configure({ hitsPerPage: 10 });
    const stories = hn.addStories(35);
    const result = await cli(dir, ['poll', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(bySource(result.stdout).hackernews).toMatchObject({ new: 35, pages: 5, requests: 5 });
    const keyword = hn.searchRequests.filter((r) => r.query.get('query') === 'acme');
    expect(keyword).toHaveLength(4);
    expect(keyword.every((r) => r.query.get('page') === '0')).toBe(true);
    expect(keyword[1]!.query.get('numericFilters')).toBe(`created_at_i>${keyword[0]!.query.get('numericFilters')!.split('>')[1]},created_at_i<=${stories[25]!.created_at_i}`);
    expect(storedRows(dir)).toHaveLength(35);
    expect(cursorOf(dir, 'hackernews')[0]).toEqual({ newest: stories[34]!.created_at_i, run: null });
  });

  it('stops with 75 on a 429 whose Retry-After is further off than rateLimitWait', async () => {
    hn.addStories(3);
    hn.server.inject({ kind: 'status', status: 429, headers: { 'retry-after': '600' }, body: { message: 'Too many requests', status: 429 } });
    const result = await cli(dir, ['poll']);
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/hackernews: rate limited: Hacker News search rate limit reached; stopped for this run until/);
    expect(storedRows(dir)).toHaveLength(0);
  });

  it('retries a 502, then stores', async () => {
    hn.addStories(3);
    hn.server.inject({ kind: 'status', status: 502, body: 'Bad Gateway' }, /search_by_date/);
    const result = await cli(dir, ['poll', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(bySource(result.stdout).hackernews).toMatchObject({ new: 3, requests: 3 });
  });

  it('fails the source with a clear message on a malformed payload while another source still stores (exit 3)', async () => {
    const feeds = await new FakeFeeds().start();
    try {
      feeds.addRss('Acme skates reviewed', '<p>Great acme skates</p>');
      configure({}, [sourceBlock('rss', { url: feeds.rssUrl })]);
      hn.addStories(2);
      hn.server.inject({ kind: 'status', status: 200, body: { hits: [{ objectID: 12, author: 'x' }], nbHits: 1 } }, /search_by_date/);
      const wrongShape = await cli(dir, ['poll']);
      expect(wrongShape.code).toBe(3);
      expect(wrongShape.stderr).toMatch(/hackernews: failed: unexpected search response from Hacker News \(hits\.0\.objectID: /);
      expect(wrongShape.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(storedRows(dir, 'rss')).toHaveLength(1);

      for (let i = 0; i < 3; i++) hn.server.inject({ kind: 'malformed' }, /search_by_date/);
      const malformed = await cli(dir, ['poll']);
      expect(malformed.code).toBe(3);
      expect(malformed.stderr).toMatch(/hackernews: failed: Hacker News search sent an incomplete or malformed response/);
    } finally {
      await feeds.stop();
    }
  });
});
