import { afterEach, describe, expect, it } from 'vitest';
import { blueskySource, facebookSource, hackernewsSource, mastodonSource, redditSource, rssSource } from '../../src/config/schema.js';
import { BlueskySource } from '../../src/sources/bluesky/source.js';
import { FacebookSource } from '../../src/sources/facebook/source.js';
import { HackerNewsSource } from '../../src/sources/hackernews/source.js';
import { MastodonSource } from '../../src/sources/mastodon/source.js';
import { RedditSource } from '../../src/sources/reddit/source.js';
import { RssSource } from '../../src/sources/rss/source.js';
import type { FetchedPage, Source } from '../../src/sources/types.js';
import { FakeBluesky } from '../fakes/bluesky.js';
import { FakeFacebook } from '../fakes/facebook.js';
import { FakeFeeds } from '../fakes/feed.js';
import { FakeHackerNews } from '../fakes/hackernews.js';
import { FakeMastodon } from '../fakes/mastodon.js';
import { FakeReddit } from '../fakes/reddit.js';
import { pagingRun } from '../helpers/paging.js';
import { mapPosts, searchOutput } from '../../src/sources/bluesky/payload.js';
import { commentsResponse, feedResponse, mapComment, postMention } from '../../src/sources/facebook/payload.js';
import { mapHits, searchResponse } from '../../src/sources/hackernews/payload.js';
import { mapStatuses, statusList } from '../../src/sources/mastodon/payload.js';
import { linkListing, mapLinks } from '../../src/sources/reddit/payload.js';
import { parseFeed } from '../../src/sources/rss/feed.js';
import {
  atomSample,
  blueskySearch,
  facebookComments,
  facebookFeed,
  googleAlertsSample,
  hackerNewsSearch,
  mastodonTimeline,
  redditListing,
  rss2Sample,
} from '../fixtures/documented.js';

/** masto hands statuses over with camelCase keys; the fixture is the wire's snake_case. */
function camelKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), camelKeys(v)]));
}

