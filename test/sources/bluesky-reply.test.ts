import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blueskySource } from '../../src/config/schema.js';
import { BlueskySource } from '../../src/sources/bluesky/source.js';
import { ReplyRefused } from '../../src/sources/reply-refused.js';
import type { ReplyTarget } from '../../src/sources/types.js';
import { FakeBluesky, type FakePost } from '../fakes/bluesky.js';

let fake: FakeBluesky;

function channel() {
  const config = blueskySource.parse({ platform: 'bluesky', serviceUrl: fake.url, identifier: 'acme.bsky.social', appPasswordEnv: 'BLUESKY_APP_PASSWORD', timeout: '2s' });
  return new BlueskySource({ config, keywords: [{ term: 'acme', exclude: [] }], ownHandles: [], appPassword: fake.password, now: () => Date.now() }).replies;
}

function target(post: FakePost): ReplyTarget {
  return { platform: 'bluesky', externalId: post.uri, url: null, authorHandle: post.author.handle, conversationId: post.record.reply?.root.uri ?? post.uri, inReplyTo: post.record.reply?.parent.uri ?? null, summonsBrand: false };
}

beforeEach(async () => {
  fake = await new FakeBluesky().start();
});

afterEach(async () => {
  await fake.stop();
});

describe('Bluesky replies', () => {
  it('replies with root and parent refs: the root is the thread start when the parent is itself a reply', async () => {
    const start = fake.addPost('acme broke my order', { author: 'carol.bsky.social' });
    const followUp = fake.addPost('still broken, acme?', { author: 'carol.bsky.social', replyTo: start });
    const replies = channel();
    const sent = await replies.reply(target(followUp), 'Sorry! See https://acme.example/status', { idempotencyKey: 'k-1' });
    const [create] = fake.server.requestsTo(/createRecord$/);
    const record = JSON.parse(create!.body).record;
    expect(record.reply).toEqual({ root: { uri: start.uri, cid: start.cid }, parent: { uri: followUp.uri, cid: followUp.cid } });
    expect(record.text).toBe('Sorry! See https://acme.example/status');
    expect(record.facets[0].features[0]).toMatchObject({ $type: 'app.bsky.richtext.facet#link', uri: 'https://acme.example/status' });
    expect(sent.externalId).toBe(fake.posts.at(-1)!.uri);
    expect(sent.url).toMatch(/^https:\/\/bsky\.app\/profile\/acme\.bsky\.social\/post\/[2-7a-z]{13}$/);

    expect(await replies.findReply(target(followUp), 'Sorry!  See https://acme.example/status')).toMatchObject({ externalId: sent.externalId });
    expect(await replies.findReply(target(start), 'Sorry! See https://acme.example/status')).toBeNull();
    // One session for the whole channel.
    expect(fake.server.requestsTo(/createSession/)).toHaveLength(1);
  });

  it('counts graphemes and refuses over 300 before any request', async () => {
    const replies = channel();
    expect(replies.measure('👩‍👩‍👧‍👦'.repeat(300))).toEqual({ length: 300, limit: 300 });
    const post = fake.addPost('acme?', { author: 'carol.bsky.social' });
    await expect(replies.reply(target(post), 'é'.repeat(301), { idempotencyKey: 'k' })).rejects.toThrow(/301 graphemes; Bluesky allows 300/);
    expect(fake.server.requests).toHaveLength(0);
    const gone = { ...target(post), externalId: post.uri.replace(/[^/]+$/, '3zzzzzzzzzzzz') };
    const error = await replies.reply(gone, 'hello', { idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyRefused);
  });
});
