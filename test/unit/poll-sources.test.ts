import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pollSources } from '../../src/poll/poll-sources.js';
import { loadCursor, saveCursor } from '../../src/store/cursors.js';
import { openStore, type Store } from '../../src/store/open.js';
import { RateLimitStop, SourceFailure } from '../../src/sources/request.js';
import type { CursorState, FetchedPage, NewMention, PagingEnvironment, QueryGroup, Source } from '../../src/sources/types.js';
import { tempDir } from '../helpers/cli.js';

const NOW = Date.UTC(2026, 10, 20, 12);
const stores: Store[] = [];

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

function mention(id: string): NewMention {
  return {
    platform: 'scripted',
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

/** A source that serves `total` posts newest first, `size` a page; its cursor is `{ next, done }`. */
class ScriptedSource implements Source {
  readonly platform = 'scripted';
  readonly name = 'scripted';
  /** Each page the poll asked for, with the allowance it got. */
  readonly asked: { from: number; allowance: number }[] = [];
  failWith: ((group: QueryGroup) => Error | null) | null = null;

  constructor(
    private readonly total: number,
    private readonly size: number,
    private readonly keys = ['all'],
    readonly readUnit?: string,
  ) {}

  groups(): QueryGroup[] {
    return this.keys.map((key) => ({ key, query: 'acme', keywords: [{ term: 'acme', exclude: [] }] }));
  }

  midRun(cursor: CursorState): boolean {
    return cursor.done === false;
  }

  async *pages(group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    let from = (saved?.next as number | undefined) ?? 0;
    for (;;) {
      const allowance = await env.allowance(this.size);
      this.asked.push({ from, allowance });
      await env.countRequest();
      const failure = this.failWith?.(group);
      if (failure) throw failure;
      const ids = Array.from({ length: Math.min(allowance, this.total - from) }, (_, i) => `${group.key}-${from + i}`);
      from += ids.length;
      const done = from >= this.total;
      yield { mentions: ids.map(mention), ownReplies: [], cursor: { next: from, done }, postsRead: ids.length };
      if (done) return;
    }
  }
}

async function poll(source: Source, options: { budget?: number; signal?: AbortSignal; cursor?: CursorState } = {}) {
  const store = await openStore(join(tempDir(), 'poll.db'));
  stores.push(store);
  if (options.cursor) await saveCursor(store.db, source.name, 'all', options.cursor, NOW);
  const run = pollSources({
    db: store.db,
    sources: [source],
    budgets: new Map(options.budget === undefined ? [] : [[source.name, options.budget]]),
    now: () => NOW,
    sleep: async () => undefined,
    signal: options.signal ?? new AbortController().signal,
    verbose: () => undefined,
  });
  return { store, run: run.then(([result]) => result!) };
}

describe('pollSources pages a source and owns stopping, budgets and storing', () => {
  it('stores every page with its cursor and counts each request', async () => {
    const source = new ScriptedSource(250, 100);
    const { store, run } = await poll(source);
    expect(await run).toMatchObject({ status: 'ok', new: 250, pages: 3, requests: 3, postsRead: 250, message: null });
    expect(await loadCursor(store.db, 'scripted', 'all')).toEqual({ next: 250, done: true });
  });

  it('stops at the next page boundary when the signal fires, without asking for another page', async () => {
    const controller = new AbortController();
    const source = new ScriptedSource(250, 100);
    const original = source.pages.bind(source);
    source.pages = async function* (group, cursor, env) {
      // The signal arrives while a page is on its way: that page is stored, no other is asked for.
      for await (const page of original(group, cursor, env)) {
        controller.abort();
        yield page;
      }
    };
    const { store, run } = await poll(source, { signal: controller.signal });
    expect(await run).toMatchObject({ status: 'ok', pages: 1, new: 100, message: 'interrupted; the next poll resumes here' });
    expect(source.asked).toHaveLength(1);
    expect(await loadCursor(store.db, 'scripted', 'all')).toEqual({ next: 100, done: false });
  });

  it('gives the last pages only what the budget allows, then stops the source with budget_exhausted', async () => {
    const source = new ScriptedSource(500, 100, ['all'], 'items');
    const { run } = await poll(source, { budget: 150 });
    const result = await run;
    expect(source.asked.map((a) => a.allowance)).toEqual([100, 50]);
    expect(result).toMatchObject({
      status: 'budget_exhausted',
      new: 150,
      message: 'monthly read budget of 150 items is used up; raise monthlyReadBudget or wait for next month',
    });
  });

  it('is ok when the last page spends the budget exactly: the source asked for nothing more', async () => {
    const { run } = await poll(new ScriptedSource(150, 100), { budget: 150 });
    expect(await run).toMatchObject({ status: 'ok', new: 150 });
  });

  it('after finishing a resumed run, starts a fresh one from the committed cursor', async () => {
    const source = new ScriptedSource(300, 100);
    await (await poll(source, { cursor: { next: 200, done: false } })).run;
    expect(source.asked.map((a) => a.from)).toEqual([200, 300]);
  });

  it('sorts rate-limit stops and failures: a SourceFailure fails one group, the next still runs', async () => {
    const limited = new ScriptedSource(100, 100);
    limited.failWith = () => new RateLimitStop('X rate limit reached', { limit: 450, remaining: 0, resetAt: NOW + 600_000 });
    expect(await (await poll(limited)).run).toMatchObject({
      status: 'rate_limited',
      message: `X rate limit reached; stopped for this run until ${new Date(NOW + 600_000).toISOString()}`,
      rateLimit: { remaining: 0 },
    });

    const failing = new ScriptedSource(100, 100, ['a', 'b']);
    failing.failWith = (group) => (group.key === 'a' ? new SourceFailure('unexpected search response') : null);
    expect(await (await poll(failing)).run).toMatchObject({ status: 'failed', message: 'unexpected search response', new: 100 });
  });
});
