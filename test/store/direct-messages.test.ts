import { afterEach, expect, it } from 'vitest';
import type { NewMention } from '../../src/sources/types.js';
import { changeStatus } from '../../src/store/changes.js';
import { lastSentOn, markAnsweredPrivately, newestDmOf, privateItemOf, responseChannel } from '../../src/store/direct-messages.js';
import { getMention, getMentionByExternalId, insertMentions } from '../../src/store/mentions.js';
import type { Store } from '../../src/store/open.js';
import { privateFiguresOf } from '../helpers/private.js';
import { claimReplyAttempt, recordOwnReplies, recordResponseSent } from '../../src/store/responses.js';
import { linkThreads } from '../../src/triage/threads.js';
import { metricSql } from '../../src/metrics/sql.js';
import { slaTarget } from '../../src/metrics/sla.js';
import { configSchema } from '../../src/config/schema.js';
import { CALENDAR_TIME } from '../../src/time/business.js';
import { forEachEngine } from '../helpers/engines.js';

const NOW = Date.UTC(2026, 10, 30, 9, 0);
const MIN = 60_000;

function post(id: string, overrides: Partial<NewMention> = {}): NewMention {
  return {
    platform: 'twitter',
    externalId: id,
    url: null,
    authorHandle: 'Kim',
    authorName: null,
    authorId: null,
    authorFollowers: null,
    text: `acme ${id}`,
    lang: null,
    createdAt: NOW,
    keywords: [],
    inReplyTo: null,
    conversationId: null,
    summonsBrand: true,
    metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 },
    ...overrides,
  };
}

function dm(id: string, at: number, overrides: Partial<NewMention> = {}): NewMention {
  return post(id, { text: `private words ${id}`, createdAt: at, channel: 'dm', dmConversationId: `conv-${id}`, ...overrides });
}

/** One poll page: store the mentions and link them, in one transaction, as the poll does. */
async function page(store: Store, mentions: NewMention[], at: number): Promise<void> {
  await store.db.transaction(async (tx) => {
    await insertMentions(tx, 'twitter', mentions, at);
    await linkThreads(tx, mentions, at);
  });
}

async function idOf(store: Store, externalId: string): Promise<number> {
  return (await getMentionByExternalId(store.db, 'twitter', externalId))!.id;
}

