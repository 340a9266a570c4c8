/**
 * Requests, reads and dollars per X path, measured against the fake X API through the real poll:
 * `node node_modules/.bin/vite-node test/bench/x-paths.measure.ts` (not part of `npm test`).
 * Paths: keyword search, the mention timeline, counts. Figures: a quiet poll, a 250-new poll, and a
 * day of 5-minute polls with a realistic inbox (overlap window and metrics refresh on, then off).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeTwitter } from '../fakes/twitter.js';
import { testCertificate } from '../fakes/tls.js';
import { tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run.js';

if (!process.env.BRANDWATCH_TEST_CERT_DIR) {
  const { caFile } = await testCertificate();
  const child = spawnSync(process.execPath, ['node_modules/.bin/vite-node', fileURLToPath(import.meta.url)], { stdio: 'inherit', env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, BRANDWATCH_TEST_CERT_DIR: caFile.replace(/\/cert\.pem$/, '') } });
  process.exit(child.status ?? 1);
}

type Figures = { requests: number; postsRead: number; spend: number; new: number };

async function poll(dir: string, env: Record<string, string>, now: number): Promise<Figures> {
  const result = await runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll', '--json'], { env, now });
  if (result.code !== 0) throw new Error(result.stderr);
  const [s] = JSON.parse(result.stdout).sources as (Figures & { spend: number })[];
  return { requests: s!.requests, postsRead: s!.postsRead, spend: s!.spend, new: s!.new };
}

type Path = 'search' | 'mentions' | 'counts';

function configFor(path: Path, extra: string[] = []): string {
  const keywords = path === 'mentions' ? ['@acme_help'] : ['acme'];
  const lines = ['nativeReplies: false', 'refreshMetrics: false', ...(path === 'mentions' ? ['userTokenEnv: TWITTER_USER_TOKEN'] : []), ...(path === 'counts' ? ['counts: true'] : []), ...extra];
  return twitterConfig({ keywords, extra: lines.join('\n') });
}

function add(fake: FakeTwitter, path: Path, at: number, i: number) {
  const author = `cust${i % 211}`;
  return path === 'mentions'
    ? fake.addTweet(`@acme_help order ${i} is late`, { author, mentions: ['acme_help'], createdAt: new Date(at) })
    : fake.addTweet(`acme router ${i} keeps dropping`, { author, createdAt: new Date(at) });
}

const fmt = (f: Figures) => `${f.requests} requests, ${f.postsRead} reads, $${f.spend.toFixed(3)}`;

async function singlePolls(path: Path) {
  const fake = await new FakeTwitter().start();
  const dir = tempDir();
  const env = { TWITTER_BEARER_TOKEN: 'test-bearer-token', TWITTER_USER_TOKEN: 'test-user-token', BRANDWATCH_TWITTER_API_URL: fake.url };
  writeConfig(dir, configFor(path));
  const start = Date.now();
  for (let i = 0; i < 5; i++) add(fake, path, start - 600_000 + i * 1000, i);
  await poll(dir, env, start);
  const quiet = await poll(dir, env, start + 300_000);
  for (let i = 0; i < 250; i++) add(fake, path, start + 300_000 + i * 1000, 1000 + i);
  const busy = await poll(dir, env, start + 600_000);
  await fake.stop();
  return { quiet, busy };
}

/** A realistic inbox: ~120 posts a day, clustered in the day hours, a third of them @mentions. */
async function day(options: { overlap: string; refresh: boolean; mentionTimeline: boolean; counts: boolean }) {
  const fake = await new FakeTwitter().start();
  const dir = tempDir();
  const env = { TWITTER_BEARER_TOKEN: 'test-bearer-token', TWITTER_USER_TOKEN: 'test-user-token', BRANDWATCH_TWITTER_API_URL: fake.url };
  const extra = [
    'nativeReplies: true',
    `refreshMetrics: ${options.refresh}`,
    `overlap: ${options.overlap}`,
    'userTokenEnv: TWITTER_USER_TOKEN',
    `mentionTimeline: ${options.mentionTimeline}`,
    `counts: ${options.counts}`,
  ];
  writeConfig(dir, twitterConfig({ keywords: ['acme', '@acme_help'], extra: extra.join('\n') }));
  // A UTC day that starts at midnight, so the daily de-duplication applies as on X.
  const midnight = Math.ceil(Date.now() / 86_400_000) * 86_400_000;
  let seed = 7;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const total: Figures = { requests: 0, postsRead: 0, spend: 0, new: 0 };
  let n = 0;
  for (let p = 0; p < 288; p++) {
    const now = midnight + p * 300_000;
    const hour = new Date(now).getUTCHours();
    const rate = hour >= 8 && hour < 20 ? 0.7 : 0.15; // posts per 5 minutes
    const count = Math.floor(rate + random());
    for (let i = 0; i < count; i++) {
      const at = now - Math.floor(random() * 290_000);
      if (random() < 0.35) fake.addTweet(`@acme_help acme order ${n} is late`, { author: `cust${n % 97}`, mentions: ['acme_help'], createdAt: new Date(at) });
      else fake.addTweet(`acme router ${n} keeps dropping`, { author: `cust${n % 97}`, createdAt: new Date(at) });
      n++;
    }
    // Now and then a customer's post gains engagement (the refresh re-reads it).
    for (const t of fake.tweets.slice(-5)) t.metrics.like_count += Math.floor(random() * 3);
    const f = await poll(dir, env, now + 60_000);
    total.requests += f.requests;
    total.postsRead += f.postsRead;
    total.spend += f.spend;
    total.new += f.new;
  }
  await fake.stop();
  return { ...total, posts: n };
}

for (const path of ['search', 'mentions', 'counts'] as const) {
  const { quiet, busy } = await singlePolls(path);
  console.log(`${path.padEnd(9)} quiet poll: ${fmt(quiet)} · 250-new poll: ${fmt(busy)}`);
}
const full = await day({ overlap: '30s', refresh: true, mentionTimeline: true, counts: false });
console.log(`day (5-min polls, mention timeline + search, own replies, refresh, overlap 30s): ${full.posts} posts, ${full.new} new, ${full.requests} requests, ${full.postsRead} reads, $${full.spend.toFixed(3)}`);
const noOverlap = await day({ overlap: '0s', refresh: true, mentionTimeline: true, counts: false });
console.log(`same day, overlap 0s: ${noOverlap.requests} requests, ${noOverlap.postsRead} reads, $${noOverlap.spend.toFixed(3)} → overlap costs ${full.postsRead - noOverlap.postsRead} extra reads, $${(full.spend - noOverlap.spend).toFixed(3)}`);
const noRefresh = await day({ overlap: '30s', refresh: false, mentionTimeline: true, counts: false });
console.log(`same day, no metrics refresh: ${noRefresh.requests} requests, ${noRefresh.postsRead} reads, $${noRefresh.spend.toFixed(3)} → refresh costs ${full.postsRead - noRefresh.postsRead} reads/day, $${(full.spend - noRefresh.spend).toFixed(3)}`);
const searchOnly = await day({ overlap: '30s', refresh: true, mentionTimeline: false, counts: false });
console.log(`same day, @mentions through search (no mention timeline): ${searchOnly.requests} requests, ${searchOnly.postsRead} reads, $${searchOnly.spend.toFixed(3)}`);
const withCounts = await day({ overlap: '30s', refresh: true, mentionTimeline: true, counts: true });
console.log(`same day, with counts: ${withCounts.requests} requests, ${withCounts.postsRead} reads, $${withCounts.spend.toFixed(3)}`);
