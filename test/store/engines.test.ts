import { afterEach, expect, it } from 'vitest';
import { pollSources } from '../../src/poll/poll-sources.js';
import type { CursorState, FetchedPage, NewMention, PagingEnvironment, QueryGroup, Source } from '../../src/sources/types.js';
import { SourceFailure } from '../../src/sources/request.js';
import { changeStatus } from '../../src/store/changes.js';
import { loadCursor } from '../../src/store/cursors.js';
import { eventsFor } from '../../src/store/events.js';
import { countMatching, insertMentions, listMentions } from '../../src/store/mentions.js';
import type { Store } from '../../src/store/open.js';
import { claimReplyAttempt, recordOwnReplies, recordResponseSent, responsesFor } from '../../src/store/responses.js';
import { addUsage, monthUsage } from '../../src/store/usage.js';
import { forEachEngine } from '../helpers/engines.js';

const NOW = Date.UTC(2026, 10, 20, 12);

function mention(id: string, overrides: Partial<NewMention> = {}): NewMention {
  return {
    platform: 'twitter',
    externalId: id,
    url: null,
    authorHandle: 'someone',
    authorName: null,
    authorId: '1',
    authorFollowers: 10,
    text: `acme ${id}`,
    lang: 'en',
    createdAt: NOW - 3_600_000,
    keywords: ['acme'],
    inReplyTo: null,
    conversationId: id,
    summonsBrand: false,
    metrics: { likes: 1, reposts: 0, replies: 0, quotes: 0 },
    ...overrides,
  };
}

/** Serves `total` posts, `size` a page, failing once at page `failAt` (1-based) when set. */
class ScriptedSource implements Source {
  readonly platform = 'twitter';
  readonly name = 'scripted';
  failAt: number | null = null;
  private served = 0;
  constructor(
    private readonly total: number,
    private readonly size: number,
  ) {}
  groups(): QueryGroup[] {
    return [{ key: 'all', query: 'acme', keywords: [{ term: 'acme', exclude: [] }] }];
  }
  midRun(cursor: CursorState): boolean {
    return cursor.done === false;
  }
  async *pages(_group: QueryGroup, saved: CursorState | null, env: PagingEnvironment): AsyncGenerator<FetchedPage> {
    let from = (saved?.next as number | undefined) ?? 0;
    for (;;) {
      env.countRequest();
      this.served++;
      if (this.failAt !== null && this.served === this.failAt) throw new SourceFailure('scripted: the connection dropped');
      const ids = Array.from({ length: Math.min(this.size, this.total - from) }, (_, i) => `p${from + i}`);
      from += ids.length;
      const done = from >= this.total;
      yield { mentions: ids.map((id) => mention(id)), ownReplies: [], cursor: { next: from, done }, postsRead: ids.length };
      if (done) return;
    }
  }
}

const poll = (store: Store, source: Source) =>
  pollSources({
    db: store.db,
    sources: [source],
    budgets: new Map(),
    now: () => NOW,
    sleep: async () => {},
    signal: new AbortController().signal,
    verbose: () => {},
  });

