import { createHash } from 'node:crypto';
import { atomSample, googleAlertsSample, rss2Sample } from '../fixtures/documented.js';
import { FakePlatform, type RecordedRequest, type Reply } from './server.js';

export interface FakeFeedEntry {
  guid: string;
  link: string;
  title: string;
  /** HTML. */
  summary: string;
  published: Date;
  author?: string;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Feeds on 127.0.0.1 (plain HTTP): an RSS 2.0 feed at /rss.xml and a Google Alerts-style Atom feed at
 * /alerts/feeds/… (redirect links, escaped HTML with <b> around matches), with ETag / Last-Modified and 304s.
 */
export class FakeFeeds extends FakePlatform {
  readonly rss: FakeFeedEntry[] = [];
  readonly alerts: FakeFeedEntry[] = [];
  /** Turn off validators to see the unconditional path. */
  validators = true;
  private counter = 0;

  /** Answer the next read of a feed with its documented sample (test/fixtures/rss), dated `at`. */
  serveDocumented(feed: 'rss' | 'atom' | 'alerts', at = Date.now()): this {
    const body = feed === 'rss' ? rss2Sample(at) : feed === 'atom' ? atomSample(at) : googleAlertsSample(at);
    const type = feed === 'rss' ? 'application/rss+xml' : 'application/atom+xml';
    this.server.inject({ kind: 'status', status: 200, body, headers: { 'content-type': `${type}; charset=utf-8` } }, feed === 'rss' ? /\/rss\.xml$/ : /^\/alerts\/feeds\//);
    return this;
  }

  constructor() {
    super(false);
    this.server.route('GET', /^\/rss\.xml$/, (r) => this.serve(r, this.rssXml()));
    this.server.route('GET', /^\/alerts\/feeds\/\d+\/\d+$/, (r) => this.serve(r, this.atomXml()));
  }

  get rssUrl(): string {
    return `${this.server.url}/rss.xml`;
  }

  get alertsUrl(): string {
    return `${this.server.url}/alerts/feeds/06512345678901234567/1234567890123456789`;
  }

  requestsTo(path: RegExp): RecordedRequest[] {
    return this.server.requestsTo(path);
  }

  addRss(title: string, summary: string, options: { published?: Date; author?: string; guid?: string; link?: string } = {}): FakeFeedEntry {
    const n = ++this.counter;
    const entry: FakeFeedEntry = {
      guid: options.guid ?? `https://news.example/item/${n}`,
      link: options.link ?? `https://news.example/item/${n}`,
      title,
      summary,
      published: options.published ?? new Date(Date.now() - 60_000 + n),
      ...(options.author ? { author: options.author } : {}),
    };
    this.rss.unshift(entry);
    return entry;
  }

  /** An alert entry: its link is a google.com redirect to `article`. */
  addAlert(titleHtml: string, contentHtml: string, article: string, published = new Date()): FakeFeedEntry {
    const n = ++this.counter;
    const entry: FakeFeedEntry = {
      guid: `tag:google.com,2013:googlealerts/feed:${10_000_000_000 + n}`,
      link: `https://www.google.com/url?rct=j&sa=t&url=${encodeURIComponent(article)}&ct=ga&cd=CAIyGjk${n}&usg=AOvVaw${n}`,
      title: titleHtml,
      summary: contentHtml,
      published,
    };
    this.alerts.unshift(entry);
    return entry;
  }

  private serve(request: RecordedRequest, xml: string): Reply {
    const etag = `"${createHash('sha1').update(xml).digest('hex').slice(0, 16)}"`;
    const newest = Math.max(0, ...[...this.rss, ...this.alerts].map((e) => e.published.getTime()));
    const lastModified = new Date(Math.floor(newest / 1000) * 1000 || Date.UTC(2026, 0, 1)).toUTCString();
    const headers: Record<string, string> = { 'content-type': 'application/xml; charset=UTF-8' };
    if (this.validators) {
      headers.etag = etag;
      headers['last-modified'] = lastModified;
      if (request.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
    }
    return { status: 200, headers, body: xml };
  }

  private rssXml(): string {
    const items = this.rss.map(
      (e) => `    <item>
      <title>${escape(e.title)}</title>
      <link>${escape(e.link)}</link>
      <description>${escape(e.summary)}</description>
      <pubDate>${e.published.toUTCString()}</pubDate>
      <guid isPermaLink="${e.guid === e.link}">${escape(e.guid)}</guid>
      ${e.author ? `<dc:creator><![CDATA[${e.author}]]></dc:creator>` : ''}
    </item>`,
    );
    return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>Example News &amp; Views</title>
    <link>https://news.example/</link>
    <description>News</description>
    <language>en-gb</language>
${items.join('\n')}
  </channel>
</rss>`;
  }

  private atomXml(): string {
    const entries = this.alerts.map(
      (e) => `<entry><id>${escape(e.guid)}</id><title type="html">${escape(e.title)}</title><link href="${escape(e.link)}"/><published>${e.published.toISOString().replace(/\.\d{3}Z$/, 'Z')}</published><updated>${e.published.toISOString().replace(/\.\d{3}Z$/, 'Z')}</updated><content type="html">${escape(e.summary)}</content><author><name></name></author></entry>`,
    );
    return `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing"><id>tag:google.com,2005:reader/user/06512345678901234567/state/com.google/alerts/1234567890123456789</id><title>Google Alert - acme</title><link href="https://www.google.com/alerts/feeds/06512345678901234567/1234567890123456789" rel="self"/><updated>${new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')}</updated>${entries.join('')}</feed>`;
  }
}
