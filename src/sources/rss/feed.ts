import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { htmlToText } from '../html.js';
import { MalformedBody } from '../http.js';

/** One RSS item or Atom entry, normalised. */
export interface FeedEntry {
  /** RSS `guid` / Atom `id`. */
  guid: string | null;
  /** The article's own address (Google Alerts redirects unwrapped). */
  link: string | null;
  title: string;
  /** Plain text of the summary or content. */
  summary: string;
  /** Epoch ms, when the feed gives a date. */
  published: number | null;
  author: string | null;
}

export interface Feed {
  title: string;
  language: string | null;
  entries: FeedEntry[];
}

/** The feed is well-formed XML but not RSS or Atom (an HTML error page, a sitemap…). */
export class NotAFeed extends Error {}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

type Node = unknown;

function list(node: Node): Node[] {
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}

/** Text of an element, whether or not it carried attributes. */
function text(node: Node): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return text(node[0]);
  if (typeof node === 'object') return text((node as Record<string, unknown>)['#text']);
  return '';
}

function child(node: Node, name: string): Node {
  return node && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[name] : undefined;
}

function date(value: string): number | null {
  if (!value) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : at;
}

/**
 * Google Alerts (and Google News) links are redirects like `https://www.google.com/url?…&url=<article>&…`:
 * the article is the `url` (or `q`) parameter.
 */
export function unwrapLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return link;
  }
  if (/(^|\.)google\.[a-z.]+$/i.test(url.hostname) && url.pathname === '/url') {
    const target = url.searchParams.get('url') ?? url.searchParams.get('q');
    if (target && /^https?:\/\//i.test(target)) return target;
  }
  return link;
}

function nonEmpty(value: string): string | null {
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : null;
}

function rssItem(item: Node): FeedEntry {
  const link = nonEmpty(text(child(item, 'link')));
  const description = text(child(item, 'content:encoded')) || text(child(item, 'description'));
  return {
    guid: nonEmpty(text(child(item, 'guid'))),
    link: link ? unwrapLink(link) : null,
    title: htmlToText(text(child(item, 'title'))),
    summary: htmlToText(description),
    published: date(text(child(item, 'pubDate'))) ?? date(text(child(item, 'dc:date'))),
    author: nonEmpty(text(child(item, 'dc:creator')) || text(child(item, 'author'))),
  };
}

function atomLink(entry: Node): string | null {
  const links = list(child(entry, 'link'));
  const pick =
    links.find((l) => {
      const rel = child(l, '@_rel');
      return rel === undefined || rel === 'alternate';
    }) ?? links[0];
  const href = pick === undefined ? '' : text(child(pick, '@_href'));
  return nonEmpty(href);
}

/** Every text node under an element, attributes left out (Atom `type="xhtml"` content is markup, not a string). */
function deepText(node: Node): string {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return node.map(deepText).join(' ');
  if (typeof node === 'object') {
    return Object.entries(node as Record<string, unknown>)
      .filter(([key]) => !key.startsWith('@_'))
      .map(([, value]) => deepText(value))
      .join(' ');
  }
  return '';
}

/** Plain text of an Atom text construct: `xhtml` is parsed markup (already decoded), `html` and `text` a string. */
function atomText(node: Node): string {
  if (child(node, '@_type') === 'xhtml') return deepText(node).replace(/\s+/g, ' ').trim();
  return htmlToText(text(node));
}

function atomEntry(entry: Node): FeedEntry {
  const link = atomLink(entry);
  const author = list(child(entry, 'author'))[0];
  return {
    guid: nonEmpty(text(child(entry, 'id'))),
    link: link ? unwrapLink(link) : null,
    title: atomText(child(entry, 'title')),
    summary: atomText(child(entry, 'content')) || atomText(child(entry, 'summary')),
    published: date(text(child(entry, 'published'))) ?? date(text(child(entry, 'updated'))),
    author: author === undefined ? null : nonEmpty(text(child(author, 'name'))),
  };
}

/** Parse RSS 2.0, RSS 1.0 (RDF) or Atom. Broken XML is a MalformedBody; other XML is NotAFeed. */
export function parseFeed(xml: string): Feed {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new MalformedBody(`not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  const doc = parser.parse(xml) as Record<string, unknown>;
  const rss = child(doc, 'rss');
  if (rss !== undefined) {
    const channel = child(rss, 'channel');
    return {
      title: htmlToText(text(child(channel, 'title'))),
      language: nonEmpty(text(child(channel, 'language'))),
      entries: list(child(channel, 'item')).map(rssItem),
    };
  }
  const feed = child(doc, 'feed');
  if (feed !== undefined) {
    return {
      title: htmlToText(text(child(feed, 'title'))),
      language: nonEmpty(text(child(feed, '@_xml:lang'))),
      entries: list(child(feed, 'entry')).map(atomEntry),
    };
  }
  const rdf = child(doc, 'rdf:RDF');
  if (rdf !== undefined) {
    return { title: htmlToText(text(child(child(rdf, 'channel'), 'title'))), language: null, entries: list(child(rdf, 'item')).map(rssItem) };
  }
  const root = Object.keys(doc).find((k) => !k.startsWith('?')) ?? 'nothing';
  throw new NotAFeed(`not an RSS or Atom feed (the document's root element is <${root}>)`);
}
