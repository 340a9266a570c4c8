import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { buildSources } from '../../src/sources/index.js';
import { NetworkError } from '../../src/sources/http.js';
import { ReplyRefused } from '../../src/sources/reply-refused.js';
import type { ReplyTarget, Source } from '../../src/sources/types.js';
import { FakeFacebook } from '../fakes/facebook.js';
import { multiConfig, sourceBlock } from '../helpers/sources.js';

let fb: FakeFacebook;

async function sources(blocks: string[], env: NodeJS.ProcessEnv = { FB_PAGE_TOKEN: 'test-page-token' }): Promise<Source[]> {
  const { config } = parseConfig(multiConfig(blocks), 'config.yml');
  return buildSources(config, { env, configPath: 'config.yml', now: () => Date.now() });
}

function target(id: string, platform = 'facebook'): ReplyTarget {
  return { platform, externalId: id, url: `https://www.facebook.com/${id}`, authorHandle: 'Customer 1', conversationId: null, inReplyTo: null, summonsBrand: true };
}

beforeEach(async () => {
  fb = await new FakeFacebook().start();
});

afterEach(async () => {
  await fb.stop();
});

describe('reply channels', () => {
  it('Facebook: replies to a comment as the Page with POST /{id}/comments, and finds that reply again after an unknown outcome', async () => {
    const [source] = await sources([sourceBlock('facebook', { pageId: '1001', pageTokenEnv: 'FB_PAGE_TOKEN', apiBaseUrl: fb.url })]);
    const post = fb.addPost('Launch');
    const question = fb.addComment(post, 'Where is my acme order?', { from: fb.user(1) });
    const channel = source!.replies!;
    expect(channel.ability(target(question.id))).toEqual({ ok: true });
    expect(channel.measure('héllo')).toEqual({ length: 5, limit: 8000 });

    expect(await channel.findReply(target(question.id), 'Sorry! Please DM us your order number.')).toBeNull();
    const sent = await channel.reply(target(question.id), 'Sorry! Please DM us your order number.', { idempotencyKey: 'k1' });
    const posted = fb.requestsTo(/\/comments$/).find((r) => r.method === 'POST')!;
    expect(posted.path).toBe(`/v25.0/${question.id}/comments`);
    expect(new URLSearchParams(posted.body).get('message')).toBe('Sorry! Please DM us your order number.');
    expect(posted.headers.authorization).toBe('Bearer test-page-token');
    const created = post.comments.at(-1)!;
    expect(created).toMatchObject({ parentId: question.id, from: fb.page });
    expect(sent.externalId).toBe(created.id);

    const found = await channel.findReply(target(question.id), 'Sorry! Please DM us your order number.');
    expect(found?.externalId).toBe(created.id);
  });

  it('Facebook: a refusal is a ReplyRefused with Graph’s reason (retryable when throttled); a dropped connection or a 5xx is not (outcome unknown)', async () => {
    const [source] = await sources([sourceBlock('facebook', { pageId: '1001', pageTokenEnv: 'FB_PAGE_TOKEN', apiBaseUrl: fb.url })]);
    const post = fb.addPost('Launch');
    const channel = source!.replies!;
    fb.server.inject({ kind: 'status', status: 403, body: { error: { message: '(#200) Permissions error', type: 'OAuthException', code: 200 } } });
    await expect(channel.reply(target(post.id), 'hi', { idempotencyKey: 'k' })).rejects.toMatchObject({ name: 'ReplyRefused', retryable: false, message: expect.stringMatching(/lack of permission \(200: \(#200\) Permissions error\)/) });
    fb.server.inject({ kind: 'status', status: 400, body: { error: { message: '(#32) Page request limit reached', type: 'OAuthException', code: 32 } } });
    await expect(channel.reply(target(post.id), 'hi', { idempotencyKey: 'k' })).rejects.toMatchObject({ name: 'ReplyRefused', retryable: true });
    fb.server.inject({ kind: 'reset' });
    const reset = await channel.reply(target(post.id), 'hi', { idempotencyKey: 'k' }).catch((error: unknown) => error);
    expect(reset).toBeInstanceOf(NetworkError);
    expect(reset).not.toBeInstanceOf(ReplyRefused);
    fb.server.inject({ kind: 'status', status: 503, body: { error: { message: 'Service temporarily unavailable', type: 'OAuthException', code: 2 } } });
    await expect(channel.reply(target(post.id), 'hi', { idempotencyKey: 'k' })).rejects.not.toBeInstanceOf(ReplyRefused);
    await expect(channel.reply(target(post.id), 'x'.repeat(8001), { idempotencyKey: 'k' })).rejects.toThrow(/8001 characters; Facebook takes 8000/);
  });

  it('Hacker News and feeds are read-only: ability says why and gives the web link', async () => {
    const [hn, rss] = await sources([sourceBlock('hackernews', {}), sourceBlock('rss', { url: 'https://news.example/feed.xml' })], {});
    const item = { ...target('41000001', 'hackernews'), url: 'https://news.ycombinator.com/item?id=41000001' };
    expect(hn!.replies!.ability(item)).toEqual({ ok: false, reason: expect.stringMatching(/no API for replies/), webUrl: 'https://news.ycombinator.com/item?id=41000001' });
    await expect(hn!.replies!.reply(item, 'hi', { idempotencyKey: 'k' })).rejects.toThrow(ReplyRefused);
    const entry = { ...target('https://blog.example/a', 'rss'), url: 'https://blog.example/a' };
    expect(rss!.replies!.ability(entry)).toMatchObject({ ok: false, webUrl: 'https://blog.example/a' });
  });
});
