import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FakeTwitter, REPLY_NOT_ALLOWED, type FakeTweet } from '../fakes/twitter.js';
import { testCertificate } from '../fakes/tls.js';
import { runCommand, tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';

let fake: FakeTwitter;
let dir: string;
let env: Record<string, string>;

const CONFIG_EXTRA = 'userTokenEnv: TWITTER_USER_TOKEN';
const TEMPLATES = '\ntemplates:\n  take-private: "Sorry to hear that, @{author}. Please DM us your order number and {brand} will sort it out."\n';

function cli(...args: string[]) {
  return runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { env });
}

function query<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

function mentionId(tweet: FakeTweet): number {
  return query<{ id: number }>('SELECT id FROM mentions WHERE external_id = ?', tweet.id)[0]!.id;
}

beforeEach(async () => {
  fake = await new FakeTwitter().start();
  dir = tempDir();
  const { caFile } = await testCertificate();
  env = {
    TWITTER_BEARER_TOKEN: 'test-bearer-token',
    TWITTER_USER_TOKEN: 'test-user-token',
    BRANDWATCH_TWITTER_API_URL: fake.url,
    NODE_EXTRA_CA_CERTS: caFile,
    BRANDWATCH_ACTOR: 'dana',
  };
  writeConfig(dir, twitterConfig({ extra: CONFIG_EXTRA }) + TEMPLATES);
});

afterEach(async () => {
  await fake.stop();
});

