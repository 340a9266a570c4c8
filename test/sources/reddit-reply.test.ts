import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { redditSource } from '../../src/config/schema.js';
import { RedditSource } from '../../src/sources/reddit/source.js';
import { planRedditQueries } from '../../src/sources/reddit/query.js';
import { ReplyRefused } from '../../src/sources/reply-refused.js';
import type { ReplyTarget } from '../../src/sources/types.js';
import { FakeReddit, type FakeLink } from '../fakes/reddit.js';

let fake: FakeReddit;

function channel(withCredentials = true) {
  const config = redditSource.parse({ platform: 'reddit', apiBaseUrl: fake.url, tokenUrl: `${fake.url}/api/v1/access_token`, timeout: '2s' });
  const { id, secret, username, password } = fake.client;
  return new RedditSource({
    config,
    keywords: [{ term: 'acme', exclude: [] }],
    ownHandles: [],
    credentials: withCredentials ? { clientId: id, clientSecret: secret, username, password } : null,
    now: () => Date.now(),
  }).replies;
}

function target(link: FakeLink): ReplyTarget {
  return { platform: 'reddit', externalId: link.name, url: `https://www.reddit.com${link.permalink}`, authorHandle: link.author, conversationId: link.name, inReplyTo: null, summonsBrand: false };
}

beforeEach(async () => {
  fake = await new FakeReddit().start();
});

afterEach(async () => {
  await fake.stop();
});

describe('Reddit replies', () => {
  it('comments through /api/comment and finds the comment again after an unknown outcome', async () => {
    const [link] = fake.addLinks(1);
    const replies = channel();
    const sent = await replies.reply(target(link!), 'Hi! Sorry about that — DM us?', { idempotencyKey: 'k' });
    const [post] = fake.server.requestsTo(/^\/api\/comment$/);
    expect(Object.fromEntries(new URLSearchParams(post!.body))).toEqual({ api_type: 'json', thing_id: link!.name, text: 'Hi! Sorry about that — DM us?' });
    expect(post!.headers.authorization).toBe('bearer token-1');
    expect(sent).toMatchObject({ externalId: fake.comments[0]!.name, url: `https://www.reddit.com${fake.comments[0]!.permalink}` });
    expect(await replies.findReply(target(link!), 'Hi! Sorry about that — DM us?')).toMatchObject({ externalId: sent.externalId });
    expect(await replies.findReply(target(link!), 'something else')).toBeNull();
  });

  it("turns json.errors into refusals (RATELIMIT may be retried later) and is read-only without a script app", async () => {
    const [link] = fake.addLinks(1);
    fake.refuseNext = ['RATELIMIT', 'Looks like you\'ve been doing that a lot. Take a break for 5 minutes before trying again.', 'ratelimit'];
    const error = await channel().reply(target(link!), 'hello', { idempotencyKey: 'k' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyRefused);
    expect(error).toMatchObject({ retryable: true, message: expect.stringMatching(/^Reddit refused the comment \(RATELIMIT: Looks like/) });
    fake.refuseNext = ['THREAD_LOCKED', 'Comments are locked.', 'parent'];
    await expect(channel().reply(target(link!), 'hello', { idempotencyKey: 'k' })).rejects.toMatchObject({ retryable: false });

    const readOnly = channel(false);
    expect(readOnly.ability(target(link!))).toMatchObject({ ok: false, webUrl: `https://www.reddit.com${link!.permalink}` });
    await expect(readOnly.reply(target(link!), 'x', { idempotencyKey: 'k' })).rejects.toBeInstanceOf(ReplyRefused);
  });

  it('plans OR-combined searches within the length limit', () => {
    const keywords = ['acme', 'acme corp', 'wile e coyote'].map((term) => ({ term, exclude: term === 'acme' ? ['anvil museum'] : [] }));
    expect(planRedditQueries(keywords, 512).map((g) => g.query)).toEqual(['(acme NOT "anvil museum") OR "acme corp" OR "wile e coyote"']);
    expect(planRedditQueries(keywords, 40).map((g) => g.query)).toEqual(['(acme NOT "anvil museum") OR "acme corp"', '"wile e coyote"']);
    expect(() => planRedditQueries([{ term: 'x'.repeat(40), exclude: [] }], 32)).toThrow(/longer than Reddit's 32-character query limit/);
  });
});
