import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FakeTwitter } from '../fakes/twitter.js';
import { FakeServer } from '../fakes/server.js';
import { tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';
import { forEachEngine, queryStore } from '../helpers/engines.js';
import { until, watchStreamWith } from '../helpers/watch.js';
import { RULE_TAG_PREFIX } from '../../src/sources/twitter/stream.js';

// The stream is what these tests watch: the own-replies rule and the metrics refresh would add requests.
const STREAMING_X = 'nativeReplies: false\nrefreshMetrics: false\nstreamStallTimeout: 5s';

let fake: FakeTwitter;
let dir: string;
let db: string;
let env: Record<string, string>;

const rows = (sql: string) => queryStore(db, sql);
const storedIds = async () => (await rows('SELECT external_id FROM mentions ORDER BY external_id')).map((r) => r.external_id as string);
const watchStream = (...args: string[]) => watchStreamWith({ dir, env, db }, ...args);

forEachEngine('watch --stream on X', (engine) => {
  beforeEach(async () => {
    fake = await new FakeTwitter().start();
    fake.keepAliveMs = 50;
    dir = tempDir();
    db = engine.kind === 'sqlite' ? join(dir, 'bw.db') : await engine.freshLocation();
    env = { TWITTER_BEARER_TOKEN: 'test-bearer-token', BRANDWATCH_TWITTER_API_URL: fake.url };
    writeConfig(dir, twitterConfig({ keywords: ['acme', '@acme_help'], extra: STREAMING_X }));
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('syncs the rules without duplicates, stores streamed posts once (decoded as the poll decodes them), and saves the position', async () => {
    // A stale rule of ours, a wanted one already there, and another tool's rule (left alone).
    fake.rules.push({ id: '1', value: 'old acme OR thing -is:retweet', tag: `${RULE_TAG_PREFIX}q-deadbeef` });
    fake.rules.push({ id: '2', value: 'someone else', tag: 'other-tool' });
    const early = fake.addTweet('acme before the stream opened', { author: 'ann' });
    const watch = watchStream('--json');
    await until(() => fake.openStreams === 1 && fake.searchRequests.length >= 1, 'the stream and its backfill');
    expect(fake.rules.map((r) => r.tag)).toEqual(['other-tool', `${RULE_TAG_PREFIX}${rulesTag()}`]);
    expect(fake.rules.filter((r) => r.tag !== 'other-tool').map((r) => r.value)).toEqual(['(acme OR @acme_help) -is:retweet -from:acme_help']);

    const live = fake.postLive('acme fish & chips <3 @acme_help', { author: 'bob', mentions: ['acme_help'] });
    fake.postLive('nothing to see here', { author: 'cat' });
    await until(async () => (await storedIds()).includes(live.id), 'the streamed post stored');
    // The same post arriving again (stream replay, or the poll) is not stored twice.
    fake.publish(live);
    await until(() => fake.keepAlivesSent > 0, 'a keep-alive');
    const result = await watch.stop();
    expect(result.code, result.stderr).toBe(0);

    expect(await storedIds()).toEqual([early.id, live.id].sort());
    expect(await rows(`SELECT text, author_handle, summons_brand FROM mentions WHERE external_id = '${live.id}'`)).toEqual([{ text: 'acme fish & chips <3 @acme_help', author_handle: 'bob', summons_brand: 1 }]);
    const cursor = await rows("SELECT state FROM cursors WHERE source = 'twitter' AND query_key = 'stream'");
    expect(JSON.parse(cursor[0]!.state as string)).toEqual({ newestId: live.id });

    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.event === 'mention').map((e) => [e.externalId, e.via])).toEqual([[live.id, 'stream']]);
    expect(events.filter((e) => e.event === 'stream').map((e) => e.state)).toEqual(['connecting', 'connected', 'stopped']);
    expect(events.some((e) => e.event === 'poll' && e.backfill === true)).toBe(true);

    // Synced again on a restart: nothing added, nothing removed.
    const again = watchStream();
    await until(() => fake.streamRequests.length === 2 && fake.openStreams === 1, 'the second stream');
    expect((await again.stop()).code).toBe(0);
    expect(fake.server.requestsTo(/stream\/rules$/).filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(fake.rules).toHaveLength(2);
  });

  function rulesTag(): string {
    return fake.rules.find((r) => r.tag?.startsWith(RULE_TAG_PREFIX))!.tag!.slice(RULE_TAG_PREFIX.length);
  }

  it('a disconnect in the middle of a burst: the poll path backfills the gap on reconnecting, nothing lost, nothing doubled', async () => {
    const watch = watchStream();
    await until(() => fake.openStreams === 1 && fake.searchRequests.length === 1, 'the stream and its backfill');
    const burst: string[] = [];
    for (let i = 0; i < 5; i++) burst.push(fake.postLive(`acme burst ${i}`, { author: `u${i}` }).id);
    await until(async () => (await storedIds()).length === 5, 'the first half of the burst');
    // The connection drops; the rest of the burst happens while it is down.
    fake.dropStreams();
    for (let i = 5; i < 10; i++) burst.push(fake.addTweet(`acme burst ${i}`, { author: `u${i}` }).id);
    await until(() => fake.streamRequests.length >= 2 && fake.openStreams === 1, 'the reconnection');
    await until(async () => (await storedIds()).length === 10, 'the backfilled half');
    // The backfill's search reached back past the streamed half too: those posts came twice and are stored once.
    const since = fake.searchRequests[1]!.query.get('since_id');
    if (since !== null) expect(BigInt(since)).toBeLessThan(BigInt(burst[0]!));
    else expect(Date.parse(fake.searchRequests[1]!.query.get('start_time')!)).toBeLessThan(Date.parse(fake.tweets.find((t) => t.id === burst[0])!.createdAt));
    const after = fake.postLive('acme after the gap', { author: 'zed' });
    await until(async () => (await storedIds()).includes(after.id), 'the post after the gap');
    const result = await watch.stop();
    expect(result.code, result.stderr).toBe(0);
    expect(await storedIds()).toEqual([...burst, after.id].sort());
    expect(await rows('SELECT count(*) AS n FROM mentions')).toEqual([{ n: 11 }]);
    expect(result.stderr).toMatch(/^twitter: stream X closed the stream; reconnecting in 1s$/m);
  });

  it('a stream that stalls (keep-alives stop) is detected and reconnected', async () => {
    writeConfig(dir, twitterConfig({ keywords: ['acme', '@acme_help'], extra: STREAMING_X.replace('5s', '300ms') }));
    const watch = watchStream('--json');
    await until(() => fake.openStreams === 1, 'the stream');
    fake.stalled = true;
    await until(() => fake.streamRequests.length >= 2, 'a reconnection after the stall');
    fake.stalled = false;
    fake.dropStreams();
    await until(() => fake.openStreams === 1, 'the new connection');
    const post = fake.postLive('acme after the stall', { author: 'sam' });
    await until(async () => (await storedIds()).includes(post.id), 'the post after the stall');
    const result = await watch.stop();
    const events = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toContainEqual(expect.objectContaining({ event: 'stream', state: 'reconnecting', message: 'sent no data or keep-alive for 0.3s', retryIn: 250 }));
  });

  it('the one-connection limit gets a clear line and X\'s 429 backoff', async () => {
    fake.maxConnections = 0;
    const watch = watchStream();
    // The third attempt comes only after the second refusal was reported.
    await until(() => fake.streamRequests.length >= 3, 'three refused attempts');
    // Meanwhile the rounds on --every poll the source the stream cannot serve.
    fake.addTweet('acme while the stream is refused', { author: 'ray' });
    await until(async () => (await storedIds()).length === 1, 'the polled post');
    const result = await watch.stop();
    expect(result.code).toBe(0);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('twitter: stream'));
    expect(lines[0]).toBe(
      "twitter: stream X allows one filtered-stream connection per app and another is open (another watch, or another tool using this app's bearer token); close it; reconnecting in 1m",
    );
    expect(lines[1]).toMatch(/reconnecting in 2m$/);
  });

  it("on a terminal the status line shows the stream's state before the poll part", async () => {
    const watch = watchStreamWith({ dir, env, db, tty: true });
    await until(() => fake.openStreams === 1 && fake.searchRequests.length === 1, 'the stream');
    await new Promise((r) => setTimeout(r, 300));
    const result = await watch.stop();
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\r\x1b\[2Ktwitter: connected · next poll in \d+(m \d+)?s · 0 open · no SLA deadline pending/);
  });

  it('alerts fire from streamed mentions: the webhook gets them as after a poll', async () => {
    const receiver = new FakeServer(false);
    const received: { alert: { kind: string; mention: { author: string } } }[] = [];
    receiver.route('POST', /^\/hook$/, (r) => {
      received.push(JSON.parse(r.body));
      return { status: 200, body: 'ok' };
    });
    await receiver.start();
    try {
      writeConfig(dir, `${twitterConfig({ keywords: ['acme'], extra: STREAMING_X })}alerts:\n  webhookEnv: BW_WEBHOOK\n  minPriority: low\n`);
      env.BW_WEBHOOK = `${receiver.url}/hook`;
      const watch = watchStream();
      await until(() => fake.openStreams === 1 && fake.searchRequests.length === 1, 'the stream');
      fake.postLive('acme my router is on fire', { author: 'erin' });
      await until(() => received.length === 1, 'the webhook delivery');
      const result = await watch.stop();
      expect(result.code, result.stderr).toBe(0);
      expect(received.map((b) => [b.alert.kind, b.alert.mention.author])).toEqual([['new', 'erin']]);
      expect(result.stdout).toMatch(/new +New (?:low|normal|high|urgent) mention from @erin on twitter/);
    } finally {
      await receiver.stop();
    }
  });
});