describe('reply through the X API', () => {
  it('posts a reply to a post that mentions the brand, records it sent with its id, and moves the mention to replied', async () => {
    const tweet = fake.addTweet('@acme_help my acme order never arrived, where is it?', { author: 'kim', mentions: ['acme_help'] });
    expect((await cli('poll')).code).toBe(0);
    const id = mentionId(tweet);

    const dry = await cli('reply', String(id), '--template', 'take-private', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('Sorry to hear that, @kim. Please DM us your order number and Acme will sort it out.');
    expect(dry.stdout).toMatch(/length \d+\/280/);
    expect(dry.stdout).toContain('through the API');
    expect(fake.postRequests).toHaveLength(0);

    const result = await cli('reply', String(id), '--text', 'Hi @kim, so sorry! DM us the order number & we will chase it.');
    expect(result.code, result.stderr).toBe(0);
    expect(fake.postRequests).toHaveLength(1);
    const sent = JSON.parse(fake.postRequests[0]!.body);
    expect(sent).toEqual({ text: 'Hi @kim, so sorry! DM us the order number & we will chase it.', reply: { in_reply_to_tweet_id: tweet.id } });
    expect(fake.postRequests[0]!.headers.authorization).toBe('Bearer test-user-token');
    const [response] = query<{ state: string; external_id: string; via: string }>('SELECT * FROM responses WHERE mention_id = ?', id);
    expect(response).toMatchObject({ state: 'sent', external_id: fake.created[0]!.id, via: 'brandwatch' });
    const [mention] = query<{ status: string; first_response_at: number }>('SELECT * FROM mentions WHERE id = ?', id);
    expect(mention!.status).toBe('replied');

    const show = await cli('show', String(id));
    expect(show.stdout).toMatch(/brandwatch by dana · sent: Hi @kim/);
    expect(show.stdout).toMatch(/status new → replied \(dana\)/);
    expect(show.stdout).toMatch(/priority \d+/);
  });

  it('also replies to a post that quotes one of the brand\'s posts', async () => {
    const brandPost = fake.addTweet('Acme fibre now in Leeds!', { author: 'acme_help' });
    const quote = fake.addTweet('acme still not in my street though', { author: 'lee', quotes: brandPost });
    await cli('poll');
    const result = await cli('reply', String(mentionId(quote)), '--text', 'Hi Lee, Leeds street by street: DM us your postcode.');
    expect(result.code, result.stderr).toBe(0);
    expect(fake.created).toHaveLength(1);
  });

  it('refuses a post that did not summon the brand: says so, offers the web link, posts nothing; the reply made there comes back as native', async () => {
    const tweet = fake.addTweet('acme broadband is down again in Bristol', { author: 'noor' });
    await cli('poll');
    const id = mentionId(tweet);
    const text = 'Hi Noor, sorry! We are on it: status.acme.example';

    const dry = await cli('reply', String(id), '--text', text, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/not through the API: X lets apps reply only to posts that mention @acme_help or quote it/);
    const link = `https://x.com/intent/post?in_reply_to=${tweet.id}&text=${encodeURIComponent(text)}`;
    expect(dry.stdout).toContain(link);

    const refused = await cli('reply', String(id), '--text', text);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(link);
    expect(refused.stderr).toMatch(/add --open/);
    expect(fake.postRequests).toHaveLength(0);

    // --open hands the link to the browser ($BROWSER here records it).
    const opened = join(dir, 'opened.txt');
    const browser = join(dir, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    chmodSync(browser, 0o755);
    const withOpen = await runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'reply', String(id), '--text', text, '--open'], {
      env: { ...env, BROWSER: browser },
    });
    expect(withOpen.code, withOpen.stderr).toBe(0);
    for (let i = 0; i < 50 && !existsSync(opened); i++) await new Promise((r) => setTimeout(r, 20));
    expect(readFileSync(opened, 'utf8')).toBe(link);

    // The person replies on the web; the next poll records it as native, at its own time.
    const webReply = fake.addTweet(text, { author: 'acme_help', inReplyTo: tweet, createdAt: new Date(Date.parse(tweet.createdAt) + 7 * 60_000) });
    const poll = await cli('poll', '--json');
    expect(JSON.parse(poll.stdout).sources[0]).toMatchObject({ nativeReplies: 1 });
    const [native] = query<{ via: string; state: string; external_id: string; sent_at: number }>('SELECT * FROM responses WHERE mention_id = ?', id);
    expect(native).toMatchObject({ via: 'native', state: 'sent', external_id: webReply.id, sent_at: Date.parse(webReply.createdAt) });
    expect(query<{ status: string }>('SELECT status FROM mentions WHERE id = ?', id)[0]!.status).toBe('replied');
  });

  it('the fake X API itself refuses such a reply with X\'s 403', async () => {
    const tweet = fake.addTweet('acme is fine I guess', { author: 'pat' });
    const { request } = await import('node:https');
    const { cert } = await testCertificate();
    const answer = await new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const req = request(`${fake.url}/2/tweets`, { method: 'POST', ca: cert, headers: { authorization: 'Bearer test-user-token', 'content-type': 'application/json' } }, (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ text: 'hello', reply: { in_reply_to_tweet_id: tweet.id } }));
    });
    expect(answer).toEqual({ status: 403, body: REPLY_NOT_ALLOWED });
    expect(fake.created).toHaveLength(0);
  });

  it('checks the length before sending: too long is exit 2 and nothing is posted', async () => {
    const tweet = fake.addTweet('@acme_help hi acme', { author: 'kim', mentions: ['acme_help'] });
    await cli('poll');
    const result = await cli('reply', String(mentionId(tweet)), '--text', '你好'.repeat(71));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the reply is 284 characters by twitter's count; the limit is 280/);
    expect(fake.postRequests).toHaveLength(0);
  });

  it('never posts twice: the post is accepted but the answer stalls past the timeout; the retry finds it and records it sent', async () => {
    const tweet = fake.addTweet('@acme_help acme router keeps rebooting', { author: 'ola', mentions: ['acme_help'] });
    await cli('poll');
    const id = mentionId(tweet);
    fake.stallAfterCreate = { count: 1, ms: 3500 };
    // Recent search indexes new posts with a delay: only the brand's own timeline shows the first reply yet.
    fake.searchLag = true;
    const text = 'Hi Ola, sorry about that. Could you DM us the serial number?';

    const first = await cli('reply', String(id), '--text', text);
    expect(first.code).toBe(75);
    expect(first.stderr).toMatch(/the reply's outcome is unknown .*run the same command again/);
    expect(query<{ state: string }>('SELECT state FROM responses WHERE mention_id = ?', id)).toEqual([{ state: 'unknown' }]);
    expect(fake.created).toHaveLength(1);

    const second = await cli('reply', String(id), '--text', text);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/an earlier attempt had been posted after all/);
    expect(fake.postRequests).toHaveLength(1);
    // Looked up on the brand's own timeline (an owned read), where a new post is visible at once.
    expect(fake.timelineRequests.at(-1)!.path).toBe(`/2/users/${fake.brand.id}/tweets`);
    const rows = query<{ state: string; external_id: string }>('SELECT state, external_id FROM responses WHERE mention_id = ?', id);
    expect(rows).toEqual([{ state: 'sent', external_id: fake.created[0]!.id }]);

    // Any further attempt sees the mention answered and posts only if asked again (--again): nothing reaches X.
    const third = await cli('reply', String(id), '--text', text);
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/you replied \d+ (s|min) ago: “Hi Ola, sorry about that\. Could you DM us the serial number\?”; nothing was sent — add --again to send another reply/);
    expect(fake.postRequests).toHaveLength(1);
    expect(fake.created).toHaveLength(1);
  });

  it('posts a proactive update', async () => {
    const result = await cli('post', 'Acme broadband: we are fixing an outage in Leeds; updates here every 30 minutes.');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(fake.postRequests[0]!.body)).toEqual({ text: 'Acme broadband: we are fixing an outage in Leeds; updates here every 30 minutes.' });
    expect(query<{ state: string; external_id: string }>('SELECT state, external_id FROM posts')).toEqual([{ state: 'sent', external_id: fake.created[0]!.id }]);
  });

  it('says which variable is missing when there is no user token', async () => {
    delete env.TWITTER_USER_TOKEN;
    const tweet = fake.addTweet('@acme_help hello acme', { author: 'kim', mentions: ['acme_help'] });
    await cli('poll');
    const result = await cli('reply', String(mentionId(tweet)), '--text', 'hi');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the environment variable TWITTER_USER_TOKEN is not set/);
    expect(fake.postRequests).toHaveLength(0);
  });
});