describe("the mappings keep every field we rely on from the platforms' documented responses", () => {
  it('Reddit: the documented t3 Listing (reddit wiki, API: info.json)', () => {
    const page = linkListing.parse(redditListing());
    const [mention, ...rest] = mapLinks(
      page.data.children.map((c) => c.data),
      { keywords: [{ term: 'programmers', exclude: [] }], ownHandles: ['acme_help'] },
    );
    expect(rest).toEqual([]);
    expect(mention).toEqual({
      platform: 'reddit',
      externalId: 't3_i0jf9',
      url: 'https://www.reddit.com/r/blog/comments/i0jf9/reddit_levels_up_with_three_new_programmers/',
      authorHandle: 'hueypriest',
      authorName: null,
      // The 2011 example predates `author_fullname`: no account id to keep.
      authorId: null,
      authorFollowers: null,
      text: 'reddit Levels Up with Three New Programmers',
      lang: null,
      createdAt: 1308164715000,
      keywords: ['programmers'],
      inReplyTo: null,
      conversationId: 't3_i0jf9',
      summonsBrand: false,
      metrics: { likes: 1520, reposts: 0, replies: 533, quotes: 0 },
    });
  });

  it('Hacker News: the documented search hit, and a comment built from the documented item', () => {
    const page = searchResponse.parse(hackerNewsSearch());
    expect(page).toMatchObject({ nbHits: 11, page: 0, nbPages: 1, hitsPerPage: 20 });
    const { mentions, ownReplies } = mapHits(page, { keywords: [{ term: 'pg', exclude: [] }], ownHandles: [] });
    expect(ownReplies).toEqual([]);
    expect(mentions).toEqual([
      {
        platform: 'hackernews',
        externalId: '1',
        url: 'https://news.ycombinator.com/item?id=1',
        authorHandle: 'pg',
        authorName: null,
        authorId: 'pg',
        authorFollowers: null,
        text: 'Y Combinator\n\nhttp://ycombinator.com',
        lang: null,
        createdAt: Date.parse('2006-10-09T18:21:51.000Z'),
        // Algolia matched the author, not the text: the hit still counts for the group's keyword.
        keywords: ['pg'],
        inReplyTo: null,
        conversationId: '1',
        summonsBrand: false,
        metrics: { likes: 57, reposts: 0, replies: 2, quotes: 0 },
      },
      {
        platform: 'hackernews',
        externalId: '15',
        url: 'https://news.ycombinator.com/item?id=15',
        authorHandle: 'sama',
        authorName: null,
        authorId: 'sama',
        authorFollowers: null,
        // `&#34;` decoded: plain text, never HTML.
        text: '"the rising star of venture capital" -unknown VC eating lunch on SHR',
        lang: null,
        createdAt: Date.parse('2006-10-09T19:51:01.000Z'),
        keywords: ['pg'],
        inReplyTo: '1',
        conversationId: '1',
        summonsBrand: false,
        metrics: { likes: 5, reposts: 0, replies: 0, quotes: 0 },
      },
    ]);
  });

  it('RSS 2.0: the RSS board sample file (an untitled item included)', () => {
    const feed = parseFeed(rss2Sample());
    expect(feed).toMatchObject({ title: 'Liftoff News', language: 'en-us' });
    expect(feed.entries).toEqual([
      {
        guid: 'http://liftoff.msfc.nasa.gov/2003/06/03.html#item573',
        link: 'http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp',
        title: 'Star City',
        summary:
          "How do Americans get ready to work with Russians aboard the International Space Station? They take a crash course in culture, language and protocol at Russia's Star City.",
        published: Date.parse('2003-06-03T09:39:21Z'),
        author: null,
      },
      {
        guid: 'http://liftoff.msfc.nasa.gov/2003/05/30.html#item572',
        link: null,
        title: '',
        summary: 'Sky watchers in Europe, Asia, and parts of Alaska and Canada will experience a partial eclipse of the Sun on Saturday, May 31st.',
        published: Date.parse('2003-05-30T11:06:42Z'),
        author: null,
      },
    ]);
  });

  it('Atom: the RFC 4287 example (alternate link over enclosure, published over updated, xhtml content)', () => {
    const feed = parseFeed(atomSample());
    expect(feed.title).toBe('dive into mark');
    expect(feed.entries).toEqual([
      {
        guid: 'tag:example.org,2003:3.2397',
        link: 'http://example.org/2005/04/02/atom',
        title: 'Atom draft-07 snapshot',
        summary: '[Update: The Atom draft is finished.]',
        published: Date.parse('2003-12-13T12:29:29Z'),
        author: 'Mark Pilgrim',
      },
    ]);
  });

  it('Google Alerts: the redirect unwrapped, <b> and double escaping decoded, the empty author dropped', () => {
    const feed = parseFeed(googleAlertsSample());
    expect(feed.title).toBe('Google Alert - acme');
    expect(feed.entries).toEqual([
      {
        guid: 'tag:google.com,2013:googlealerts/feed:10293847561029384756',
        link: 'https://news.example.com/2026/11/30/acme-kettle-recall?utm_source=rss',
        title: 'Acme recalls 40,000 kettles & offers refunds',
        summary: 'The recall covers Acme K-200 kettles sold since March; Acme says customers "will be refunded in full" ...',
        published: Date.parse('2026-11-30T09:12:44Z'),
        author: null,
      },
    ]);
  });

  it('Facebook: a Page feed post and its comments (Graph API reference fields)', () => {
    const ctx = { pageId: '19292868552', keywords: [{ term: 'acme', exclude: [] }] };
    const feed = feedResponse.parse(facebookFeed());
    expect(feed.paging?.next).toBeUndefined();
    expect(postMention(feed.data[0]!, ctx)).toEqual({
      platform: 'facebook',
      externalId: '19292868552_10158977468703553',
      url: 'https://www.facebook.com/19292868552/posts/10158977468703553',
      authorHandle: 'Dana Whitfield',
      authorName: 'Dana Whitfield',
      authorId: '7012345678901234',
      authorFollowers: null,
      text: 'Does the Acme kettle ship to Canada? Asking for my mum 🙂',
      lang: null,
      createdAt: Date.parse('2026-07-05T15:12:00Z'),
      keywords: ['acme'],
      inReplyTo: null,
      conversationId: '19292868552_10158977468703553',
      summonsBrand: true,
      metrics: { likes: 0, reposts: 0, replies: 3, quotes: 0 },
    });
    const comments = commentsResponse.parse(facebookComments());
    const postId = feed.data[0]!.id;
    const [customer, page] = comments.data.map((c) => mapComment(c, postId, ctx));
    expect(customer).toEqual({
      mention: {
        platform: 'facebook',
        externalId: '10158977468703553_1234567890123999',
        url: 'https://www.facebook.com/19292868552/posts/10158977468703553/?comment_id=1234567890123999',
        authorHandle: 'Dana Whitfield',
        authorName: 'Dana Whitfield',
        authorId: '7012345678901234',
        authorFollowers: null,
        text: '@Acme any update? The kettle order page still says US only',
        lang: null,
        createdAt: Date.parse('2026-07-05T16:02:11Z'),
        keywords: ['acme'],
        inReplyTo: '10158977468703553_1234567890123777',
        conversationId: postId,
        summonsBrand: true,
        metrics: { likes: 4, reposts: 0, replies: 1, quotes: 0 },
      },
    });
    // The Page's own comment is its reply to the post.
    expect(page).toEqual({
      ownReply: { platform: 'facebook', externalId: '10158977468703553_1234567890123777', inReplyTo: postId, text: "Hi Dana, we're checking with our shipping team.", createdAt: Date.parse('2026-07-05T15:30:40Z') },
    });
  });

  it('Mastodon: the documented Status (mastodon/documentation, entities/Status.md)', () => {
    const statuses = statusList.parse(camelKeys(mastodonTimeline()));
    const { mentions, ownReplies } = mapStatuses(statuses, {
      instanceHost: 'mastodon.social',
      ownAccounts: ['acme@mastodon.social'],
      tags: new Map(),
      keywords: [{ term: 'inheritance', exclude: [] }],
    });
    expect(ownReplies).toEqual([]);
    expect(mentions).toEqual([
      {
        platform: 'mastodon',
        externalId: '103270115826048975',
        url: 'https://mastodon.social/@Gargron/103270115826048975',
        authorHandle: 'gargron@mastodon.social',
        authorName: 'Eugen',
        authorId: '1',
        authorFollowers: 322930,
        // Entities decoded, paragraphs kept, the link's hidden spans joined back into its address.
        text: '"I lost my inheritance with one wrong digit on my sort code"\n\nhttps://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code',
        lang: 'en',
        createdAt: Date.parse('2019-12-08T03:48:33.901Z'),
        keywords: ['inheritance'],
        inReplyTo: null,
        conversationId: null,
        summonsBrand: false,
        metrics: { likes: 11, reposts: 6, replies: 5, quotes: 2 },
      },
    ]);
  });

  it('Bluesky: a searchPosts postView built from the lexicons (a reply that @mentions the brand)', () => {
    const out = searchOutput.parse(blueskySearch());
    const { mentions } = mapPosts(out.posts, { keywords: [{ term: 'acme', exclude: [] }], ownHandles: ['acme.example'], ownDid: 'did:plc:acmeacmeacmeacmeacmeacme' });
    expect(mentions).toEqual([
      {
        platform: 'bluesky',
        externalId: 'at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oveex3ii2l',
        url: 'https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l',
        authorHandle: 'bsky.app',
        authorName: 'Bluesky',
        authorId: 'did:plc:z72i7hdynmk6r22z27h6tvur',
        authorFollowers: null,
        text: '@acme.example thanks, the Acme support team answered in minutes',
        lang: 'en',
        createdAt: Date.parse('2024-10-14T17:02:45.211Z'),
        keywords: ['acme'],
        inReplyTo: 'at://did:plc:acmeacmeacmeacmeacmeacme/app.bsky.feed.post/3l6ovaqxvgs2p',
        conversationId: 'at://did:plc:acmeacmeacmeacmeacmeacme/app.bsky.feed.post/3l6ov5ttbs52p',
        summonsBrand: true,
        metrics: { likes: 560, reposts: 34, replies: 12, quotes: 7 },
      },
    ]);
  });
});

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function started<T extends { start(): Promise<T>; stop(): Promise<void> }>(fake: T): Promise<T> {
  await fake.start();
  stops.push(() => fake.stop());
  return fake;
}

