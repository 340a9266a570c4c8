import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { FakeBluesky } from '../fakes/bluesky.js';
import { FakeJetstream } from '../fakes/jetstream.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { forEachEngine, queryStore } from '../helpers/engines.js';
import { jsonLines, until, watchStreamWith } from '../helpers/watch.js';
import { RESUME_OVERLAP_US } from '../../src/sources/bluesky/stream.js';

let appView: FakeBluesky;
let jetstream: FakeJetstream;
let dir: string;
let db: string;
let env: Record<string, string>;

const rows = (sql: string) => queryStore(db, sql);
const stored = () => rows('SELECT external_id, author_handle, author_followers, text FROM mentions ORDER BY id');
const count = async () => (await stored()).length;
const watchStream = (...args: string[]) => watchStreamWith({ dir, env, db }, ...args);

function config(stall = '5s'): string {
  return [
    'brand: Acme',
    'timezone: UTC',
    'keywords:',
    '  - term: acme',
    '    exclude: [acme anvil museum]',
    'sources:',
    '  - platform: bluesky',
    `    serviceUrl: ${appView.url}`,
    `    jetstreamUrl: ${jetstream.url.replace(/^http/, 'ws')}/subscribe`,
    '    identifier: acme.bsky.social',
    '    appPasswordEnv: BLUESKY_APP_PASSWORD',
    '    retry: { attempts: 3, baseDelay: 10ms }',
    '    timeout: 2s',
    `    streamStallTimeout: ${stall}`,
    '',
  ].join('\n');
}

forEachEngine('watch --stream on Bluesky (Jetstream)', (engine) => {
  beforeEach(async () => {
    appView = await new FakeBluesky().start();
    jetstream = await new FakeJetstream(appView).start();
    dir = tempDir();
    db = engine.kind === 'sqlite' ? join(dir, 'bw.db') : await engine.freshLocation();
    env = { BLUESKY_APP_PASSWORD: appView.password, XDG_STATE_HOME: dir };
    writeConfig(dir, config());
  });

  afterEach(async () => {
    await jetstream.stop();
    await appView.stop();
  });

  it('matches keywords here (excludes honoured), looks the authors up, stores each post once, and resumes before the saved cursor', async () => {
    const watch = watchStream('--json');
    await until(() => jetstream.open === 1 && appView.searchRequests.length >= 1, 'the subscription and its backfill');
    expect(jetstream.subscriptions[0]!.query.getAll('wantedCollections')).toEqual(['app.bsky.feed.post']);
    expect(jetstream.subscriptions[0]!.query.has('cursor')).toBe(false);

    const hit = jetstream.post('my acme router died again', { author: 'dana.bsky.social' });
    jetstream.post('a day at the acme anvil museum', { author: 'eve.bsky.social' });
    jetstream.post('nothing about us', { author: 'fay.bsky.social' });
    const lastTime = jetstream.publish(hit); // Jetstream delivers at least once: the same post again.
    await until(async () => (await count()) === 1, 'the streamed post');
    const result = await watch.stop();
    expect(result.code, result.stderr).toBe(0);

    expect(await stored()).toEqual([{ external_id: hit.uri, author_handle: 'dana.bsky.social', author_followers: expect.any(Number), text: 'my acme router died again' }]);
    const saved = JSON.parse((await rows("SELECT state FROM cursors WHERE source = 'bluesky' AND query_key = 'stream'"))[0]!.state as string);
    expect(saved).toEqual({ timeUs: lastTime });
    expect(jsonLines(result.stdout).filter((e) => e.event === 'mention').map((e) => e.externalId)).toEqual([hit.uri]);

    // A restart resumes a few seconds before the saved cursor; the replayed post is not stored again.
    const again = watchStream();
    await until(() => jetstream.subscriptions.length === 2 && jetstream.open === 1, 'the second subscription');
    expect(Number(jetstream.subscriptions[1]!.query.get('cursor'))).toBe(lastTime - RESUME_OVERLAP_US);
    const next = jetstream.post('acme support is great', { author: 'gil.bsky.social' });
    await until(async () => (await count()) === 2, 'the next post');
    expect((await again.stop()).code).toBe(0);
    expect((await stored()).map((r) => r.external_id)).toEqual([hit.uri, next.uri]);
  });

  it('a disconnect in the middle of a burst: the cursor replays, the poll backfills, nothing lost, nothing doubled', async () => {
    const watch = watchStream();
    await until(() => jetstream.open === 1 && appView.searchRequests.length >= 1, 'the subscription');
    const burst = [];
    for (let i = 0; i < 4; i++) burst.push(jetstream.post(`acme burst ${i}`, { author: `b${i}.bsky.social` }).uri);
    await until(async () => (await count()) === 4, 'the first half');
    jetstream.drop();
    // While the socket is down: posts the AppView has and Jetstream never sent to us.
    for (let i = 4; i < 8; i++) burst.push(appView.addPost(`acme burst ${i}`, { author: `b${i}.bsky.social` }).uri);
    await until(() => jetstream.subscriptions.length >= 2 && jetstream.open === 1, 'the reconnection');
    await until(async () => (await count()) === 8, 'the backfill');
    const result = await watch.stop();
    expect(result.code, result.stderr).toBe(0);
    expect((await stored()).map((r) => r.external_id).sort()).toEqual([...burst].sort());
    expect(result.stderr).toMatch(/^bluesky: stream Jetstream closed the connection; reconnecting in 1s$/m);
    expect(jetstream.subscriptions[1]!.query.has('cursor')).toBe(true);
  });

  it('a silent socket is taken for stalled and reconnected', async () => {
    // The fake sends nothing between posts (the real Jetstream never pauses): a short limit shows the stall.
    writeConfig(dir, config('300ms'));
    const watch = watchStream('--json');
    await until(() => jetstream.open === 1, 'the subscription');
    jetstream.stalled = true;
    await until(() => jetstream.subscriptions.length >= 2, 'a reconnection');
    jetstream.stalled = false;
    const post = jetstream.post('acme after the stall', { author: 'hal.bsky.social' });
    await until(async () => (await stored()).some((r) => r.external_id === post.uri), 'the post after the stall');
    const result = await watch.stop();
    expect(jsonLines(result.stdout)).toContainEqual(expect.objectContaining({ event: 'stream', source: 'bluesky', state: 'reconnecting', message: 'sent no event for 0.3s' }));
  });
});