describe('poll: native replies and threads', () => {
  it('links the brand\'s own replies to their mentions at their real time, one extra request, and none when nothing is new', async () => {
    const a = fake.addTweet('acme help please, my bill is wrong', { author: 'rui', createdAt: new Date(Date.now() - 3_600_000) });
    const b = fake.addTweet('acme is great', { author: 'sol', createdAt: new Date(Date.now() - 3_000_000) });
    const first = await cli('poll', '--json');
    // users/me once, the mention timeline, keyword search, and the brand's own timeline
    expect(JSON.parse(first.stdout).sources[0]).toMatchObject({ new: 2, requests: 4, nativeReplies: 0 });
    const replyAt = new Date(Date.now() - 1_800_000);
    const native = fake.addTweet('Hi Rui, DM us and we will fix the bill', { author: 'acme_help', inReplyTo: a, createdAt: replyAt });
    fake.addTweet('unrelated reply of ours', { author: 'acme_help', inReplyTo: fake.addTweet('not about us', { author: 'zed' }) });
    const second = await cli('poll', '--json');
    // mention timeline, keyword search and own timeline; the open mention was read seconds ago, so no metrics lookup yet
    expect(JSON.parse(second.stdout).sources[0]).toMatchObject({ new: 0, requests: 3, nativeReplies: 1 });
    expect(fake.lookupRequests).toHaveLength(0);
    // The brand's replies come from its own timeline (owned reads), not from recent search.
    expect(fake.timelineRequests).toHaveLength(2);
    expect(fake.searchRequests.map((r) => r.query.get('query')).filter((q) => q?.startsWith('from:'))).toHaveLength(0);
    const [row] = query<{ mention_id: number; via: string; sent_at: number; external_id: string }>('SELECT * FROM responses');
    expect(row).toMatchObject({ mention_id: mentionId(a), via: 'native', external_id: native.id, sent_at: Date.parse(native.createdAt) });
    expect(query<{ status: string; first_response_at: number }>('SELECT status, first_response_at FROM mentions WHERE id = ?', mentionId(a))[0]).toEqual({
      status: 'replied',
      first_response_at: Date.parse(native.createdAt),
    });
    expect(query<{ status: string }>('SELECT status FROM mentions WHERE id = ?', mentionId(b))[0]!.status).toBe('new');
    const third = await cli('poll', '--json');
    expect(JSON.parse(third.stdout).sources[0]).toMatchObject({ new: 0, requests: 3, nativeReplies: 0 });
  });

  it('refreshes open mentions\' metrics each poll and keeps the previous snapshot: a fast-growing complaint rises', async () => {
    const now = Date.now();
    const slow = fake.addTweet('acme charged me twice, terrible', { author: 'ann', createdAt: new Date(now - 10 * 60_000) });
    const fast = fake.addTweet('acme charged me twice, terrible', { author: 'bea', createdAt: new Date(now - 10 * 60_000) });
    // A later post keeps the two below the search's overlap window, so only the metrics lookup re-reads them.
    const later = fake.addTweet('acme works fine for me', { author: 'cy', createdAt: new Date(now - 5 * 60_000) });
    expect((await cli('poll')).code).toBe(0);
    expect(fake.lookupRequests).toHaveLength(0);
    const priorityOf = (t: FakeTweet) => query<{ priority: number }>('SELECT priority FROM mentions WHERE external_id = ?', t.id)[0]!.priority;
    const before = priorityOf(fast) - priorityOf(slow);
    const likesBefore = fast.metrics.like_count;
    fast.metrics = { retweet_count: 400, reply_count: 120, like_count: 2500, quote_count: 60 };
    // The slow one gains nothing between the polls.
    // Eleven minutes on: mentions this young are due a refresh every ten minutes.
    env.BRANDWATCH_NOW = new Date(now + 11 * 60_000).toISOString();
    const poll = await cli('poll', '--json');
    expect(JSON.parse(poll.stdout).sources[0]).toMatchObject({ requests: 4 });
    expect(new Set(fake.lookupRequests.at(-1)!.query.get('ids')!.split(','))).toEqual(new Set([slow.id, fast.id]));
    // The later post was re-read by the search's overlap window, which refreshed it already.
    expect(later.id).toBeDefined();
    const [row] = query<{ likes: number; prev_likes: number; prev_metrics_at: number; metrics_updated_at: number }>(
      'SELECT likes, prev_likes, prev_metrics_at, metrics_updated_at FROM mentions WHERE external_id = ?',
      fast.id,
    );
    expect(row!.likes).toBe(2500);
    expect(row!.prev_likes).toBe(likesBefore);
    expect(row!.prev_metrics_at).toBeLessThan(row!.metrics_updated_at);
    expect(priorityOf(fast) - priorityOf(slow)).toBeGreaterThan(before + 5);
    const show = await cli('show', String(mentionId(fast)));
    expect(show.stdout).toMatch(/velocity\s+\d+(\.\d)?\/10\s+[\d.]+ interactions\/h since the last poll/);
  });

  it('joins a follow-up to its item and re-opens it after our reply; the queue shows the item once', async () => {
    const first = fake.addTweet('@acme_help acme billing wrong again', { author: 'ivy', mentions: ['acme_help'], createdAt: new Date(Date.now() - 600_000) });
    await cli('poll');
    const id = mentionId(first);
    expect((await cli('reply', String(id), '--text', 'Hi Ivy, DM us please')).code).toBe(0);
    const ours = fake.created[0]!;
    // X's times have whole seconds: the follow-up comes a little later than our reply.
    const followUp = fake.addTweet('@acme_help acme I did, no answer yet', { author: 'ivy', mentions: ['acme_help'], inReplyTo: ours, createdAt: new Date(Date.now() + 2000) });
    const other = fake.addTweet('@acme_help acme same here!', { author: 'max', mentions: ['acme_help'], inReplyTo: first });
    await cli('poll');
    const rows = query<{ id: number; thread_id: number | null; status: string }>('SELECT id, thread_id, status FROM mentions ORDER BY id');
    expect(rows.find((r) => r.id === id)).toMatchObject({ thread_id: null, status: 'open' });
    expect(rows.find((r) => r.id === mentionId(followUp))).toMatchObject({ thread_id: id });
    // A reply from someone else to the customer's post is their own item.
    expect(rows.find((r) => r.id === mentionId(other))).toMatchObject({ thread_id: null });
    const list = await cli('list');
    expect(list.stdout.split('\n').filter((l) => l.startsWith(`${mentionId(followUp)}\t`))).toHaveLength(0);
    expect(list.stdout.split('\n').filter((l) => l.startsWith(`${id}\t`))).toHaveLength(1);
    const events = query<{ new_value: string; actor: string }>("SELECT new_value, actor FROM events WHERE mention_id = ? AND kind = 'status'", id);
    expect(events.at(-1)).toEqual({ new_value: 'open', actor: 'poll (follow-up)' });

    // Replying to the item answers the customer's newest post in the thread.
    expect((await cli('reply', String(id), '--text', 'Sorry Ivy, we have it now')).code).toBe(0);
    expect(JSON.parse(fake.postRequests.at(-1)!.body).reply.in_reply_to_tweet_id).toBe(followUp.id);
    expect(query<{ status: string }>('SELECT status FROM mentions WHERE id IN (?, ?)', id, mentionId(followUp)).map((r) => r.status)).toEqual(['replied', 'replied']);
  });
});
