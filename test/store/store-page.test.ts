import { afterEach, expect, it } from 'vitest';
import { storePage } from '../../src/poll/poll-sources.js';
import type { CursorState, FetchedPage, NewMention } from '../../src/sources/types.js';
import { loadCursor } from '../../src/store/cursors.js';
import type { Store } from '../../src/store/open.js';
import { forEachEngine } from '../helpers/engines.js';

const NOW = Date.UTC(2026, 10, 20, 12);

function mention(id: string): NewMention {
  return {
    platform: 'mastodon',
    externalId: id,
    url: null,
    authorHandle: 'someone',
    authorName: null,
    authorId: '1',
    authorFollowers: 10,
    text: `acme ${id}`,
    lang: 'en',
    createdAt: NOW - 60_000,
    keywords: ['acme'],
    inReplyTo: null,
    conversationId: id,
    summonsBrand: false,
    metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 },
  };
}

const page = (ids: string[], cursor: CursorState = { next: 0, done: true }): FetchedPage => ({ mentions: ids.map(mention), ownReplies: [], cursor, postsRead: ids.length });
const source = { name: 'mastodon', prices: undefined };

forEachEngine('storePage, the one way in for polled and streamed pages', (engine) => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it('with listNew, names the mentions stored for the first time with their row ids; a streamed page saves no poll cursor', async () => {
    const store = await engine.fresh();
    stores.push(store);
    const first = await storePage({ db: store.db, now: () => NOW, listNew: true }, source, 'all', page(['a', 'b']));
    expect(first.new).toBe(2);
    expect(first.stored.map((s) => s.mention.externalId)).toEqual(['a', 'b']);
    // The same post again (stream replay, or the poll) and one new: only the new one is named.
    const again = await storePage({ db: store.db, now: () => NOW, listNew: true }, source, null, page(['b', 'c'], { next: 9, done: false }));
    expect(again.new).toBe(1);
    expect(again.stored.map((s) => s.mention.externalId)).toEqual(['c']);
    const rows = await store.db.all<{ id: number; external_id: string }>('SELECT id, external_id FROM mentions ORDER BY id');
    expect(rows.map((r) => r.external_id)).toEqual(['a', 'b', 'c']);
    expect([...first.stored, ...again.stored].map((s) => s.id)).toEqual(rows.map((r) => r.id));
    expect(await loadCursor(store.db, 'mastodon', 'all')).toEqual({ next: 0, done: true });
    // Without listNew the poll pays for no look-ups and gets no list.
    expect((await storePage({ db: store.db, now: () => NOW }, source, 'all', page(['d']))).stored).toEqual([]);
  });

  it('a page whose store fails leaves nothing of it behind: no mention, no cursor, no usage', async () => {
    const store = await engine.fresh();
    stores.push(store);
    // The volume is stored after the mentions, usage and threads: a bucket without its end fails the whole page.
    const broken: FetchedPage = { ...page(['e']), volume: [{ start: NOW, end: null as unknown as number, count: 1 }] };
    await expect(storePage({ db: store.db, now: () => NOW, listNew: true }, source, 'all', broken)).rejects.toThrow();
    expect(await store.db.all('SELECT id FROM mentions')).toEqual([]);
    expect(await loadCursor(store.db, 'mastodon', 'all')).toBeNull();
    expect(await store.db.all('SELECT source FROM api_usage')).toEqual([]);
  });
});
