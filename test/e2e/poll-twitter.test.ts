import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { idBefore } from '../../src/sources/twitter/window.js';
import { testCertificate } from '../fakes/tls.js';
import { runCli, runCommand, startCli, tempDir, twitterConfig as fullConfig, writeConfig } from '../helpers/cli.js';

/** These tests count keyword-search requests: leave out the own-replies search and the metrics refresh (tested in test/e2e/replies.test.ts). */
function twitterConfig(options: Parameters<typeof fullConfig>[0] = {}): string {
  return fullConfig({ ...options, extra: ['nativeReplies: false', 'refreshMetrics: false', options.extra].filter(Boolean).join('\n') });
}

let fake: FakeTwitter;
let dir: string;
let env: Record<string, string>;

function storedIds(): string[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return (db.prepare('SELECT external_id FROM mentions ORDER BY external_id').all() as { external_id: string }[]).map((r) => r.external_id);
  } finally {
    db.close();
  }
}

/** A poll in this process (the paths that need no process of their own: requests, paging, errors, storing). */
function poll(...args: string[]) {
  return runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll', ...args], { env });
}

/** A poll of the built CLI, for the lock between processes and SIGKILL. */
function pollProcess(...args: string[]) {
  return runCli(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll', ...args], { env });
}

beforeEach(async () => {
  fake = await new FakeTwitter().start();
  dir = tempDir();
  const { caFile } = await testCertificate();
  env = { TWITTER_BEARER_TOKEN: 'test-bearer-token', BRANDWATCH_TWITTER_API_URL: fake.url, NODE_EXTRA_CA_CERTS: caFile };
  writeConfig(dir, twitterConfig());
});

afterEach(async () => {
  await fake.stop();
});

describe('poll against the fake X API', () => {
  it('stores new mentions once; the second poll sends since_id and costs one request when nothing is new', async () => {
    const posted = fake.addMentions(25);
    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report.sources[0]).toMatchObject({ source: 'twitter', status: 'ok', new: 25, pages: 1, requests: 1 });
    expect(fake.searchRequests).toHaveLength(1);
    expect(fake.searchRequests[0]!.query.get('query')).toBe('acme -is:retweet -from:acme_help');
    expect(fake.searchRequests[0]!.query.has('start_time')).toBe(true);

    const second = await poll('--json');
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout).sources[0]).toMatchObject({ new: 0, requests: 1 });
    expect(fake.searchRequests).toHaveLength(2);
    // since_id sits the overlap window (30 s) below the newest stored post, so posts X indexes late still come.
    expect(fake.searchRequests[1]!.query.get('since_id')).toBe(idBefore(posted.at(-1)!.id, 30_000));
    expect(storedIds()).toEqual(posted.map((t) => t.id).sort());

    fake.addMentions(3);
    const third = await poll('--json');
    expect(JSON.parse(third.stdout).sources[0]).toMatchObject({ new: 3, requests: 1 });
    expect(storedIds()).toHaveLength(28);
  });

  it('keeps ids above 2^53 exact and stores authors, followers and metrics', async () => {
    const [tweet] = fake.addMentions(1);
    await poll();
    const db = new Database(join(dir, 'bw.db'), { readonly: true });
    const row = db.prepare('SELECT * FROM mentions').get() as Record<string, unknown>;
    db.close();
    expect(BigInt(tweet!.id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(row.external_id).toBe(tweet!.id);
    expect(row.author_handle).toBe(fake.users.get(tweet!.authorId)!.username);
    expect(row.author_followers).toBe(fake.users.get(tweet!.authorId)!.followers);
    expect(row.url).toBe(`https://x.com/${row.author_handle}/status/${tweet!.id}`);
    expect(row.created_at).toBe(Date.parse(tweet!.createdAt));
  });

  it('reaches the API through apiBaseUrl from the config, path prefix included', async () => {
    fake.server.route('GET', /^\/gateway\/2\/tweets\/search\/recent$/, () => ({ body: { meta: { result_count: 0 } } }));
    writeConfig(dir, twitterConfig({ extra: `apiBaseUrl: ${fake.url}/gateway` }));
    delete env.BRANDWATCH_TWITTER_API_URL;
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(fake.server.requests.map((r) => r.path)).toEqual(['/gateway/2/tweets/search/recent']);
  });

  it('fetches a 350-mention backlog in 4 pages per query group and stores it whole', async () => {
    // A short query limit splits the two keywords into two groups.
    writeConfig(dir, twitterConfig({ keywords: ['acme', 'wile e coyote and roadrunner'], extra: 'queryLengthLimit: 64' }));
    const acme = fake.addMentions(350, 'acme');
    const road = fake.addMentions(350, 'wile e coyote and roadrunner');
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0]).toMatchObject({ new: 700, pages: 8, requests: 8 });
    const queries = new Set(fake.searchRequests.map((r) => r.query.get('query')));
    expect(queries.size).toBe(2);
    for (const query of queries) {
      const requests = fake.searchRequests.filter((r) => r.query.get('query') === query);
      expect(requests).toHaveLength(4);
      expect(requests.slice(1).every((r) => r.query.has('next_token') && !r.query.has('until_id'))).toBe(true);
    }
    expect(storedIds()).toEqual([...acme, ...road].map((t) => t.id).sort());

    const again = await poll('--json');
    expect(JSON.parse(again.stdout).sources[0]).toMatchObject({ new: 0, requests: 2 });
  });

  it('waits for a short rate-limit reset, then continues', async () => {
    fake.addMentions(5);
    const reset = Math.floor(Date.now() / 1000) + 1;
    fake.server.inject({
      kind: 'status',
      status: 429,
      headers: { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(reset) },
      body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
    });
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0]).toMatchObject({ new: 5, requests: 2 });
  });

  it('stops with 75 when the rate-limit reset is further off than rateLimitWait', async () => {
    fake.addMentions(5);
    fake.rateLimit.remaining = 0;
    fake.rateLimit.reset = Math.floor(Date.now() / 1000) + 600;
    const result = await poll();
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/twitter: rate limited: X rate limit reached; stopped for this run until/);
    expect(fake.searchRequests).toHaveLength(1);
    expect(storedIds()).toHaveLength(0);
  });

  it('retries a 503 with backoff', async () => {
    fake.addMentions(4);
    fake.server.inject({ kind: 'status', status: 503, body: { title: 'Service Unavailable' } });
    fake.server.inject({ kind: 'reset' });
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0]).toMatchObject({ new: 4, requests: 3 });
  });

  it('retries a timed-out request', async () => {
    fake.addMentions(2);
    fake.server.inject({ kind: 'stall', ms: 3000 });
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0]).toMatchObject({ new: 2, requests: 2 });
  });

  it('fails the source with a clear message on malformed JSON, storing nothing', async () => {
    fake.addMentions(4);
    for (let i = 0; i < 3; i++) fake.server.inject({ kind: 'malformed' });
    const result = await poll();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/twitter: failed: X sent an incomplete or malformed response/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(storedIds()).toHaveLength(0);
  });

  it('fails on a response of the wrong shape without storing anything', async () => {
    fake.server.inject({ kind: 'status', status: 200, body: { data: [{ id: 12, text: null }], meta: {} } });
    const result = await poll();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unexpected search response from X/);
  });

  it('falls back to start_time when since_id is older than 7 days', async () => {
    fake.addMentions(3);
    expect((await poll()).code).toBe(0);
    fake.oldestSinceId = BigInt(fake.tweets.at(-1)!.id) + 1n;
    fake.addMentions(2);
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0]).toMatchObject({ new: 2 });
    const last = fake.searchRequests.at(-1)!;
    expect(last.query.has('since_id')).toBe(false);
    expect(last.query.has('start_time')).toBe(true);
  });

  it('rejects a wrong token with a message naming the variable, never the token', async () => {
    env.TWITTER_BEARER_TOKEN = 'wrong-token-SECRET123';
    const result = await poll();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/X refused the token \(401/);
    expect(result.stderr + result.stdout).not.toContain('SECRET123');
  });

  it('never reads past monthlyReadBudget', async () => {
    writeConfig(dir, twitterConfig({ extra: 'monthlyReadBudget: 150' }));
    fake.addMentions(400);
    const result = await poll('--json');
    // Some posts were stored before the budget ran out: a partial run, which cron must notice.
    expect(result.code).toBe(3);
    const source = JSON.parse(result.stdout).sources[0];
    expect(source.status).toBe('budget_exhausted');
    expect(source.postsRead).toBeLessThanOrEqual(150);
    expect(source.month).toMatchObject({ budget: 150 });
    expect(source.month.postsRead).toBeLessThanOrEqual(150);
    expect(result.stderr).toMatch(/monthly read budget of 150 posts is used up/);
    const again = await poll('--json');
    expect(JSON.parse(again.stdout).sources[0].month.postsRead).toBeLessThanOrEqual(150);
  });

  it('lets exactly one of two overlapping polls run; the other exits 75', async () => {
    fake.addMentions(30);
    // The first poll's first request is held until the second has exited: it holds the lock all that time,
    // however slowly the second process starts.
    let releaseFirst!: () => void;
    fake.server.inject({ kind: 'hold', until: new Promise<void>((resolve) => (releaseFirst = resolve)) });
    const first = startCli(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll'], { env });
    const firstDone = new Promise<number | null>((resolve) => first.on('close', resolve));
    while (fake.searchRequests.length === 0) await new Promise((r) => setTimeout(r, 20));
    const second = await pollProcess();
    releaseFirst();
    expect(second.code).toBe(75);
    expect(second.stderr.trim()).toBe('brandwatch: another brandwatch poll is running on this database; this run stopped (exit 75) — cron will try again');
    expect(await firstDone).toBe(0);
    expect(storedIds()).toHaveLength(30);
  });

  it('ends with exactly the server\'s mentions after polls killed at random points', async () => {
    fake.addMentions(700);
    const args = ['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll'];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 10; i++) fake.server.inject({ kind: 'delay', ms: 60 });
      const child = startCli(args, { env });
      const closed = new Promise((resolve) => child.on('close', resolve));
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 500));
      child.kill('SIGKILL');
      await closed;
      fake.addMentions(20);
    }
    const final = await pollProcess('--json');
    expect(final.code, final.stderr).toBe(0);
    const ids = storedIds();
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(fake.tweets.map((t) => t.id).sort());
  });
});

