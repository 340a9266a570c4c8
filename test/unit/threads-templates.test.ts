import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { getMention, insertMentions } from '../../src/store/mentions.js';
import { eventsFor } from '../../src/store/events.js';
import { recordOwnReplies } from '../../src/store/responses.js';
import { linkThreads } from '../../src/triage/threads.js';
import { setStatus, setCategory } from '../../src/triage/actions.js';
import { threadTip } from '../../src/triage/outbox.js';
import { fillTemplate } from '../../src/triage/templates.js';
import type { NewMention } from '../../src/sources/types.js';

function mention(id: string, overrides: Partial<NewMention> = {}): NewMention {
  return {
    platform: 'twitter',
    externalId: id,
    url: null,
    authorHandle: 'kim',
    authorName: null,
    authorId: '7',
    authorFollowers: 10,
    text: `acme ${id}`,
    lang: 'en',
    createdAt: Number(id),
    keywords: ['acme'],
    inReplyTo: null,
    conversationId: id,
    summonsBrand: false,
    metrics: { likes: 0, reposts: 0, replies: 0, quotes: 0 },
    ...overrides,
  };
}

async function store(ms: NewMention[], at: number) {
  const { db } = await openStore(':memory:');
  const page = (list: NewMention[], when: number) =>
    db.transaction(async (tx) => {
      await insertMentions(tx, 'twitter', list, when);
      await linkThreads(tx, list, when);
    });
  await page(ms, at);
  return { db, page };
}

describe('threads', () => {
  it('joins a follow-up by the same author in the same conversation; others start their own item', async () => {
    const { db, page } = await store([mention('100')], 1000);
    await page([mention('200', { conversationId: '100', inReplyTo: '100' }), mention('300', { conversationId: '100', inReplyTo: '100', authorId: '8', authorHandle: 'max' })], 2000);
    expect((await getMention(db, 2))!.threadId).toBe(1);
    expect((await getMention(db, 3))!.threadId).toBeNull();
    expect((await threadTip(db, (await getMention(db, 1))!)).externalId).toBe('200');
  });

  it('re-opens a replied item with an audited event, but leaves ignored and spam items closed', async () => {
    const { db, page } = await store([mention('100'), mention('101', { authorId: '9', authorHandle: 'zed' })], 1000);
    await setStatus(db, 1, 'replied', 'dana', 1500);
    await setStatus(db, 2, 'spam', 'dana', 1500);
    await page([mention('1600', { conversationId: '100' }), mention('1601', { conversationId: '101', authorId: '9', authorHandle: 'zed' })], 2000);
    expect((await getMention(db, 1))!.status).toBe('open');
    expect((await eventsFor(db, 1)).at(-1)).toMatchObject({ kind: 'status', oldValue: 'replied', newValue: 'open', actor: 'poll (follow-up)' });
    expect((await getMention(db, 2))!.status).toBe('spam');
    // A follow-up written before the reply does not re-open the item.
    await setStatus(db, 1, 'replied', 'dana', 2500);
    await page([mention('2400', { conversationId: '100' })], 3000);
    expect((await getMention(db, 1))!.status).toBe('replied');
  });

  it('a reply learnt late (made on the phone) answers what came before it; a later follow-up keeps the item open', async () => {
    const { db, page } = await store([mention('1000')], 1000);
    await page([mention('1500', { conversationId: '1000' }), mention('3000', { conversationId: '1000' })], 3500);
    await recordOwnReplies(db, [{ platform: 'twitter', externalId: '900', inReplyTo: '1000', text: 'hi', createdAt: 2000 }]);
    expect(await Promise.all([1, 2, 3].map(async (id) => (await getMention(db, id))!.status))).toEqual(['open', 'replied', 'new']);
    expect((await getMention(db, 1))!.firstResponseAt).toBe(2000);
  });

  it('every status change, a re-opening by a reply learnt late too, stamps status_changed_at with its event', async () => {
    const { db, page } = await store([mention('1000')], 1000);
    // Marked replied by hand; follow-ups written before that arrive later and leave it closed.
    await setStatus(db, 1, 'replied', 'dana', 4000);
    await page([mention('1500', { conversationId: '1000' }), mention('3000', { conversationId: '1000' })], 4500);
    expect((await getMention(db, 1))!.status).toBe('replied');
    await recordOwnReplies(db, [{ platform: 'twitter', externalId: '900', inReplyTo: '1000', text: 'hi', createdAt: 2000 }]);
    const item = (await getMention(db, 1))!;
    const reopened = (await eventsFor(db, 1)).find((e) => e.kind === 'status' && e.newValue === 'open')!;
    expect(reopened).toMatchObject({ oldValue: 'replied', actor: 'poll (follow-up)' });
    expect(item).toMatchObject({ status: 'open', statusChangedAt: reopened.at });
  });

  it('closing an item closes its waiting follow-ups; a category set by hand is marked manual', async () => {
    const { db, page } = await store([mention('100')], 1000);
    await page([mention('200', { conversationId: '100' })], 2000);
    await setStatus(db, 1, 'resolved', 'dana', 3000);
    expect((await getMention(db, 2))!.status).toBe('resolved');
    await setCategory(db, 1, 'praise', 'dana', 3000);
    expect(await getMention(db, 1)).toMatchObject({ category: 'praise', categoryManual: true });
  });
});

describe('templates', () => {
  it('fills {author}, {brand} and {url} and names an unknown placeholder', () => {
    expect(fillTemplate('t', 'Hi @{author}, {brand} here: {url}', { author: '@kim', brand: 'Acme', url: 'https://x.com/kim/status/1' })).toBe(
      'Hi @kim, Acme here: https://x.com/kim/status/1',
    );
    expect(() => fillTemplate('welcome', 'Hi {name}', { author: 'kim', brand: 'Acme', url: null })).toThrow(
      'templates.welcome: unknown placeholder {name} (use {author}, {brand} or {url})',
    );
  });
});
