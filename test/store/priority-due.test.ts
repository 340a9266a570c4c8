/**
 * A poll recomputes only the priorities that can have moved (migration 015): a breached backlog is not
 * read again by a quiet poll, and each change of a priority input makes its item's priority current.
 * Counted in rows the store reads through the engine, never in time.
 */
import { afterEach, expect, it } from 'vitest';
import type { Engine, Params } from '../../src/store/engine.js';
import type { Store } from '../../src/store/open.js';
import { storePage } from '../../src/poll/poll-sources.js';
import { changeStatus } from '../../src/store/changes.js';
import { getMention, getMentionByExternalId } from '../../src/store/mentions.js';
import { markAnswered } from '../../src/store/responses.js';
import { assessAtIngest, priorityOf, recomputePriorities, waitingSince, type PriorityConfig } from '../../src/triage/assess.js';
import { shippedClassifier } from '../../src/triage/classify.js';
import type { FetchedPage, NewMention } from '../../src/sources/types.js';
import { forEachEngine } from '../helpers/engines.js';
import { newMention } from '../helpers/mentions.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 20, 12);
const CONFIG: PriorityConfig = { sla: {}, timezone: 'UTC' };
const SOURCE = { name: 'x', prices: undefined };

// Three days old: past the default 24 h SLA.
const mention = (id: number, extra: Partial<NewMention> = {}): NewMention => newMention(id, NOW - 72 * HOUR + id * 1000, extra);

function page(mentions: NewMention[]): FetchedPage {
  return { mentions, ownReplies: [], cursor: {}, postsRead: mentions.length };
}

