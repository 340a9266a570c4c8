import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeFacebook } from '../fakes/facebook.js';
import { FakeFeeds } from '../fakes/feed.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { bySource, cli, cursorOf, multiConfig, nativeResponses, sourceBlock, storedRows } from '../helpers/sources.js';

let fb: FakeFacebook;
let dir: string;
const env = { FB_PAGE_TOKEN: 'test-page-token' };

function configure(extra: Record<string, string | number | boolean> = {}, more: string[] = []): void {
  writeConfig(dir, multiConfig([sourceBlock('facebook', { pageId: '1001', pageTokenEnv: 'FB_PAGE_TOKEN', apiBaseUrl: fb.url, ...extra }), ...more]));
}

const poll = (...args: string[]) => cli(dir, ['poll', ...args], env);

beforeEach(async () => {
  fb = await new FakeFacebook().start();
  dir = tempDir();
  configure();
});

afterEach(async () => {
  expect(fb.server.unexpected).toEqual([]);
  await fb.stop();
});

describe('poll a Facebook Page through the fake Graph API', () => {
  it('stores visitor posts and comments once, records the Page’s own comments as replies, and reads only the feed when nothing changed', async () => {
    const announcement = fb.addPost('We have new skates!');
    const question = fb.addComment(announcement, 'Do the acme skates come in red?', { from: fb.user(1) });
    const answer = fb.addComment(question, 'They do, in March.', { from: fb.page });
    const thanks = fb.addComment(question, 'Thanks!', { from: fb.user(1) });
    const visitor = fb.addPost('My order #123 never arrived', { from: fb.user(2) });
    fb.server.expectCalled('GET', /\/feed$/).expectCalled('GET', /\/comments$/);
    fb.addPost('Old post', { at: Date.now() - 30 * 86_400_000 });

    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(bySource(first.stdout).facebook).toMatchObject({ status: 'ok', new: 3, requests: 2, nativeReplies: 1 });
    const feedRequest = fb.requestsTo(/\/feed$/)[0]!;
    expect(feedRequest.headers.authorization).toBe('Bearer test-page-token');
    expect(feedRequest.query.has('access_token')).toBe(false);
    expect(feedRequest.query.get('fields')).toContain('comments.filter(stream).limit(0).summary(true)');
    const commentRequests = fb.requestsTo(/\/comments$/);
    // The visitor's post has no comments yet: its count says so, and it is not asked for them.
    expect(commentRequests.map((r) => r.path)).toEqual([`/v25.0/${announcement.id}/comments`]);
    expect(commentRequests[0]!.query.get('filter')).toBe('stream');
    expect(commentRequests[0]!.query.get('order')).toBe('reverse_chronological');

    const rows = storedRows(dir);
    expect(rows.map((r) => r.external_id).sort()).toEqual([question.id, thanks.id, visitor.id].sort());
    const stored = Object.fromEntries(rows.map((r) => [r.external_id, r]));
    expect(stored[question.id]).toMatchObject({ author_handle: 'Customer 1', in_reply_to: announcement.id, conversation_id: announcement.id, status: 'replied' });
    expect(stored[question.id]!.created_at).toBe(Math.floor(question.created / 1000) * 1000);
    expect(stored[thanks.id]).toMatchObject({ in_reply_to: question.id, status: 'new' });
    expect(stored[visitor.id]).toMatchObject({ author_handle: 'Customer 2', url: `https://www.facebook.com/${visitor.id.replace('_', '/posts/')}` });
    expect(nativeResponses(dir)).toEqual([{ external_id: answer.id, mention_external_id: question.id, via: 'native' }]);

    const before = fb.server.requests.length;
    const second = await poll('--json');
    expect(second.code, second.stderr).toBe(0);
    expect(bySource(second.stdout).facebook).toMatchObject({ new: 0, requests: 1 });
    expect(fb.server.requests.slice(before).map((r) => r.path)).toEqual(['/v25.0/1001/feed']);

    const followUp = fb.addComment(visitor, 'Any news on my acme order?', { from: fb.user(2), at: Date.now() });
    const third = await poll('--json');
    expect(bySource(third.stdout).facebook).toMatchObject({ new: 1, requests: 2 });
    expect(storedRows(dir).map((r) => r.external_id)).toContain(followUp.id);
    expect(storedRows(dir)).toHaveLength(4);
  });

  it('follows paging only while paging.next is present, by the after cursor and never by the token-carrying next URL', async () => {
    const post = fb.addPost('Big launch');
    const comments = fb.addComments(post, 230);
    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(bySource(first.stdout).facebook).toMatchObject({ new: 230, requests: 4 });
    const pages = fb.requestsTo(/\/comments$/);
    expect(pages).toHaveLength(3);
    expect(pages.slice(1).every((r) => r.query.has('after') && !r.query.has('access_token'))).toBe(true);
    expect(new Set(storedRows(dir).map((r) => r.external_id))).toEqual(new Set(comments.map((c) => c.id)));

    // Five more: only the newest page is read, and it stops at the newest stored comment.
    for (let i = 0; i < 5; i++) fb.addComment(post, `Again ${i}`, { at: Date.now() + i * 1000 });
    const second = await poll('--json');
    expect(bySource(second.stdout).facebook).toMatchObject({ new: 5, requests: 2 });
    expect(storedRows(dir)).toHaveLength(235);
    const state = cursorOf(dir, 'facebook')[0] as { posts: Record<string, { count: number }> };
    expect(state.posts[post.id]!.count).toBe(235);
  });

  it('treats Graph error code 4 (HTTP 400) as a rate limit and stops with 75', async () => {
    fb.addPost('hello', { from: fb.user(3) });
    fb.server.inject({
      kind: 'status',
      status: 400,
      headers: { 'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 20, total_time: 30 }) },
      body: { error: { message: '(#4) Application request limit reached', type: 'OAuthException', is_transient: true, code: 4, fbtrace_id: 'Abc' } },
    });
    const result = await poll();
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/facebook: rate limited: Facebook throttled the app \(4: \(#4\) Application request limit reached\); stopped for this run/);
    expect(storedRows(dir)).toHaveLength(0);
  });

  it('retries a 500, then stores; a refused token names the variable, never the token', async () => {
    fb.addPost('hello acme', { from: fb.user(3) });
    fb.server.inject({ kind: 'status', status: 500, body: { error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 } } });
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(bySource(result.stdout).facebook).toMatchObject({ new: 1, requests: 2 });

    const refused = await cli(dir, ['poll'], { FB_PAGE_TOKEN: 'wrong-SECRET-token' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Facebook refused the page token \(190: Invalid OAuth access token.*\); get a new Page access token and export it in FB_PAGE_TOKEN/);
    expect(refused.stderr + refused.stdout).not.toContain('SECRET');
  });

  it('fails with a clear message on a malformed payload while another source stores (exit 3)', async () => {
    const feeds = await new FakeFeeds().start();
    try {
      feeds.addRss('Acme news', 'acme text');
      configure({}, [sourceBlock('rss', { url: feeds.rssUrl })]);
      fb.server.inject({ kind: 'status', status: 200, body: { data: [{ id: '1001_1', created_time: 'yesterday' }] } }, /\/feed$/);
      const result = await poll();
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/facebook: failed: unexpected feed response from Facebook \(data\.0\.created_time: is not a Graph API time\)/);
      expect(storedRows(dir, 'rss')).toHaveLength(1);
    } finally {
      await feeds.stop();
    }
  });
});
