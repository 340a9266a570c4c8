import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FakeMastodon } from '../fakes/mastodon.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { forEachEngine, queryStore } from '../helpers/engines.js';
import { jsonLines, until, watchStreamWith } from '../helpers/watch.js';

let fake: FakeMastodon;
let dir: string;
let db: string;
let env: Record<string, string>;

const rows = (sql: string) => queryStore(db, sql);
const stored = () => rows('SELECT external_id, author_handle, text FROM mentions ORDER BY external_id');
const count = async () => (await stored()).length;
const watchStream = (...args: string[]) => watchStreamWith({ dir, env, db }, ...args);

function config(stall = '5s'): string {
  return [
    'brand: Acme',
    'timezone: UTC',
    'keywords:',
    '  - term: acme',
    '    exclude: [anvil]',
    '  - term: "@acme_help"',
    'sources:',
    '  - platform: mastodon',
    `    instanceUrl: ${fake.url}`,
    '    accessTokenEnv: MASTODON_TOKEN',
    '    retry: { attempts: 3, baseDelay: 10ms }',
    '    timeout: 2s',
    `    streamStallTimeout: ${stall}`,
    '',
  ].join('\n');
}

forEachEngine('watch --stream on Mastodon (server-sent events)', (engine) => {
  beforeEach(async () => {
    fake = await new FakeMastodon().start();
    fake.heartbeatMs = 50;
    fake.tokenAccount = fake.addAccount('acme_help');
    dir = tempDir();
    db = engine.kind === 'sqlite' ? join(dir, 'bw.db') : await engine.freshLocation();
    env = { MASTODON_TOKEN: fake.token };
    writeConfig(dir, config());
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('follows the hashtag and the mention notifications, converts the HTML as the poll does, and stores a post seen twice once', async () => {
    const watch = watchStream('--json');
    await until(async () => fake.openStreams === 2 && (await rows("SELECT 1 FROM cursors WHERE source = 'mastodon' AND query_key = 'mentions'")).length === 1, 'both streams and the backfill');
    expect(fake.streamRequests.map((r) => `${r.path}${r.query.size > 0 ? `?${r.query}` : ""}`).sort()).toEqual(['/api/v1/streaming/hashtag?tag=acme', '/api/v1/streaming/user/notification']);

    const tagged = fake.postLive('<p>My <b>acme</b> router &amp; modem died</p>', { author: 'ivy', tags: ['acme'] });
    fake.postLive('<p>acme anvil for sale</p>', { author: 'jon', tags: ['acme'] });
    // Tagged and naming the account: it comes on both streams.
    const both = fake.postLive('<p><span class="h-card"><a href="https://social.example/@acme_help">@<span>acme_help</span></a></span> #acme help please</p>', { author: 'kim', tags: ['acme'], mentions: ['acme_help'] });
    await until(async () => (await count()) === 2, 'the streamed statuses');
    const result = await watch.stop();
    expect(result.code, result.stderr).toBe(0);
    expect(await stored()).toEqual([
      { external_id: tagged.id, author_handle: `ivy@${new URL(fake.url).host}`, text: 'My acme router & modem died' },
      { external_id: both.id, author_handle: `kim@${new URL(fake.url).host}`, text: '@acme_help #acme help please' },
    ]);
    const events = jsonLines(result.stdout);
    expect(events.filter((e) => e.event === 'mention').map((e) => e.externalId).sort()).toEqual([tagged.id, both.id].sort());
    expect(events.filter((e) => e.event === 'stream').map((e) => e.state)).toEqual(['connecting', 'connected', 'stopped']);
  });

  it('a dropped stream reconnects and the poll path backfills what it missed; a stall is reconnected too', async () => {
    writeConfig(dir, config('300ms'));
    const watch = watchStream('--json');
    await until(() => fake.openStreams === 2 && fake.timelineRequests.length >= 1, 'both streams');
    const first = fake.postLive('<p>acme one</p>', { author: 'lee', tags: ['acme'] });
    await until(async () => (await count()) === 1, 'the first status');
    fake.dropStreams();
    const missed = fake.addStatus('<p>acme two, while the stream was down</p>', { author: 'max', tags: ['acme'] });
    await until(() => fake.streamRequests.length >= 4 && fake.openStreams === 2, 'both streams again');
    await until(async () => (await count()) === 2, 'the backfilled status');
    fake.stalled = true;
    await until(() => fake.streamRequests.length >= 6, 'the reconnection after a stall');
    fake.stalled = false;
    await until(() => fake.openStreams === 2, 'both streams after the stall');
    const last = fake.postLive('<p>acme three</p>', { author: 'ned', tags: ['acme'] });
    await until(async () => (await count()) === 3, 'the status after the stall');
    const result = await watch.stop();
    expect(result.code, result.stderr).toBe(0);
    expect((await stored()).map((r) => r.external_id)).toEqual([first.id, missed.id, last.id]);
    expect(jsonLines(result.stdout)).toContainEqual(expect.objectContaining({ event: 'stream', state: 'reconnecting', message: expect.stringMatching(/sent no event or heartbeat for 0\.3s/) }));
  });

  it('a streamed page waits behind the backfill its connection started: the backfill stores the post first, the stream adds nothing', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The backfill's hashtag read is answered only when released, and then shows every status so far.
    fake.server.inject({ kind: 'hold', until: held }, /^\/api\/v1\/timelines\/tag\//);
    const missed = fake.addStatus('<p>acme before the stream connected</p>', { author: 'oli', tags: ['acme'] });
    const watch = watchStream('--json');
    await until(() => fake.openStreams === 2 && fake.timelineRequests.length >= 1, 'both streams and the held backfill');
    const live = fake.postLive('<p>acme while the backfill is held</p>', { author: 'pat', tags: ['acme'] });
    // Time for the streamed event to reach watch while the backfill is still held (a slower delivery only
    // makes the check weaker: the post is then in the backfill either way).
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    await until(async () => (await count()) === 2, 'both statuses');
    const result = await watch.stop();
    expect(result.code, result.stderr).toBe(0);
    expect((await stored()).map((r) => r.external_id).sort()).toEqual([missed.id, live.id].sort());
    const events = jsonLines(result.stdout);
    const backfill = events.findIndex((e) => e.event === 'poll' && e.backfill === true);
    expect(backfill).toBeGreaterThanOrEqual(0);
    expect(events[backfill]!.sources).toEqual([expect.objectContaining({ source: 'mastodon', status: 'ok', new: 2 })]);
    // Stored by the backfill, in order: the stream's copy of the post is not new, so no mention event.
    expect(events.filter((e) => e.event === 'mention')).toEqual([]);
  });

  it('without a token the source is polled, not streamed', async () => {
    writeConfig(dir, config().replace('    accessTokenEnv: MASTODON_TOKEN\n', ''));
    const watch = watchStream();
    await until(() => fake.timelineRequests.length >= 1, 'a poll');
    const result = await watch.stop();
    expect(result.code, result.stderr).toBe(0);
    expect(fake.streamRequests).toHaveLength(0);
    expect(result.stderr).toMatch(/^watch: streaming none; polling mastodon every 1m/m);
  });
});