forEachEngine('the store', (engine) => {
  const open: Store[] = [];
  const fresh = async () => {
    const store = await engine.fresh();
    open.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
  });

  it('stores each mention once (ids above 2^53 kept as text) and refreshes the metrics of open ones', async () => {
    const { db } = await fresh();
    const insert = (ms: NewMention[]) => db.transaction((tx) => insertMentions(tx, 'twitter', ms, NOW));
    expect(await insert([mention('9007199254740993'), mention('9007199254740995')])).toBe(2);
    expect(await insert([mention('9007199254740993', { metrics: { likes: 50, reposts: 3, replies: 2, quotes: 1 } })])).toBe(0);
    const rows = await listMentions(db);
    expect(rows.map((r) => r.externalId).sort()).toEqual(['9007199254740993', '9007199254740995']);
    expect(rows.find((r) => r.externalId === '9007199254740993')!.likes).toBe(50);
    expect(await countMatching(db)).toBe(2);
  });

  it('a batch runs its statements in order and tells each one\'s changes; a page with a post twice stores it once, with the later reading', async () => {
    const { db } = await fresh();
    const results = await db.transaction((tx) =>
      tx.batch([
        ["INSERT INTO cursors (source, query_key, state, updated_at) VALUES ('s', 'a', '1', 1)"],
        ['UPDATE cursors SET state = ? WHERE source = ?', ['2', 's']],
        ['UPDATE cursors SET state = ? WHERE source = ?', ['3', 'nobody']],
      ]),
    );
    expect(results).toEqual([{ changes: 1 }, { changes: 1 }, { changes: 0 }]);
    expect(await db.all('SELECT state FROM cursors')).toEqual([{ state: '2' }]);
    // Outside a transaction too (SQLite gives it one of its own).
    expect(await db.batch([['UPDATE cursors SET state = ? WHERE source = ?', ['4', 's']]])).toEqual([{ changes: 1 }]);

    const page = [mention('d1'), mention('d2'), mention('d1', { metrics: { likes: 7, reposts: 0, replies: 0, quotes: 0 } })];
    expect(await db.transaction((tx) => insertMentions(tx, 'twitter', page, NOW))).toBe(2);
    const rows = await listMentions(db);
    expect(rows.map((r) => r.externalId).sort()).toEqual(['d1', 'd2']);
    expect(rows.find((r) => r.externalId === 'd1')!.likes).toBe(7);
  });

  it('stores hostile text as received: a lone surrogate becomes U+FFFD, and on PostgreSQL (whose text has no NUL) a NUL too', async () => {
    const { db } = await fresh();
    const text = "acme \u0000 nul, \ud800 lone, 'quote' \"double\" \\ 😡 -- ; DROP TABLE mentions";
    await db.transaction((tx) => insertMentions(tx, 'twitter', [mention('h1', { text, authorName: 'Kim \u0000' })], NOW));
    const [stored] = await listMentions(db);
    const nul = engine.kind === 'postgres' ? '\uFFFD' : '\u0000';
    expect(stored!.text).toBe(text.replace('\u0000', nul).replace('\ud800', '\uFFFD'));
    expect(stored!.authorName).toBe(`Kim ${nul}`);
  });

  it('filters by author and keyword in any case, and searches word prefixes', async () => {
    const { db } = await fresh();
    await db.transaction((tx) =>
      insertMentions(tx, 'twitter', [
        mention('1', { authorHandle: 'Kim_R', text: 'Acme wifi password reset never arrives', keywords: ['acme'] }),
        mention('2', { authorHandle: 'lee', text: 'acme delivery late again', keywords: ['@acme_help'] }),
        mention('3', { authorHandle: 'kim_r', text: "what's the acme WIFI code? it's 50% off'; DROP TABLE mentions; --", keywords: ['acme'] }),
      ], NOW),
    );
    const ids = async (filter: Parameters<typeof listMentions>[1]) => (await listMentions(db, filter)).map((m) => m.externalId).sort();
    expect(await ids({ author: '@KIM_r' })).toEqual(['1', '3']);
    expect(await ids({ keyword: '@ACME_help' })).toEqual(['2']);
    expect(await ids({ search: 'wif pass' })).toEqual(['1']);
    expect(await ids({ search: 'WiFi' })).toEqual(['1', '3']);
    expect(await ids({ search: "'; DROP TABLE" })).toEqual(['3']);
    expect(await ids({ search: '***' })).toEqual([]);
    expect(await ids({ limit: 2 })).toHaveLength(2);
  });

  it('records native replies once, with the status change in the append-only audit trail', async () => {
    const { db } = await fresh();
    await db.transaction((tx) => insertMentions(tx, 'twitter', [mention('100')], NOW));
    const reply = { platform: 'twitter', externalId: '200', inReplyTo: '100', text: 'Hi!', createdAt: NOW + 60_000 };
    expect(await recordOwnReplies(db, [reply, { ...reply, externalId: '201', inReplyTo: 'unknown' }])).toBe(1);
    expect(await recordOwnReplies(db, [reply])).toBe(0);
    const [stored] = await listMentions(db, { statuses: ['replied'] });
    expect(stored!.firstResponseAt).toBe(reply.createdAt);
    expect(await responsesFor(db, stored!.id)).toMatchObject([{ via: 'native', state: 'sent', sentAt: reply.createdAt, externalId: '200' }]);
    expect(await eventsFor(db, stored!.id)).toMatchObject([{ kind: 'status', oldValue: 'new', newValue: 'replied', actor: 'poll' }]);
    await expect(db.exec('DELETE FROM events')).rejects.toThrow(/append-only/);
  });

  it('counts usage per source and day and projects the month', async () => {
    const { db } = await fresh();
    const tenth = Date.UTC(2026, 10, 10, 12);
    await addUsage(db, 'twitter', tenth, 3, 250);
    await addUsage(db, 'twitter', tenth + 3_600_000, 1, 50);
    await addUsage(db, 'twitter', Date.UTC(2026, 9, 31), 9, 999);
    const usage = await monthUsage(db, 'twitter', tenth + 3_600_000);
    expect(usage).toMatchObject({ month: '2026-11', requests: 4, postsRead: 300 });
    expect(usage.projectedPostsRead).toBe(Math.round(300 * (30 / 9.541666666666666)));
  });

  it('poll: each page is stored with its cursor, so a run cut off after page 2 resumes at page 3 with nothing lost or doubled', async () => {
    const store = await fresh();
    const source = new ScriptedSource(450, 100);
    source.failAt = 3;
    const [first] = await poll(store, source);
    expect(first!.status).toBe('failed');
    expect(first!.new).toBe(200);
    expect(await loadCursor(store.db, 'scripted', 'all')).toMatchObject({ next: 200, done: false });
    const [second] = await poll(store, source);
    expect(second!.status, second!.message ?? '').toBe('ok');
    expect(second!.new).toBe(250);
    const stored = await store.db.all<{ external_id: string; n: number }>('SELECT external_id, count(*) AS n FROM mentions GROUP BY external_id');
    expect(stored).toHaveLength(450);
    expect(stored.every((r) => r.n === 1)).toBe(true);
  });

  it('poll: two pollers on two connections — one holds the lock, the other is refused at once', async () => {
    const location = await engine.freshLocation();
    const { openStore } = await import('../../src/store/open.js');
    const a = await openStore(location);
    const b = await openStore(location);
    open.push(a, b);
    const held = await a.db.tryLock('poll');
    expect(held).not.toBeNull();
    expect(await b.db.tryLock('poll')).toBeNull();
    await held!.release();
    const next = await b.db.tryLock('poll');
    expect(next).not.toBeNull();
    await next!.release();
  });

  it('reply: two claims on one mention at the same moment, from two connections — one gets it, the other sees it in progress', async () => {
    const location = await engine.freshLocation();
    const { openStore } = await import('../../src/store/open.js');
    const a = await openStore(location);
    // SQLite: two processes would each have a connection; in one process a second connection would wait for the
    // first synchronously, blocking the event loop the first needs to finish, so the claims share one connection.
    const b = engine.kind === 'sqlite' ? a : await openStore(location);
    open.push(...new Set([a, b]));
    await a.db.transaction((tx) => insertMentions(tx, 'twitter', [mention('500')], NOW));
    const [{ id }] = await listMentions(a.db);
    const claim = (store: Store, text: string) =>
      claimReplyAttempt(store.db, { mentionId: id, platform: 'twitter', text, now: NOW, idempotencyKey: `key-${text}`, reuse: null, again: false, force: false });
    const results = await Promise.all([claim(a, 'one'), claim(b, 'two'), claim(a, 'three'), claim(b, 'four')]);
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.reason)).toEqual(['in-progress', 'in-progress', 'in-progress']);
    const winner = won[0]!;
    if (!winner.ok) throw new Error('unreachable');
    expect(await recordResponseSent(b.db, winner.responseId, id, { externalId: 'x-1', sentAt: NOW + 1000 }, 'kim')).toBe(true);
    // Sent: the next claim sees the reply and offers no second one.
    expect(await claim(a, 'five')).toMatchObject({ ok: false, reason: 'replied' });
    expect((await responsesFor(a.db, id)).map((r) => r.state)).toEqual(['sent']);
  });

  it('records who changed a status, and only when it changed', async () => {
    const { db } = await fresh();
    await db.transaction((tx) => insertMentions(tx, 'twitter', [mention('7')], NOW));
    const [{ id }] = await listMentions(db);
    expect(await changeStatus(db, id, 'open', 'kim', NOW + 1)).toBe(true);
    expect(await changeStatus(db, id, 'open', 'lee', NOW + 2)).toBe(false);
    expect(await changeStatus(db, id, 'resolved', 'lee', NOW + 3)).toBe(true);
    expect((await eventsFor(db, id)).map((e) => `${e.actor}:${e.newValue}`)).toEqual(['kim:open', 'lee:resolved']);
  });
});