/** The engine, counting the rows of `mentions` its statements return. */
function counting(engine: Engine, seen: { rows: number }): Engine {
  const wrap = (e: Engine): Engine =>
    new Proxy(e, {
      get(target, prop, receiver) {
        if (prop === 'all' || prop === 'get' || prop === 'rows') {
          return async (sql: string, params?: Params) => {
            const result = (await (target[prop] as (s: string, p?: Params) => Promise<unknown>).call(target, sql, params)) as unknown;
            if (/\bFROM mentions\b/.test(sql)) seen.rows += Array.isArray(result) ? result.length : result === undefined ? 0 : 1;
            return result;
          };
        }
        if (prop === 'transaction') return <T>(fn: (tx: Engine) => Promise<T>) => target.transaction((tx) => fn(wrap(tx)));
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  return wrap(engine);
}

forEachEngine('priorities recomputed where they can have moved', (engine) => {
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  async function backlog(n: number): Promise<Store> {
    const store = await engine.fresh();
    stores.push(store);
    await storePage({ db: store.db, now: () => NOW - 60_000 }, SOURCE, 'all', page(Array.from({ length: n }, (_, i) => mention(i + 1))));
    return store;
  }

  /** Recompute at `at`, counting the mention rows it reads. */
  async function recompute(db: Engine, at: number): Promise<number> {
    const seen = { rows: 0 };
    await recomputePriorities(counting(db, seen), CONFIG, at);
    return seen.rows;
  }

  /** The stored priority is the one computed now from the stored inputs. */
  async function expectCurrent(db: Engine, id: number, at: number): Promise<void> {
    const m = (await getMention(db, id))!;
    expect(m.priority).toBe(priorityOf(m, CONFIG, at, await waitingSince(db, m), false).score);
  }

  it('a breached backlog is read once, then not again by a quiet poll; a changed SLA makes it due', async () => {
    const store = await backlog(40);
    expect(await recompute(store.db, NOW)).toBe(40);
    expect(await recompute(store.db, NOW + HOUR)).toBe(0);
    expect(await recompute(store.db, NOW + 2 * HOUR)).toBe(0);
    for (const id of [1, 20, 40]) await expectCurrent(store.db, id, NOW + 2 * HOUR);
    // Items whose SLA still runs are read every time: their priority moves with the clock.
    await storePage({ db: store.db, now: () => NOW }, SOURCE, 'all', page([mention(41, { createdAt: NOW - HOUR })]));
    expect(await recompute(store.db, NOW + 60_000)).toBe(1);
    expect(await recompute(store.db, NOW + 120_000)).toBe(1);
    await expectCurrent(store.db, 41, NOW + 120_000);
    // Another SLA changes every priority: all are read again, and right.
    const stricter: PriorityConfig = { sla: { twitter: 10 * 24 * HOUR }, timezone: 'UTC' };
    const seen = { rows: 0 };
    await recomputePriorities(counting(store.db, seen), stricter, NOW + 180_000);
    expect(seen.rows).toBe(41);
    const m = (await getMention(store.db, 5))!;
    expect(m.priority).toBe(priorityOf(m, stricter, NOW + 180_000, m.createdAt, false).score);
  });

  it("the poll's own assessment stores a breached mention settled, at its current priority; a running SLA stays due; another SLA makes all due", async () => {
    const store = await engine.fresh();
    stores.push(store);
    const assess = assessAtIngest(CONFIG, () => NOW, await shippedClassifier());
    const breached = Array.from({ length: 20 }, (_, i) => mention(i + 1, { text: `acme order ${i} never arrived, ${i % 2 ? 'refund please' : 'what now?'}`, metrics: { likes: i, reposts: 0, replies: 0, quotes: 0 } }));
    await storePage({ db: store.db, now: () => NOW, assess }, SOURCE, 'all', page([...breached, mention(21, { createdAt: NOW - HOUR })]));
    // Only the mention whose SLA still runs is read: the others were settled as they were stored, at the priority a recompute gives.
    expect(await recompute(store.db, NOW + 60_000)).toBe(1);
    for (const id of [1, 7, 20, 21]) await expectCurrent(store.db, id, NOW + 60_000);
    expect((await getMentionByExternalId(store.db, 'twitter', '7'))!.priority).toBeGreaterThan(0);
    // Another SLA: the settled ones were computed with the old one, so every item is read again.
    const stricter: PriorityConfig = { sla: { twitter: 10 * 24 * HOUR }, timezone: 'UTC' };
    const seen = { rows: 0 };
    await recomputePriorities(counting(store.db, seen), stricter, NOW + 120_000);
    expect(seen.rows).toBe(21);
    const current = async (id: number) => {
      const m = (await getMention(store.db, id))!;
      expect(m.priority).toBe(priorityOf(m, stricter, NOW + 120_000, m.createdAt, false).score);
    };
    for (const id of [1, 7, 20, 21]) await current(id);
  });

  it('items without a metrics reading settle once breached and their velocity since posted rounds to nothing', async () => {
    const store = await backlog(12);
    const db = store.db;
    // Rows not written by a poll (imported, generated) may carry no reading; ids 11 and 12 are still lively.
    await db.run('UPDATE mentions SET metrics_updated_at = NULL, priority_due_at = 0');
    await db.run('UPDATE mentions SET likes = 50000 WHERE id IN (11, 12)');
    expect(await recompute(db, NOW)).toBe(12);
    expect(await recompute(db, NOW + HOUR)).toBe(2);
    for (const at of [NOW + 2 * HOUR, NOW + 30 * 24 * HOUR]) {
      await recompute(db, at);
      for (const id of [1, 6, 10, 11, 12]) await expectCurrent(db, id, at);
    }
    // A new reading makes the item due again, as any input does.
    await storePage({ db, now: () => NOW + 31 * 24 * HOUR }, SOURCE, 'all', page([mention(4, { metrics: { likes: 700, reposts: 0, replies: 0, quotes: 0 } })]));
    expect(await recompute(db, NOW + 31 * 24 * HOUR)).toBeGreaterThanOrEqual(1);
    await expectCurrent(db, 4, NOW + 31 * 24 * HOUR);
  });

  it('a metrics change, a status change and a response each make only their item due, and its priority current', async () => {
    const store = await backlog(10);
    const db = store.db;
    await recompute(db, NOW);
    // Seen again with more engagement.
    await storePage({ db, now: () => NOW + HOUR }, SOURCE, 'all', page([mention(3, { metrics: { likes: 900, reposts: 40, replies: 5, quotes: 1 } })]));
    expect(await recompute(db, NOW + HOUR)).toBe(1);
    await expectCurrent(db, 3, NOW + HOUR);
    expect((await getMention(db, 3))!.priority).toBeGreaterThan((await getMention(db, 4))!.priority);
    // Opened by the person: still open, due again.
    expect(await changeStatus(db, 4, 'open', 'kim', NOW + HOUR)).toBe(true);
    expect(await recompute(db, NOW + 2 * HOUR)).toBe(1);
    await expectCurrent(db, 4, NOW + 2 * HOUR);
    // Answered, then re-opened by a customer's follow-up an hour ago: waiting since then, inside the SLA again.
    await db.transaction((tx) => markAnswered(tx, 5, NOW - 60 * HOUR, 'kim'));
    await storePage({ db, now: () => NOW + 2 * HOUR }, SOURCE, 'all', page([mention(500, { authorId: '5', authorHandle: 'u5', conversationId: '5', createdAt: NOW + HOUR })]));
    const item = (await getMention(db, 5))!;
    expect(item.status).toBe('open');
    const before = item.priority;
    expect(await recompute(db, NOW + 3 * HOUR)).toBe(1);
    await expectCurrent(db, 5, NOW + 3 * HOUR);
    expect((await getMention(db, 5))!.priority).toBeLessThan(before);
  });

  it('a follow-up joining a settled item makes it current (its customer waits since the follow-up)', async () => {
    const store = await backlog(3);
    const db = store.db;
    // Answered long ago and re-opened by a follow-up two days ago: breached again, then settled.
    await db.transaction((tx) => markAnswered(tx, 2, NOW - 70 * HOUR, 'kim'));
    await storePage({ db, now: () => NOW - 48 * HOUR }, SOURCE, 'all', page([mention(200, { authorId: '2', authorHandle: 'u2', conversationId: '2', createdAt: NOW - 48 * HOUR })]));
    expect((await getMention(db, 2))!.status).toBe('open');
    await recompute(db, NOW);
    expect(await recompute(db, NOW + 60_000)).toBe(0);
    const settled = (await getMention(db, 2))!.priority;
    // A newer follow-up on the open item: no status change, but the item's customer now waits since it.
    await storePage({ db, now: () => NOW }, SOURCE, 'all', page([mention(201, { authorId: '2', authorHandle: 'u2', conversationId: '2', createdAt: NOW - 60_000 })]));
    expect((await getMentionByExternalId(db, 'twitter', '201'))!.threadId).toBe(2);
    expect(await recompute(db, NOW + 120_000)).toBe(1);
    await expectCurrent(db, 2, NOW + 120_000);
    expect((await getMention(db, 2))!.priority).toBeLessThan(settled);
  });
});
