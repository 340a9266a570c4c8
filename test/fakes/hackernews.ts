import { hackerNewsSearch } from '../fixtures/documented.js';
import { FakePlatform, type RecordedRequest, type Reply } from './server.js';

/** A story or comment held by the fake Algolia HN Search API. */
export interface FakeHnItem {
  objectID: string;
  author: string;
  created_at_i: number;
  type: 'story' | 'comment';
  title?: string;
  url?: string;
  story_text?: string;
  comment_text?: string;
  story_id?: number;
  parent_id?: number;
  points?: number;
  num_comments?: number;
}

const PAGINATION_LIMIT = 1000;

/** `hn.algolia.com/api/v1/search_by_date` on 127.0.0.1 (plain HTTP), speaking Algolia's wire format. */
export class FakeHackerNews extends FakePlatform {
  readonly items: FakeHnItem[] = [];
  private nextId = 41_000_000;

  /** Answer the next search with the HN Search API's documented page (test/fixtures/hackernews), its newest hit at `at`. */
  serveDocumented(at = Date.now()): this {
    this.server.inject({ kind: 'status', status: 200, body: hackerNewsSearch(at) }, /^\/api\/v1\/search_by_date$/);
    return this;
  }

  constructor() {
    super(false);
    this.server.route('GET', /^\/api\/v1\/search_by_date$/, (r) => this.search(r));
  }

  get searchRequests(): RecordedRequest[] {
    return this.server.requestsTo(/search_by_date$/);
  }

  addStory(title: string, options: { author?: string; at?: number; text?: string } = {}): FakeHnItem {
    const id = this.nextId++;
    const item: FakeHnItem = {
      objectID: String(id),
      author: options.author ?? `hacker${id % 13}`,
      created_at_i: options.at ?? Math.floor(Date.now() / 1000),
      type: 'story',
      title,
      url: `https://blog.example/${id}`,
      points: id % 50,
      num_comments: 0,
      ...(options.text ? { story_text: options.text } : {}),
    };
    this.items.push(item);
    return item;
  }

  addComment(html: string, options: { author?: string; at?: number; parent?: FakeHnItem } = {}): FakeHnItem {
    const id = this.nextId++;
    const parent = options.parent;
    const storyId = parent ? (parent.type === 'story' ? Number(parent.objectID) : parent.story_id!) : 40_000_000;
    const item: FakeHnItem = {
      objectID: String(id),
      author: options.author ?? `hacker${id % 13}`,
      created_at_i: options.at ?? Math.floor(Date.now() / 1000),
      type: 'comment',
      comment_text: html,
      story_id: storyId,
      parent_id: parent ? Number(parent.objectID) : storyId,
    };
    this.items.push(item);
    return item;
  }

  /** `count` stories mentioning `keyword`, one a second up to now. */
  addStories(count: number, keyword = 'acme'): FakeHnItem[] {
    const now = Math.floor(Date.now() / 1000);
    return Array.from({ length: count }, (_, i) => this.addStory(`Show HN: ${keyword} thing ${this.items.length}`, { at: now - (count - i) }));
  }

  private text(item: FakeHnItem): string {
    return [item.title, item.story_text, item.comment_text, item.url].filter(Boolean).join(' ').toLowerCase();
  }

  private search(request: RecordedRequest): Reply {
    const q = request.query;
    const error = (message: string): Reply => ({ status: 400, body: { message, status: 400 } });
    const hitsPerPage = Number(q.get('hitsPerPage') ?? '20');
    const page = Number(q.get('page') ?? '0');
    if (!Number.isInteger(hitsPerPage) || hitsPerPage < 0 || hitsPerPage > 1000) return error('hitsPerPage must be between 0 and 1000');
    const words = (q.get('query') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
    // tags: comma = AND, parentheses = OR.
    const tagGroups = (q.get('tags') ?? '').match(/\([^)]*\)|[^,]+/g) ?? [];
    const filters: ((item: FakeHnItem) => boolean)[] = [];
    for (const group of tagGroups) {
      const options = group.replace(/[()]/g, '').split(',');
      filters.push((item) => options.some((tag) => tag === item.type || tag === `author_${item.author}` || tag === `story_${item.story_id ?? item.objectID}`));
    }
    for (const filter of (q.get('numericFilters') ?? '').split(',').filter(Boolean)) {
      const match = /^(created_at_i|points|num_comments)(<=|>=|<|>|=)(\d+)$/.exec(filter);
      if (!match) return error(`invalid numericFilters: ${filter}`);
      const [, field, op, value] = match as unknown as [string, keyof FakeHnItem, string, string];
      const bound = Number(value);
      filters.push((item) => {
        const v = Number(item[field] ?? 0);
        return op === '<' ? v < bound : op === '<=' ? v <= bound : op === '>' ? v > bound : op === '>=' ? v >= bound : v === bound;
      });
    }
    const matching = this.items
      .filter((item) => words.every((w) => this.text(item).includes(w)) && filters.every((f) => f(item)))
      .sort((a, b) => b.created_at_i - a.created_at_i || Number(b.objectID) - Number(a.objectID));
    const reachable = Math.min(matching.length, PAGINATION_LIMIT);
    const hits = matching.slice(page * hitsPerPage, Math.min((page + 1) * hitsPerPage, reachable));
    return {
      status: 200,
      body: {
        hits: hits.map((item) => ({
          created_at: new Date(item.created_at_i * 1000).toISOString(),
          created_at_i: item.created_at_i,
          author: item.author,
          objectID: item.objectID,
          _tags: [item.type, `author_${item.author}`, `story_${item.story_id ?? item.objectID}`],
          updated_at: new Date(item.created_at_i * 1000).toISOString(),
          ...(item.type === 'story'
            ? { title: item.title, url: item.url, points: item.points ?? 1, num_comments: item.num_comments ?? 0, story_id: Number(item.objectID), ...(item.story_text ? { story_text: item.story_text } : {}) }
            : { comment_text: item.comment_text, story_id: item.story_id, parent_id: item.parent_id, story_title: 'A story', points: null }),
          _highlightResult: {},
        })),
        nbHits: matching.length,
        page,
        nbPages: hitsPerPage === 0 ? 0 : Math.ceil(reachable / hitsPerPage),
        hitsPerPage,
        exhaustiveNbHits: true,
        exhaustiveTypo: true,
        exhaustive: { nbHits: true, typo: true },
        query: q.get('query') ?? '',
        params: new URLSearchParams(q).toString(),
        processingTimeMS: 1,
        serverTimeMS: 2,
      },
    };
  }
}
