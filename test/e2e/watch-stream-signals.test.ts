import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { FakeBluesky } from '../fakes/bluesky.js';
import { FakeJetstream } from '../fakes/jetstream.js';
import { testCertificate } from '../fakes/tls.js';
import { startCli, tempDir, writeConfig } from '../helpers/cli.js';
import { configText, sourceBlock } from '../helpers/config.js';
import { rowsIn, until } from '../helpers/watch.js';

let x: FakeTwitter;
let appView: FakeBluesky;
let jetstream: FakeJetstream;
let dir: string;
let children: ChildProcess[] = [];

beforeEach(async () => {
  x = await new FakeTwitter().start();
  appView = await new FakeBluesky().start();
  jetstream = await new FakeJetstream(appView).start();
  dir = tempDir();
});

afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children = [];
  await jetstream.stop();
  await appView.stop();
  await x.stop();
});

describe('watch --stream and signals (the built CLI)', () => {
  it('SIGTERM closes every stream, saves each position and exits as watch does', async () => {
    writeConfig(
      dir,
      configText({
        keywords: ['acme'],
        ownAccounts: { twitter: 'acme_help' },
        sources: [
          sourceBlock('twitter', {}, ['bearerTokenEnv: TWITTER_BEARER_TOKEN', 'nativeReplies: false', 'refreshMetrics: false']),
          sourceBlock('bluesky', { serviceUrl: appView.url, identifier: 'acme.bsky.social', appPasswordEnv: 'BLUESKY_APP_PASSWORD', jetstreamUrl: `${jetstream.url.replace(/^http/, 'ws')}/subscribe` }),
        ],
      }),
    );
    const { caFile } = await testCertificate();
    const child = startCli(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'watch', '--stream', '--every', '1m'], {
      env: { TWITTER_BEARER_TOKEN: 'test-bearer-token', BRANDWATCH_TWITTER_API_URL: x.url, NODE_EXTRA_CA_CERTS: caFile, BLUESKY_APP_PASSWORD: appView.password, XDG_STATE_HOME: dir },
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await until(() => x.openStreams === 1 && jetstream.open === 1, 'both streams');
    const tweet = x.postLive('acme outage in leeds', { author: 'pat' });
    const post = jetstream.post('acme outage in york', { author: 'quin.bsky.social' });
    const count = () => rowsIn(dir, 'SELECT count(*) AS n FROM mentions')[0]!.n as number;
    await until(() => count() === 2, 'both streamed posts stored');
    child.kill('SIGTERM');
    expect(await closed, stderr).toBe(0);
    expect(stderr).toMatch(/^watch: streaming twitter \(filtered stream, 1 rule\), bluesky \(Jetstream\) \(Ctrl-C to stop\)$/m);
    expect(stderr).toMatch(/SIGTERM received; stopping after the current step/);
    expect(stderr).toMatch(/watch: stopped\n$/);
    const positions = Object.fromEntries(rowsIn(dir, "SELECT source, state FROM cursors WHERE query_key = 'stream'").map((r) => [r.source, JSON.parse(r.state as string)]));
    expect(positions).toEqual({ twitter: { newestId: tweet.id }, bluesky: { timeUs: jetstream.events.at(-1)!.time_us } });
    await until(() => x.openStreams === 0 && jetstream.open === 0, 'both connections closed');
    expect(rowsIn(dir, 'SELECT external_id FROM mentions ORDER BY id').map((r) => r.external_id).sort()).toEqual([tweet.id, post.uri].sort());
  });
});
