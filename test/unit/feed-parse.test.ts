import { describe, expect, it } from 'vitest';
import { parseFeed, unwrapLink } from '../../src/sources/rss/feed.js';
import { htmlToText } from '../../src/sources/html.js';
import { graphRateLimit } from '../../src/sources/facebook/source.js';
import { isGoogleAlertsFeed } from '../../src/sources/rss/source.js';

describe('unwrapLink', () => {
  it.each([
    ['https://www.google.com/url?rct=j&sa=t&url=https://a.example/x%3Fy%3D1&ct=ga&cd=C&usg=U', 'https://a.example/x?y=1'],
    ['https://www.google.co.uk/url?q=https://b.example/&sa=U', 'https://b.example/'],
    ['https://www.google.com/url?url=javascript:alert(1)', 'https://www.google.com/url?url=javascript:alert(1)'],
    ['https://news.example/url?url=https://c.example/', 'https://news.example/url?url=https://c.example/'],
    ['not a url', 'not a url'],
  ])('%s → %s', (link, expected) => {
    expect(unwrapLink(link)).toBe(expected);
  });
});

describe('htmlToText', () => {
  it.each([
    ['<b>Acme</b> &amp; co', 'Acme & co'],
    ['a<br>b<br/>c', 'a\nb\nc'],
    ['<p>one</p><p>two</p>', 'one\n\ntwo'],
    ['<script>x()</script><style>p{}</style>kept', 'kept'],
    ['&lt;b&gt; stays literal', '<b> stays literal'],
    ['caf&eacute;&nbsp;&#x1F600;', 'café 😀'],
  ])('%s', (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});

describe('parseFeed', () => {
  it('reads RSS 1.0 (RDF) items', () => {
    const feed = parseFeed(`<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://x.example/"><title>X</title></channel>
  <item rdf:about="https://x.example/1"><title>Acme one</title><link>https://x.example/1</link><dc:date>2026-11-20T10:00:00Z</dc:date><dc:creator>Ann</dc:creator></item>
</rdf:RDF>`);
    expect(feed.entries).toEqual([{ guid: null, link: 'https://x.example/1', title: 'Acme one', summary: '', published: Date.parse('2026-11-20T10:00:00Z'), author: 'Ann' }]);
  });

  it('picks the alternate link of an Atom entry and falls back to updated', () => {
    const feed = parseFeed(`<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">T</title>
      <entry><id>urn:1</id><title>Hi</title><link rel="self" href="https://x.example/self"/><link rel="alternate" href="https://x.example/a"/>
      <updated>2026-11-20T10:00:00Z</updated><summary type="html">&lt;i&gt;s&lt;/i&gt;</summary><author><name>Bo</name></author></entry></feed>`);
    expect(feed.entries[0]).toEqual({ guid: 'urn:1', link: 'https://x.example/a', title: 'Hi', summary: 's', published: Date.parse('2026-11-20T10:00:00Z'), author: 'Bo' });
  });

  it('refuses non-feeds and broken XML', () => {
    expect(() => parseFeed('<html><body/></html>')).toThrow(/root element is <html>/);
    expect(() => parseFeed('<rss><channel>')).toThrow(/not well-formed XML/);
  });
});

describe('parseFeed against an entity bomb', () => {
  it('does not expand nested DOCTYPE entities', () => {
    const defs = ['<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">', ...'bcdefg'.split('').map((e, i) => `<!ENTITY ${e} "${`&${'abcdefg'[i]};`.repeat(10)}">`)].join('');
    const feed = parseFeed(`<?xml version="1.0"?><!DOCTYPE rss [${defs}]><rss><channel><item><title>&g;</title></item></channel></rss>`);
    expect(feed.entries[0]!.title.length).toBeLessThan(100);
  });
});

describe('isGoogleAlertsFeed', () => {
  it('knows Google Alerts feed addresses', () => {
    expect(isGoogleAlertsFeed('https://www.google.com/alerts/feeds/0651/1234')).toBe(true);
    expect(isGoogleAlertsFeed('https://news.example/alerts/feeds/1')).toBe(false);
  });
});

describe('graphRateLimit', () => {
  it('turns usage headers into a percentage gauge', () => {
    const headers = new Headers({
      'x-app-usage': '{"call_count":28,"total_time":25,"total_cputime":25}',
      'x-business-use-case-usage': '{"1001":[{"type":"pages","call_count":40,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":0}]}',
    });
    expect(graphRateLimit(headers, 0)).toEqual({ limit: 100, remaining: 60, resetAt: null });
    expect(graphRateLimit(new Headers(), 0)).toBeUndefined();
  });
});
