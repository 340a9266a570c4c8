import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeFeeds } from '../fakes/feed.js';
import { FakeHackerNews } from '../fakes/hackernews.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { bySource, cli, multiConfig, sourceBlock, storedRows } from '../helpers/sources.js';

let feeds: FakeFeeds;
let dir: string;

beforeEach(async () => {
  feeds = await new FakeFeeds().start();
  dir = tempDir();
  writeConfig(dir, multiConfig([sourceBlock('rss', { url: feeds.rssUrl })]));
});

afterEach(async () => {
  expect(feeds.server.unexpected).toEqual([]);
  await feeds.stop();
});

describe('poll RSS 2.0 and Atom feeds', () => {
  it('stores matching recent entries as plain text, then asks with If-None-Match and gets a 304 when nothing changed', async () => {
    feeds.addRss('Acme old news', 'from last month', { published: new Date(Date.now() - 30 * 86_400_000) });
    feeds.addRss('Weather today', 'sunny', {});
    const review = feeds.addRss('Acme &amp; friends: skates reviewed', '<p>The <b>acme</b> skates&nbsp;are <a href="https://x.example">fast</a>.</p><script>alert(1)</script>', {
      author: 'Jo Writer',
    });

    const first = await cli(dir, ['poll', '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(bySource(first.stdout).rss).toMatchObject({ status: 'ok', new: 1, pages: 1, requests: 1 });
    const [row] = storedRows(dir);
    expect(row).toMatchObject({
      platform: 'rss',
      external_id: review.link,
      url: review.link,
      author_handle: 'news.example',
      author_name: 'Jo Writer',
      created_at: Math.floor(review.published.getTime() / 1000) * 1000,
      keywords: '["acme"]',
    });
    expect(row!.text).toBe('Acme & friends: skates reviewed\n\nThe acme skates are fast.');
    expect(feeds.requestsTo(/rss\.xml/)[0]!.headers['if-none-match']).toBeUndefined();

    const second = await cli(dir, ['poll', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(bySource(second.stdout).rss).toMatchObject({ new: 0, pages: 0, requests: 1 });
    const conditional = feeds.requestsTo(/rss\.xml/)[1]!;
    expect(conditional.headers['if-none-match']).toMatch(/^"[0-9a-f]+"$/);
    expect(conditional.headers['if-modified-since']).toBeDefined();

    // A new entry, and the reviewed one again under a new link but the same guid: only the new one is stored.
    feeds.addRss('Acme recalls skates', 'recall notice');
    feeds.rss.push({ ...review, link: 'https://news.example/item/3?utm_source=feed' });
    const third = await cli(dir, ['poll', '--json']);
    expect(bySource(third.stdout).rss).toMatchObject({ new: 1, requests: 1 });
    expect(storedRows(dir).map((r) => r.text.split('\n')[0])).toEqual(['Acme & friends: skates reviewed', 'Acme recalls skates']);
  });

  it('unwraps Google Alerts redirect links, strips the <b> markup and stores an article once across entries', async () => {
    writeConfig(dir, multiConfig([sourceBlock('rss', { name: 'alerts', url: feeds.alertsUrl, filterByKeywords: false })]));
    const article = 'https://www.example-news.com/2026/11/acme-outage?id=7&x=1';
    feeds.addAlert('<b>Acme</b> outage hits customers (update)', 'Same story', article);
    feeds.addAlert('<b>Acme</b> outage hits customers', 'Customers of <b>Acme</b> report&nbsp;an outage &amp; slow support', article);
    feeds.addAlert('Roadrunner sighting', 'no brand named here', 'https://birds.example/roadrunner');
    const result = await cli(dir, ['poll', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(bySource(result.stdout).alerts).toMatchObject({ new: 2 });
    const rows = storedRows(dir);
    expect(rows.map((r) => r.url).sort()).toEqual(['https://birds.example/roadrunner', article]);
    const outage = rows.find((r) => r.url === article)!;
    expect(outage.text).toBe('Acme outage hits customers\n\nCustomers of Acme report an outage & slow support');
    expect(outage.author_handle).toBe('example-news.com');
  });

  it('stops with 75 on a 429 with a distant Retry-After', async () => {
    feeds.addRss('Acme news', 'text');
    feeds.server.inject({ kind: 'status', status: 429, headers: { 'retry-after': '3600' }, body: 'slow down' });
    const result = await cli(dir, ['poll']);
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/rss: rate limited: the feed at 127\.0\.0\.1:\d+ rate limit reached/);
  });

  it('retries a 503 and a reset connection, then stores', async () => {
    feeds.addRss('Acme news', 'text');
    feeds.server.inject({ kind: 'status', status: 503, body: 'down' });
    feeds.server.inject({ kind: 'reset' });
    const result = await cli(dir, ['poll', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(bySource(result.stdout).rss).toMatchObject({ new: 1, requests: 3 });
  });

  it('fails the feed with a clear message on broken XML or a non-feed page while another source stores (exit 3)', async () => {
    const hn = await new FakeHackerNews().start();
    try {
      hn.addStories(2);
      writeConfig(dir, multiConfig([sourceBlock('rss', { url: feeds.rssUrl }), sourceBlock('hackernews', { apiBaseUrl: hn.url })]));
      for (let i = 0; i < 3; i++) feeds.server.inject({ kind: 'status', status: 200, body: '<?xml version="1.0"?><rss><channel><item><title>acme</title></channel></rss>' });
      const broken = await cli(dir, ['poll']);
      expect(broken.code).toBe(3);
      expect(broken.stderr).toMatch(/rss: failed: the feed at 127\.0\.0\.1:\d+ is not well-formed XML \(line 1: /);
      expect(storedRows(dir, 'hackernews')).toHaveLength(2);

      feeds.server.inject({ kind: 'status', status: 200, body: '<html><body>Sign in</body></html>' });
      const html = await cli(dir, ['poll']);
      expect(html.code).toBe(3);
      expect(html.stderr).toMatch(/rss: failed: http:\/\/127\.0\.0\.1:\d+\/rss\.xml is not an RSS or Atom feed \(the document's root element is <html>\)/);
    } finally {
      await hn.stop();
    }
  });
});
