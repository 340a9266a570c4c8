import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mastodonSource } from '../../src/config/schema.js';
import { MastodonSource, mastodonLength } from '../../src/sources/mastodon/source.js';
import { htmlToText } from '../../src/sources/html.js';
import { ReplyRefused } from '../../src/sources/reply-refused.js';
import type { ReplyTarget } from '../../src/sources/types.js';
import { FakeMastodon, type FakeStatus } from '../fakes/mastodon.js';

let fake: FakeMastodon;

function source(token: string | null = fake.token) {
  const config = mastodonSource.parse({ platform: 'mastodon', instanceUrl: fake.url, accessTokenEnv: 'MASTODON_TOKEN', retry: { attempts: 1, baseDelay: '10ms' }, timeout: '2s' });
  return new MastodonSource({ config, keywords: [{ term: 'acme', exclude: [] }], ownHandles: ['acme_help'], accessToken: token });
}

function target(status: FakeStatus): ReplyTarget {
  return { platform: 'mastodon', externalId: status.id, url: status.url, authorHandle: `${status.account.acct}@${new URL(fake.url).host}`, conversationId: null, inReplyTo: null, summonsBrand: false };
}

beforeEach(async () => {
  fake = await new FakeMastodon().start();
  fake.tokenAccount = fake.addAccount('acme_help');
});

afterEach(async () => {
  await fake.stop();
});

describe('Mastodon replies', () => {
  it('replies in the thread naming the author, with an Idempotency-Key that makes a retry harmless', async () => {
    const question = fake.addStatus('<p>#acme help?</p>', { author: 'carol', tags: ['acme'] });
    const channel = source().replies;
    expect(channel.ability(target(question))).toEqual({ ok: true });
    const sent = await channel.reply(target(question), 'We are on it.', { idempotencyKey: 'k-1' });
    const again = await channel.reply(target(question), 'We are on it.', { idempotencyKey: 'k-1' });
    expect(again.externalId).toBe(sent.externalId);
    const posts = fake.server.requestsTo(/^\/api\/v1\/statuses$/);
    expect(posts.map((p) => p.headers['idempotency-key'])).toEqual(['k-1', 'k-1']);
    expect(JSON.parse(posts[0]!.body)).toEqual({ status: '@carol We are on it.', in_reply_to_id: question.id, visibility: 'public' });
    const reply = fake.statuses.find((s) => s.id === sent.externalId)!;
    expect(reply.in_reply_to_id).toBe(question.id);
    expect(sent.url).toBe(reply.url);

    expect(await channel.findReply(target(question), 'We are on it.')).toMatchObject({ externalId: sent.externalId });
    const other = fake.addStatus('<p>#acme another</p>', { author: 'dave', tags: ['acme'] });
    expect(await channel.findReply(target(other), 'We are on it.')).toBeNull();
  });

  it('turns a 422 into a refusal and says why a token-less source cannot reply', async () => {
    const question = fake.addStatus('<p>#acme</p>', { author: 'carol', tags: ['acme'] });
    fake.refuseWith = 'Validation failed: Text character limit of 500 exceeded';
    const error = await source().replies.reply(target(question), 'x', { idempotencyKey: 'k-2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyRefused);
    expect((error as Error).message).toBe('Mastodon refused the reply (422: Validation failed: Text character limit of 500 exceeded)');

    const readOnly = source(null).replies;
    const ability = readOnly.ability(target(question));
    expect(ability).toMatchObject({ ok: false, webUrl: `${fake.url}/authorize_interaction?uri=${encodeURIComponent(question.url)}` });
    await expect(readOnly.reply(target(question), 'x', { idempotencyKey: 'k-3' })).rejects.toBeInstanceOf(ReplyRefused);
  });

  it('measures like Mastodon: links count 23, remote mentions by their local part', () => {
    const channel = source().replies;
    expect(channel.measure('hi https://example.com/a/very/long/path/that/goes/on')).toEqual({ length: 26, limit: 500 });
    expect(mastodonLength('@carol@far.example ok')).toBe('@carol ok'.length);
    expect(mastodonLength('😀'.repeat(500))).toBe(500);
  });

  it('reads status HTML as text', () => {
    expect(htmlToText('<p>Line one<br>line &amp; two</p><p>Para <a href="https://x.example"><span class="invisible">https://</span><span>x.example</span></a></p><script>alert(1)</script>')).toBe(
      'Line one\nline & two\n\nPara https://x.example',
    );
  });
});
