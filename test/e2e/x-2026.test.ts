import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { FakeTwitter, type FakeTweet } from '../fakes/twitter.js';
import { USER_TIMELINE } from '../fakes/fixtures/x.js';
import { runCommand, tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run.js';
import { decodeXText } from '../../src/sources/twitter/payload.js';

/** X as it is in late 2026: escaped text, late indexing, the mention timeline, money, counts, bounded paging. */
let fake: FakeTwitter;
let dir: string;
let env: Record<string, string>;

const QUIET = 'nativeReplies: false\nrefreshMetrics: false';

function cli(...args: string[]) {
  return runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { env });
}

function rows<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

function source(stdout: string) {
  return JSON.parse(stdout).sources[0] as {
    status: string;
    new: number;
    requests: number;
    postsRead: number;
    spend: number | null;
    message: string | null;
    month: { spend: number | null; projectedSpend: number | null; moneyBudget: number | null };
  };
}

beforeEach(async () => {
  fake = await new FakeTwitter().start();
  fake.enforceWindow = true;
  dir = tempDir();
  env = { TWITTER_BEARER_TOKEN: 'test-bearer-token', TWITTER_USER_TOKEN: 'test-user-token', BRANDWATCH_TWITTER_API_URL: fake.url };
  writeConfig(dir, twitterConfig({ extra: QUIET }));
});

afterEach(async () => {
  await fake.stop();
});

describe('X text', () => {
  it('decodes &amp; &lt; &gt; once, only those', () => {
    expect(decodeXText('AT&amp;T &lt;3 &gt;_&lt; &amp;amp; &quot;x&quot; &#39;')).toBe('AT&T <3 >_< &amp; &quot;x&quot; &#39;');
  });

  it('stores what the author typed: X escapes the text, the store does not show &amp;', async () => {
    fake.addTweet('acme & friends <3 -> a literal &amp; stays');
    const result = await cli('poll');
    expect(result.code, result.stderr).toBe(0);
    expect(rows<{ text: string }>('SELECT text FROM mentions').map((r) => r.text)).toEqual(['acme & friends <3 -> a literal &amp; stays']);
  });
});

describe('late-indexed posts', () => {
  it('the overlap window below the cursor fetches posts X indexed late, out of order, each stored once', async () => {
    const now = Date.now();
    const early = fake.addTweet('acme first', { createdAt: new Date(now - 60_000) });
    // Created before the newest post but indexed only after the first poll: ids below the saved cursor.
    const lateA = fake.addTweet('acme late a', { createdAt: new Date(now - 20_000), late: true });
    const lateB = fake.addTweet('acme late b', { createdAt: new Date(now - 25_000), late: true });
    const newest = fake.addTweet('acme newest', { createdAt: new Date(now - 10_000) });
    expect(BigInt(lateA.id) < BigInt(newest.id) && BigInt(lateB.id) < BigInt(newest.id)).toBe(true);
    expect((await cli('poll')).code).toBe(0);
    expect(rows('SELECT 1 FROM mentions')).toHaveLength(2);

    fake.index(lateA, lateB);
    const second = await cli('poll', '--json');
    expect(second.code, second.stderr).toBe(0);
    // The two late posts and the newest one again (a free re-read the same UTC day), nothing twice.
    expect(source(second.stdout)).toMatchObject({ new: 2, requests: 1, postsRead: 3 });
    const ids = rows<{ external_id: string }>('SELECT external_id FROM mentions ORDER BY external_id').map((r) => r.external_id);
    expect(ids).toEqual([early.id, lateB.id, lateA.id, newest.id].sort());
  });

  it('without the overlap (overlap: 0s) the late posts are lost: the window is what saves them', async () => {
    writeConfig(dir, twitterConfig({ extra: `${QUIET}\noverlap: 0s` }));
    const now = Date.now();
    const late = fake.addTweet('acme late', { createdAt: new Date(now - 20_000), late: true });
    fake.addTweet('acme newest', { createdAt: new Date(now - 10_000) });
    await cli('poll');
    fake.index(late);
    expect(source((await cli('poll', '--json')).stdout).new).toBe(0);
  });
});

