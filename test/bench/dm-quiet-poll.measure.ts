/**
 * What direct messages add to a poll, per platform, measured against the fakes through the real poll:
 * `node node_modules/.bin/vite-node test/bench/dm-quiet-poll.measure.ts` (not part of `npm test`).
 * For each platform: a quiet poll with DMs off, the same with DMs on (requests, reads, dollars), and the
 * first quiet poll of a new UTC day (X bills a resource again then).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeTwitter } from '../fakes/twitter.js';
import { FakeMastodon } from '../fakes/mastodon.js';
import { FakeBluesky } from '../fakes/bluesky.js';
import { testCertificate } from '../fakes/tls.js';
import { tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';
import { configText, sourceBlock } from '../helpers/config.js';
import { runInProcess } from '../helpers/run.js';

if (!process.env.BRANDWATCH_TEST_CERT_DIR) {
  const { caFile } = await testCertificate();
  const child = spawnSync(process.execPath, ['node_modules/.bin/vite-node', fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, BRANDWATCH_TEST_CERT_DIR: caFile.replace(/\/cert\.pem$/, '') } });
  process.exit(child.status ?? 1);
}

type Figures = { requests: number; postsRead: number; spend: number | null };
const MIN = 60_000;

async function poll(dir: string, env: Record<string, string>, now: number): Promise<Figures> {
  const result = await runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll', '--json'], { env, now });
  if (result.code !== 0) throw new Error(result.stderr);
  const [s] = JSON.parse(result.stdout).sources as Figures[];
  return { requests: s!.requests, postsRead: s!.postsRead, spend: s!.spend };
}

/** Catch up, then a quiet poll the same day and the first one of the next day. */
async function quiet(dir: string, env: Record<string, string>, now: number): Promise<{ sameDay: Figures; nextDay: Figures }> {
  await poll(dir, env, now);
  const sameDay = await poll(dir, env, now + 5 * MIN);
  const nextDay = await poll(dir, env, now + 24 * 60 * MIN);
  return { sameDay, nextDay };
}

const line = (label: string, f: Figures) => `${label.padEnd(34)} ${String(f.requests).padStart(3)} requests, ${String(f.postsRead).padStart(3)} reads${f.spend === null ? '' : `, $${f.spend.toFixed(3)}`}`;

const now = Date.parse('2026-11-30T10:00:00Z');

for (const dms of [false, true]) {
  const fake = await new FakeTwitter().start();
  for (let i = 0; i < 20; i++) fake.addDm(`message ${i}`, { from: `user${i % 4}`, createdAt: new Date(now - (60 - i) * MIN) });
  fake.addTweet('@acme_help is acme down?', { author: 'kim', mentions: ['acme_help'], createdAt: new Date(now - 30 * MIN) });
  const dir = tempDir();
  writeConfig(dir, twitterConfig({ extra: `userTokenEnv: TWITTER_USER_TOKEN\nnativeReplies: false\nrefreshMetrics: false\ndirectMessages: ${dms}` }));
  const env = { TWITTER_BEARER_TOKEN: 'test-bearer-token', TWITTER_USER_TOKEN: 'test-user-token', BRANDWATCH_TWITTER_API_URL: fake.url };
  const { sameDay, nextDay } = await quiet(dir, env, now);
  console.log(line(`X, DMs ${dms ? 'on' : 'off'}, quiet poll`, sameDay));
  console.log(line(`X, DMs ${dms ? 'on' : 'off'}, first quiet poll of a day`, nextDay));
  await fake.stop();
}

for (const dms of [false, true]) {
  const fake = await new FakeMastodon().start();
  fake.tokenAccount = fake.addAccount('acme');
  fake.addStatus('<p>@acme hello</p>', { author: 'kim', mentions: ['acme'], visibility: 'direct', createdAt: new Date(now - 30 * MIN) });
  const dir = tempDir();
  writeConfig(dir, configText({ ownAccounts: { mastodon: 'acme' }, sources: [sourceBlock('mastodon', { instanceUrl: fake.url, accessTokenEnv: 'MASTODON_TOKEN', directMessages: dms })] }));
  const { sameDay } = await quiet(dir, { MASTODON_TOKEN: 'test-mastodon-token' }, now);
  console.log(line(`Mastodon, DMs ${dms ? 'on' : 'off'}, quiet poll`, sameDay));
  await fake.stop();
}

for (const dms of [false, true]) {
  const fake = await new FakeBluesky().start();
  fake.addDm('hello', { from: 'kim.bsky.social', sentAt: new Date(now - 30 * MIN) });
  const dir = tempDir();
  writeConfig(dir, configText({ sources: [sourceBlock('bluesky', { serviceUrl: fake.url, identifier: 'acme.bsky.social', appPasswordEnv: 'BLUESKY_APP_PASSWORD', directMessages: dms, followerCounts: false })] }));
  const { sameDay } = await quiet(dir, { BLUESKY_APP_PASSWORD: fake.password }, now);
  console.log(line(`Bluesky, DMs ${dms ? 'on' : 'off'}, quiet poll`, sameDay));
  await fake.stop();
}