/** Every group of a source polled once from scratch, through the poll's own paging loop. */
async function pollAll(source: Source): Promise<FetchedPage[]> {
  const pages: FetchedPage[] = [];
  for (const group of source.groups()) {
    const run = pagingRun();
    await run.poll(source, group, null);
    pages.push(...run.pages);
  }
  return pages;
}

const mentionsOf = (pages: FetchedPage[]) => pages.flatMap((p) => p.mentions);
const at = Date.now() - 60_000;

describe('the fakes serve the documented responses to the real sources', () => {
  it('Reddit', async () => {
    const fake = (await started(new FakeReddit())).serveDocumented(at);
    const config = redditSource.parse({ platform: 'reddit', apiBaseUrl: fake.url });
    const source = new RedditSource({ config, keywords: [{ term: 'programmers', exclude: [] }], ownHandles: [], credentials: null, now: () => Date.now() });
    expect(mentionsOf(await pollAll(source))).toMatchObject([
      { externalId: 't3_i0jf9', authorHandle: 'hueypriest', url: 'https://www.reddit.com/r/blog/comments/i0jf9/reddit_levels_up_with_three_new_programmers/', metrics: { likes: 1520, replies: 533 } },
    ]);
  });

  it('Hacker News', async () => {
    const fake = (await started(new FakeHackerNews())).serveDocumented(at);
    const config = hackernewsSource.parse({ platform: 'hackernews', apiBaseUrl: fake.url });
    const source = new HackerNewsSource({ config, keywords: [{ term: 'pg', exclude: [] }], ownHandles: [], now: () => Date.now() });
    expect(mentionsOf(await pollAll(source))).toMatchObject([
      { externalId: '1', authorHandle: 'pg', metrics: { likes: 57, replies: 2 } },
      { externalId: '15', authorHandle: 'sama', inReplyTo: '1', conversationId: '1', text: '"the rising star of venture capital" -unknown VC eating lunch on SHR' },
    ]);
  });

  it('RSS 2.0, Atom and Google Alerts', async () => {
    const fake = await started(new FakeFeeds());
    const read = async (feed: 'rss' | 'atom' | 'alerts', url: string, term: string) => {
      fake.serveDocumented(feed, at);
      const config = rssSource.parse({ platform: 'rss', url });
      return mentionsOf(await pollAll(new RssSource({ config, keywords: [{ term, exclude: [] }], now: () => Date.now() })));
    };
    expect(await read('rss', fake.rssUrl, 'space station')).toMatchObject([
      { externalId: 'http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp', authorHandle: 'liftoff.msfc.nasa.gov', lang: 'en-us', createdAt: Math.floor(at / 1000) * 1000 },
    ]);
    expect(await read('atom', fake.alertsUrl, 'atom')).toMatchObject([
      { externalId: 'http://example.org/2005/04/02/atom', authorName: 'Mark Pilgrim', text: 'Atom draft-07 snapshot\n\n[Update: The Atom draft is finished.]' },
    ]);
    expect(await read('alerts', fake.alertsUrl, 'acme')).toMatchObject([
      { externalId: 'https://news.example.com/2026/11/30/acme-kettle-recall?utm_source=rss', authorHandle: 'news.example.com', keywords: ['acme'] },
    ]);
  });

  it('Facebook', async () => {
    const fake = (await started(new FakeFacebook())).serveDocumented(at);
    const config = facebookSource.parse({ platform: 'facebook', pageId: '19292868552', pageTokenEnv: 'FB_TOKEN', apiBaseUrl: fake.url });
    const pages = await pollAll(new FacebookSource({ config, keywords: [{ term: 'acme', exclude: [] }], pageToken: fake.token, now: () => Date.now() }));
    expect(mentionsOf(pages).map((m) => [m.externalId, m.authorId, m.inReplyTo])).toEqual(
      expect.arrayContaining([
        ['19292868552_10158977468703553', '7012345678901234', null],
        ['10158977468703553_1234567890123999', '7012345678901234', '10158977468703553_1234567890123777'],
      ]),
    );
    expect(pages.flatMap((p) => p.ownReplies).map((r) => r.externalId)).toContain('10158977468703553_1234567890123777');
  });

  it('Mastodon (masto turns the snake_case wire format into what the mapping reads)', async () => {
    const fake = (await started(new FakeMastodon())).serveDocumented(at);
    const config = mastodonSource.parse({ platform: 'mastodon', instanceUrl: fake.url });
    const source = new MastodonSource({ config, keywords: [{ term: 'inheritance', exclude: [] }], ownHandles: [], accessToken: null });
    expect(mentionsOf(await pollAll(source))).toMatchObject([
      { externalId: '103270115826048975', authorName: 'Eugen', authorId: '1', authorFollowers: 322930, lang: 'en', url: 'https://mastodon.social/@Gargron/103270115826048975', metrics: { likes: 11, reposts: 6, replies: 5, quotes: 2 } },
    ]);
  });

  it('Bluesky', async () => {
    const fake = (await started(new FakeBluesky())).serveDocumented(at);
    const config = blueskySource.parse({ platform: 'bluesky', serviceUrl: fake.url, identifier: 'acme.bsky.social', appPasswordEnv: 'X', followerCounts: false });
    const source = new BlueskySource({ config, keywords: [{ term: 'acme', exclude: [] }], ownHandles: [], appPassword: fake.password, now: () => Date.now() });
    expect(mentionsOf(await pollAll(source))).toMatchObject([
      { authorHandle: 'bsky.app', authorId: 'did:plc:z72i7hdynmk6r22z27h6tvur', lang: 'en', inReplyTo: 'at://did:plc:acmeacmeacmeacmeacmeacme/app.bsky.feed.post/3l6ovaqxvgs2p', metrics: { likes: 560, reposts: 34, replies: 12, quotes: 7 } },
    ]);
  });
});