describe('money', () => {
  it('poll --json shows the spend; a re-read the same UTC day costs nothing; monthlyBudget stops the source', async () => {
    fake.addMentions(20);
    const first = source((await cli('poll', '--json')).stdout);
    // 20 posts at $0.005 and their authors (user reads, $0.010 each; the fake has 17 authors)
    const authors = new Set(fake.tweets.map((t) => t.authorId)).size;
    expect(first.spend).toBeCloseTo(20 * 0.005 + authors * 0.01, 6);
    expect(first.month.spend).toBeCloseTo(first.spend!, 6);
    expect(first.month.projectedSpend).toBeGreaterThanOrEqual(first.month.spend!);
    const report = JSON.parse((await cli('report', '--since', '1d', '--json')).stdout);
    expect(report.apiUsage[0]).toMatchObject({ source: 'twitter', monthSpend: first.month.spend });
    expect(report.apiUsage[0].projectedMonthSpend).toBeGreaterThanOrEqual(first.month.spend!);

    // The overlap window re-reads the newest posts: the same day, so nothing more is billed.
    const second = source((await cli('poll', '--json')).stdout);
    expect(second.postsRead).toBeGreaterThan(0);
    expect(second.spend).toBe(0);

    writeConfig(dir, twitterConfig({ extra: `${QUIET}\nmonthlyBudget: 0.3` }));
    fake.addMentions(30);
    const third = await cli('poll', '--json');
    expect(third.code).not.toBe(0);
    expect(source(third.stdout)).toMatchObject({ status: 'budget_exhausted' });
    expect(source(third.stdout).message).toMatch(/monthly budget of \$0.3 is spent/);
    expect(source(third.stdout).month.spend!).toBeLessThanOrEqual(0.3 + 0.2);
  });

  it('a post with a URL costs more than usual: off a terminal it needs --yes', async () => {
    writeConfig(dir, twitterConfig({ extra: `${QUIET}\nuserTokenEnv: TWITTER_USER_TOKEN` }));
    const refused = await cli('post', 'Outage fixed, details at https://status.acme.example');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/costs \$0.20 instead of the usual \$0.015 .*add --yes/);
    expect(fake.postRequests).toHaveLength(0);
    const sent = await cli('post', 'Outage fixed, details at https://status.acme.example', '--yes');
    expect(sent.code, sent.stderr).toBe(0);
    expect(fake.postRequests).toHaveLength(1);
    // A post without a URL is not asked about.
    expect((await cli('post', 'Outage fixed in Leeds')).code).toBe(0);
  });
});