forEachEngine('direct messages in the store', (engine) => {
  let store: Store | null = null;
  afterEach(async () => {
    await store?.close();
    store = null;
  });

  it('a DM is stored once, private from its own time; one from the author of an open item joins it, whatever the letter case of the handle', async () => {
    store = await engine.fresh();
    await page(store, [post('1')], NOW);
    await page(store, [dm('2', NOW + 10 * MIN, { authorHandle: 'kIM' }), dm('2', NOW + 10 * MIN, { authorHandle: 'kIM' })], NOW + 11 * MIN);
    await page(store, [dm('2', NOW + 10 * MIN, { authorHandle: 'kIM' })], NOW + 12 * MIN);
    await page(store, [dm('3', NOW + 20 * MIN, { authorHandle: 'lee' })], NOW + 21 * MIN);

    const item = (await getMention(store.db, await idOf(store, '1')))!;
    const joined = (await getMention(store.db, await idOf(store, '2')))!;
    const alone = (await getMention(store.db, await idOf(store, '3')))!;
    expect(await store.db.all('SELECT external_id FROM mentions ORDER BY external_id')).toEqual([{ external_id: '1' }, { external_id: '2' }, { external_id: '3' }]);
    expect({ channel: item.channel, privateAt: item.privateAt }).toEqual({ channel: 'public', privateAt: NOW + 10 * MIN });
    expect({ channel: joined.channel, threadId: joined.threadId, privateAt: joined.privateAt, conversation: joined.dmConversationId }).toEqual({
      channel: 'dm',
      threadId: item.id,
      privateAt: NOW + 10 * MIN,
      conversation: 'conv-2',
    });
    expect({ threadId: alone.threadId, privateAt: alone.privateAt }).toEqual({ threadId: null, privateAt: NOW + 20 * MIN });
    expect(await newestDmOf(store.db, item.id)).toEqual({ dmConversationId: 'conv-2', authorId: null });
    // A closed item takes no DM: the next one opens its own.
    await changeStatus(store.db, item.id, 'ignored', 'kim', NOW + 30 * MIN);
    expect(await privateItemOf(store.db, { platform: 'twitter', authorId: null, authorHandle: 'KIM', except: -1, before: NOW + 40 * MIN })).toBeNull();
  });

  it('a DM answer is kept with its channel and dates the first private answer on the DM and its item; the earliest one stays', async () => {
    store = await engine.fresh();
    await page(store, [post('1'), dm('2', NOW + 10 * MIN)], NOW + 11 * MIN);
    const item = await idOf(store, '1');
    const message = await idOf(store, '2');
    const claim = await claimReplyAttempt(store.db, {
      mentionId: message,
      platform: 'twitter',
      text: 'sorry, sending a new one',
      now: NOW + 20 * MIN,
      idempotencyKey: 'k1',
      channel: 'dm',
      reuse: null,
      again: false,
      force: false,
    });
    if (!claim.ok) throw new Error('the attempt was not claimed');
    expect(await responseChannel(store.db, claim.responseId)).toBe('dm');
    expect(await recordResponseSent(store.db, claim.responseId, message, { externalId: 'dm-50', sentAt: NOW + 21 * MIN }, 'kim')).toBe(true);

    expect(await lastSentOn(store.db, message, 'dm')).toMatchObject({ id: claim.responseId, sentAt: NOW + 21 * MIN, via: 'brandwatch', externalId: 'dm-50' });
    expect(await lastSentOn(store.db, message, 'public')).toBeNull();
    for (const id of [item, message]) expect((await getMention(store.db, id))!.firstPrivateResponseAt).toBe(NOW + 21 * MIN);

    await store.db.transaction(async (tx) => markAnsweredPrivately(tx, message, NOW + 40 * MIN));
    expect((await getMention(store.db, item))!.firstPrivateResponseAt).toBe(NOW + 21 * MIN);
    await store.db.transaction(async (tx) => markAnsweredPrivately(tx, message, NOW + 15 * MIN));
    expect((await getMention(store.db, item))!.firstPrivateResponseAt).toBe(NOW + 15 * MIN);
  });

  it('a DM the brand sent from the app is a native private answer; a public one is not', async () => {
    store = await engine.fresh();
    await page(store, [post('1', { createdAt: NOW }), dm('2', NOW + 10 * MIN, { authorHandle: 'lee' })], NOW + 11 * MIN);
    const replies = [
      { platform: 'twitter', externalId: 'own-1', inReplyTo: '1', text: 'please DM us', createdAt: NOW + 5 * MIN },
      { platform: 'twitter', externalId: 'own-2', inReplyTo: '2', text: 'on it', createdAt: NOW + 12 * MIN, channel: 'dm' as const },
    ];
    expect(await recordOwnReplies(store.db, replies)).toBe(2);
    expect(await recordOwnReplies(store.db, replies)).toBe(0);
    expect(await store.db.all('SELECT external_id, channel, via FROM responses ORDER BY external_id')).toEqual([
      { external_id: 'own-1', channel: 'public', via: 'native' },
      { external_id: 'own-2', channel: 'dm', via: 'native' },
    ]);
    const pub = (await getMention(store.db, await idOf(store, '1')))!;
    const priv = (await getMention(store.db, await idOf(store, '2')))!;
    expect([pub.firstResponseAt, pub.firstPrivateResponseAt]).toEqual([NOW + 5 * MIN, null]);
    expect([priv.firstResponseAt, priv.firstPrivateResponseAt]).toEqual([NOW + 12 * MIN, NOW + 12 * MIN]);
  });

  it("status changes date going private (the first time) and resolution (the last), and the report's private queries read them", async () => {
    store = await engine.fresh();
    await page(store, [post('1'), post('2', { authorHandle: 'lee' })], NOW);
    const [a, b] = [await idOf(store, '1'), await idOf(store, '2')];
    await changeStatus(store.db, a, 'private', 'kim', NOW + 10 * MIN);
    await changeStatus(store.db, a, 'open', 'kim', NOW + 20 * MIN);
    await changeStatus(store.db, a, 'private', 'kim', NOW + 30 * MIN);
    await changeStatus(store.db, a, 'resolved', 'kim', NOW + 40 * MIN);
    await changeStatus(store.db, b, 'resolved', 'kim', NOW + 50 * MIN);
    await changeStatus(store.db, b, 'open', 'kim', NOW + 60 * MIN);
    expect(await store.db.all('SELECT private_at, resolved_at FROM mentions ORDER BY id')).toEqual([
      { private_at: NOW + 10 * MIN, resolved_at: NOW + 40 * MIN },
      { private_at: null, resolved_at: null },
    ]);
    await store.db.transaction(async (tx) => markAnsweredPrivately(tx, a, NOW + 25 * MIN));

    const q = { from: NOW - 60 * MIN, until: NOW + 60 * MIN, sql: metricSql(CALENDAR_TIME, { default: 24 * 60 * MIN }, NOW + 60 * MIN) };
    const { counts, times } = await privateFiguresOf(store.db, q);
    expect(counts).toEqual([['twitter', 2, 0, 1, 1]]);
    expect(times).toEqual([['twitter', 15 * MIN, 40 * MIN]]);
  });

  it('the SLA target of a DM (sla.dm) is the same in SQL as in TypeScript, per platform and channel', async () => {
    store = await engine.fresh();
    await page(store, [post('1'), dm('2', NOW), post('3', { platform: 'mastodon' }), dm('4', NOW, { platform: 'mastodon' })], NOW);
    for (const raw of [{ twitter: '30m', dm: { twitter: '2h' } }, { twitter: '30m', default: '4h', dm: { default: '1h' } }, { twitter: '30m' }]) {
      const sla = configSchema.shape.sla.parse(raw);
      const sql = metricSql(CALENDAR_TIME, sla, NOW);
      const rows = await store.db.all<{ platform: string; channel: 'public' | 'dm'; target: number }>(
        `SELECT m.platform, m.channel, ${sql.target} AS target FROM mentions m ORDER BY m.id`,
        sql.params,
      );
      expect(rows).toHaveLength(4);
      for (const row of rows) expect(row.target).toBe(slaTarget({ sla }, row.platform, row.channel));
    }
  });
});