describe('the mention timeline', () => {
  beforeEach(() => {
    writeConfig(dir, twitterConfig({ keywords: ['acme', '@acme_help'], extra: `${QUIET}\nuserTokenEnv: TWITTER_USER_TOKEN` }));
  });

  it('@mentions come from GET /2/users/:id/mentions (owned reads); search skips them; a post found by both is stored once', async () => {
    const mention = fake.addTweet('@acme_help acme my router is down', { author: 'ola', mentions: ['acme_help'] });
    const other = fake.addTweet('acme router reviews are in');
    const result = await cli('poll', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(fake.mentionRequests).toHaveLength(1);
    expect(fake.mentionRequests[0]!.headers.authorization).toBe('Bearer test-user-token');
    expect(fake.searchRequests[0]!.query.get('query')).toBe('acme -is:retweet -from:acme_help -@acme_help');
    const stored = rows<{ external_id: string; keywords: string }>('SELECT external_id, keywords FROM mentions ORDER BY external_id');
    expect(stored.map((r) => r.external_id)).toEqual([mention.id, other.id].sort());
    expect(JSON.parse(stored.find((r) => r.external_id === mention.id)!.keywords)).toEqual(['acme', '@acme_help']);
    // The mention cost an owned read ($0.001), not a post read ($0.005).
    const authorsBilled = 3; // the brand (users/me), ola, the other author
    expect(source(result.stdout).spend).toBeCloseTo(0.001 + 0.005 + authorsBilled * 0.01, 6);

    // since_id on the next poll, and paging with pagination_token on a backlog.
    const more = Array.from({ length: 120 }, (_, i) => fake.addTweet(`@acme_help help ${i}`, { author: `u${i % 9}`, mentions: ['acme_help'] }));
    const second = await cli('poll', '--json');
    expect(source(second.stdout).new).toBe(120);
    const [firstPage, nextPage] = fake.mentionRequests.slice(1);
    expect(firstPage!.query.has('since_id')).toBe(true);
    expect(nextPage!.query.has('pagination_token')).toBe(true);
    expect(rows('SELECT 1 FROM mentions')).toHaveLength(122);
    expect(more).toHaveLength(120);
  });

  it('doctor says which path each keyword takes and what a quiet and a busy day cost', async () => {
    const doctor = await cli('doctor', '--json');
    const checks = JSON.parse(doctor.stdout).checks as { area: string; name: string; detail: string }[];
    const paths = checks.find((c) => c.name === 'keyword paths')!;
    expect(paths.detail).toBe('"@acme_help" → mention timeline (owned reads, $0.001 a post); "acme" → recent search ($0.005 a post)');
    expect(checks.find((c) => c.name === 'overlap window')!.detail).toMatch(/re-reads the last 30s below the newest stored post/);
    expect(checks.find((c) => c.name === 'daily cost')!.detail).toMatch(/a quiet day \(30 new posts\) ≈ [\d,]+ requests, [\d,]+ reads, \$[\d.]+; a busy day \(1,000 new\) ≈/);
  });

  it("keeps every field we rely on from X's documented timeline response", async () => {
    fake.server.inject({ kind: 'status', status: 200, body: USER_TIMELINE }, /\/mentions$/);
    const result = await cli('poll');
    expect(result.code, result.stderr).toBe(0);
    const [row] = rows<Record<string, unknown>>("SELECT * FROM mentions WHERE external_id = '1301573587187331074'");
    expect(row).toMatchObject({
      external_id: '1301573587187331074',
      author_handle: 'TwitterDev',
      author_name: 'Twitter Dev',
      author_id: '2244994945',
      created_at: Date.parse('2020-09-03T17:31:39.000Z'),
      url: 'https://x.com/TwitterDev/status/1301573587187331074',
      text: USER_TIMELINE.data[0]!.text,
    });
    expect(rows('SELECT 1 FROM mentions WHERE external_id = ?', '1300888112948752389')).toHaveLength(1);
  });
});

describe('counts', () => {
  it('a spent monthlyBudget stops the counts request too: no request is made past it', async () => {
    writeConfig(dir, twitterConfig({ extra: `${QUIET}\ncounts: true\nmonthlyBudget: 0.001` }));
    const result = await cli('poll', '--json');
    expect(result.code).not.toBe(0);
    expect(fake.countsRequests).toHaveLength(0);
    expect(source(result.stdout)).toMatchObject({ status: 'budget_exhausted' });
    expect(source(result.stdout).message).toMatch(/monthly budget of \$0.001 is spent/);
  });

  it('counts/recent gives volume with one request per group and no post reads', async () => {
    writeConfig(dir, twitterConfig({ extra: `${QUIET}\ncounts: true` }));
    const now = Date.now();
    for (let i = 0; i < 12; i++) fake.addTweet(`acme spike ${i}`, { createdAt: new Date(now - 5 * 60_000 + i * 1000) });
    const result = await cli('poll', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(fake.countsRequests).toHaveLength(1);
    expect(fake.countsRequests[0]!.query.get('granularity')).toBe('minute');
    const volume = rows<{ n: number }>('SELECT sum(count) AS n FROM volume_counts')[0]!.n;
    expect(volume).toBe(12);
    // posts read: only the search's; the counts request is billed per request.
    expect(source(result.stdout).postsRead).toBe(12);
    // The report's volume line comes from the stored counts, beside what was read.
    const report = JSON.parse((await cli('report', '--since', '1d', '--json')).stdout);
    expect(report.apiUsage[0]).toMatchObject({ source: 'twitter', countedVolume: 12, postsRead: 12 });
    expect((await cli('report', '--since', '1d')).stdout).toContain('twitter volume: 12 posts counted by the platform in this period (12 read)');
  });
});

describe('counts for spikes', () => {
  it("a spike is judged on X's counts where configured: the alert names the counted volume, even past what was read", async () => {
    // Reads capped at 10 posts this month: search stores 10, counts/recent still sees every post.
    writeConfig(
      dir,
      `${twitterConfig({ extra: `${QUIET}\ncounts: true\nmonthlyReadBudget: 10` })}alerts:\n  minPriority: urgent\n  spike: { window: 10m, minCount: 15, factor: 3 }\n`,
    );
    const now = Date.now();
    for (let i = 0; i < 3; i++) fake.addTweet(`acme ordinary day ${i}`, { createdAt: new Date(now - 50 * 60_000 + i * 600_000) });
    for (let i = 0; i < 30; i++) fake.addTweet(`acme is down again ${i}`, { createdAt: new Date(now - 5 * 60_000 + i * 5_000) });
    const result = await cli('poll', '--json');
    expect(rows('SELECT 1 FROM mentions').length).toBeLessThanOrEqual(10);
    const spike = JSON.parse(result.stdout).alerts.raised.find((a: { kind: string }) => a.kind === 'spike');
    expect(spike, result.stdout).toBeDefined();
    expect(spike.title).toMatch(/^Spike: 3\d mentions of "acme" in the last 10m \(usually [\d.]+\)/);
  });
});

describe('bounded paging (issue 16)', () => {
  it('stops on a repeated next_token and says so; the next poll starts fresh', async () => {
    fake.addMentions(150);
    fake.repeatTokenFrom = 2;
    const result = await cli('poll', '--json');
    expect(result.code, result.stderr).toBe(0);
    const s = source(result.stdout);
    expect(s.message).toMatch(/repeated a page token; stopped paging/);
    expect(s.requests).toBeLessThanOrEqual(3);
    expect(fake.searchRequests.length).toBeLessThanOrEqual(3);
  });

  it('caps the pages per poll (maxPages) and resumes the run on the next poll', async () => {
    writeConfig(dir, twitterConfig({ extra: `${QUIET}\nmaxPages: 2` }));
    fake.addMentions(450);
    const first = source((await cli('poll', '--json')).stdout);
    expect(first).toMatchObject({ new: 200, requests: 2 });
    expect(first.message).toMatch(/stopped after 2 pages .*the next poll continues/);
    // The summary line a person or cron mail reads says the same.
    const second = await cli('poll');
    expect(second.stdout).toMatch(/^twitter: 200 new, .* — \[\S+\] stopped after 2 pages .*the next poll continues from here$/m);
    const third = source((await cli('poll', '--json')).stdout);
    expect(third.new).toBe(50);
    expect(rows('SELECT 1 FROM mentions')).toHaveLength(450);
  });
});

describe("X's 7-day window (issue 16)", () => {
  it('a paging run resumed after its start_time left the window restarts at the edge and says what was skipped', async () => {
    fake.addMentions(150);
    const start = Date.now();
    const interrupted = await runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll'], { env, now: start });
    expect(interrupted.code).toBe(0);
    // Leave a run mid-way whose start_time is now 8 days old.
    const db = new Database(join(dir, 'bw.db'));
    const old = new Date(start - 8 * 86_400_000).toISOString();
    db.prepare("UPDATE cursors SET state = json_set(state, '$.sinceId', json('null'), '$.run', json(?))").run(JSON.stringify({ newestId: null, nextToken: 'eyJiZWZvcmUiOiIxIn0', sinceId: null, startTime: old }));
    db.close();
    const before = fake.searchRequests.length;
    const resumed = await cli('poll', '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(source(resumed.stdout).message).toMatch(/past X's 7-day search window; restarted at its edge .* skipped/);
    const restart = fake.searchRequests[before]!;
    expect(restart.query.has('next_token')).toBe(false);
    expect(Date.parse(restart.query.get('start_time')!)).toBeGreaterThan(Date.now() - 7 * 86_400_000);
  });

  it('backfill: 7d works with a local clock a few minutes slow', async () => {
    writeConfig(dir, twitterConfig({ extra: `${QUIET}\nbackfill: 7d` }));
    fake.clockAhead = 5 * 60_000;
    fake.addMentions(3);
    const result = await cli('poll', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(source(result.stdout).new).toBe(3);
  });
});

describe('requests end (issue 16)', () => {
  it('a body trickled byte by byte cannot outlast the timeout: the request is abandoned and nothing is stored', async () => {
    writeConfig(dir, twitterConfig({ extra: `${QUIET}\nretry: { attempts: 1, baseDelay: 10ms }\ntimeout: 1s` }).replace(/    retry: \{ attempts: 3, baseDelay: 10ms \}\n    timeout: 2s\n/, ''));
    // 100 kB at a byte each 200 ms would take hours: only the deadline can end this poll.
    fake.server.inject({ kind: 'trickle', everyMs: 200 }, /search/);
    const result = await cli('poll', '--json');
    expect(result.code).toBe(1);
    expect(source(result.stdout).message).toMatch(/no complete answer within 1s/);
    const searches = fake.server.requestsTo(/search/);
    expect(searches).toHaveLength(1);
    // The fake hears the hang-up on its own side of the socket, a moment after the client has moved on.
    await vi.waitFor(() => expect(searches[0]!.abandoned).toBe(true));
    expect(rows('SELECT id FROM mentions')).toEqual([]);
    expect(rows('SELECT source, query_key FROM cursors')).toEqual([]);
  });

  it('the poll stop signal (SIGTERM) ends a stuck request at once: abandoned before its answer, nothing stored', async () => {
    fake.server.inject({ kind: 'stall', ms: 1500 }, /search/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const result = await runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll'], { env, signal: controller.signal });
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/interrupted/);
    const searches = fake.server.requestsTo(/search/);
    expect(searches).toHaveLength(1);
    // The stalled answer would have come after the stop; the client hung up first.
    await vi.waitFor(() => expect(searches[0]!.abandoned).toBe(true));
    expect(rows('SELECT id FROM mentions')).toEqual([]);
  });

  it('an X network failure names its cause, never just "Request failed."', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const result = await runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll'], {
      env: { ...env, BRANDWATCH_TWITTER_API_URL: `https://127.0.0.1:${port}` },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach X \(connect ECONNREFUSED 127\.0\.0\.1/);
    expect(result.stderr).not.toMatch(/Request failed\./);
  });
});

describe('query grammar at load (issue 16)', () => {
  it('a keyword too long for X\'s query limit is a config error (exit 2), before any request', async () => {
    writeConfig(dir, twitterConfig({ keywords: ['acme ' + 'x'.repeat(600)], extra: QUIET }));
    const result = await cli('poll');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/sources\.twitter: the keyword .* longer than 512 characters/);
    expect(fake.server.requests).toHaveLength(0);
  });
});

export type { FakeTweet };
