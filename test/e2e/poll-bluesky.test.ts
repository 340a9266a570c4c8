import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeBluesky } from '../fakes/bluesky.js';
import { runCommand, tempDir, writeConfig } from '../helpers/cli.js';

let fake: FakeBluesky;
let dir: string;
let env: Record<string, string>;

function blueskyConfig(options: { keywords?: string[]; extra?: string[]; second?: string } = {}): string {
  const source = (name: string, url: string) => [
    '  - platform: bluesky',
    `    name: ${name}`,
    `    serviceUrl: ${url}`,
    '    identifier: acme.bsky.social',
    '    appPasswordEnv: BLUESKY_APP_PASSWORD',
    '    retry: { attempts: 3, baseDelay: 10ms }',
    '    timeout: 2s',
    ...(options.extra ?? []).map((l) => `    ${l}`),
  ];
  return [
    'brand: Acme',
    'timezone: UTC',
    'keywords:',
    ...(options.keywords ?? ['acme']).map((k) => `  - ${k}`),
    'sources:',
    ...source('bluesky', fake.url),
    ...(options.second ? source('bluesky-b', options.second) : []),
    '',
  ].join('\n');
}

function rows(sql = 'SELECT * FROM mentions ORDER BY id'): Record<string, unknown>[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

function poll(...args: string[]) {
  return runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll', ...args], { env });
}

beforeEach(async () => {
  fake = await new FakeBluesky().start();
  dir = tempDir();
  env = { BLUESKY_APP_PASSWORD: fake.password };
  writeConfig(dir, blueskyConfig());
});

afterEach(async () => {
  await fake.stop();
});

describe('poll against a fake Bluesky service', () => {
  it('logs in once, stores search results once, and the next poll searches from the watermark', async () => {
    const posted = fake.addMentions(30);
    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    // createSession, one search, the new authors' profiles, the brand's own feed.
    expect(JSON.parse(first.stdout).sources[0]).toMatchObject({ source: 'bluesky', status: 'ok', new: 30, pages: 2, requests: 4 });
    expect(fake.server.requestsTo(/getProfiles/)[0]!.query.getAll('actors')).toHaveLength(5);
    expect(fake.server.requestsTo(/createSession/)).toHaveLength(1);
    const search = fake.searchRequests[0]!.query;
    expect(search.get('q')).toBe('acme');
    expect(search.get('sort')).toBe('latest');
    expect(search.get('limit')).toBe('100');

    const row = rows().find((r) => r.external_id === posted[0]!.uri)!;
    expect(row).toMatchObject({
      platform: 'bluesky',
      author_handle: posted[0]!.author.handle,
      author_id: posted[0]!.author.did,
      text: posted[0]!.record.text,
      url: `https://bsky.app/profile/${posted[0]!.author.handle}/post/${posted[0]!.uri.split('/').pop()}`,
      conversation_id: posted[0]!.uri,
      created_at: Date.parse(posted[0]!.record.createdAt),
      author_followers: fake.followersOf(posted[0]!.author),
    });

    const second = await poll('--json');
    // The session kept from the first poll: no second login, just the search and the own feed.
    expect(JSON.parse(second.stdout).sources[0]).toMatchObject({ new: 0, requests: 2 });
    expect(fake.server.requestsTo(/createSession/)).toHaveLength(1);
    expect(fake.server.requestsTo(/getProfiles/)).toHaveLength(1);
    // `since` is inclusive and overlaps 30 s: the newest posts come back and are not stored twice.
    const since = Date.parse(fake.searchRequests[1]!.query.get('since')!);
    expect(since).toBe(Date.parse(posted.at(-1)!.record.createdAt) - 30_000);

    fake.addMentions(4);
    const third = await poll('--json');
    expect(JSON.parse(third.stdout).sources[0]).toMatchObject({ new: 4 });
    expect(new Set(rows().map((r) => r.external_id)).size).toBe(34);
    expect(rows()).toHaveLength(34);
  });

  it('pages with the search cursor through a backlog, one query per keyword', async () => {
    writeConfig(dir, blueskyConfig({ keywords: ['acme', '"road runner"'] }));
    const acme = fake.addMentions(230, 'acme');
    const road = fake.addMentions(40, 'road runner');
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0]).toMatchObject({ new: 270 });
    const acmeSearches = fake.searchRequests.filter((r) => r.query.get('q') === 'acme');
    expect(acmeSearches.map((r) => r.query.get('cursor'))).toEqual([null, '100', '200']);
    expect(fake.searchRequests.filter((r) => r.query.get('q') === '"road runner"')).toHaveLength(1);
    expect(rows().map((r) => r.external_id).sort()).toEqual([...acme, ...road].map((p) => p.uri).sort());
  });

  it("records the brand's replies as native responses and skips excluded words", async () => {
    writeConfig(dir, blueskyConfig({ keywords: ['{ term: acme, exclude: [anvil museum] }'] }));
    const question = fake.addPost('Is acme down for anyone? @acme.bsky.social', { author: 'carol.bsky.social', createdAt: new Date(Date.now() - 120_000) });
    fake.addPost('The acme anvil museum is lovely', { createdAt: new Date(Date.now() - 110_000) });
    expect((await poll()).code).toBe(0);
    expect(rows().map((r) => r.external_id)).toEqual([question.uri]);
    expect(rows()[0]!.summons_brand).toBe(1);

    const answer = fake.addPost('Not at all, all systems are up.', { author: 'acme.bsky.social', replyTo: question });
    const second = await poll('--json');
    expect(JSON.parse(second.stdout).sources[0]).toMatchObject({ new: 0, nativeReplies: 1 });
    expect(rows('SELECT * FROM responses')[0]).toMatchObject({ external_id: answer.uri, via: 'native', state: 'sent' });
    expect(rows()[0]!.status).toBe('replied');
  });

  it('waits for a short RateLimit-Reset (epoch seconds), and stops with 75 on a long one', async () => {
    fake.addMentions(3);
    fake.server.inject(
      { kind: 'status', status: 429, headers: { 'ratelimit-limit': '3000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.floor(Date.now() / 1000) + 1) }, body: { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' } },
      /searchPosts/,
    );
    const waited = await poll('--json');
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout).sources[0]).toMatchObject({ new: 3 });

    fake.rateLimit.remaining = 0;
    fake.rateLimit.reset = Math.floor(Date.now() / 1000) + 900;
    const stopped = await poll();
    expect(stopped.code).toBe(75);
    expect(stopped.stderr).toMatch(/bluesky: rate limited: Bluesky rate limit reached; stopped for this run until/);
  });

  it('retries a 503', async () => {
    fake.addMentions(2);
    fake.server.inject({ kind: 'status', status: 503, body: { error: 'NotEnoughResources', message: 'try later' } }, /searchPosts/);
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0]).toMatchObject({ new: 2, requests: 5 });
  });

  it('fails one source on malformed JSON while the other stores (exit 3), and names a bad app password without echoing it', async () => {
    const broken = await new FakeBluesky().start();
    try {
      writeConfig(dir, blueskyConfig({ second: broken.url }));
      fake.addMentions(5);
      for (let i = 0; i < 3; i++) broken.server.inject({ kind: 'malformed' }, /searchPosts/);
      const result = await poll();
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/bluesky-b: failed: Bluesky sent a malformed response/);
      expect(rows()).toHaveLength(5);
    } finally {
      await broken.stop();
    }
    writeConfig(dir, blueskyConfig());
    env.BLUESKY_APP_PASSWORD = 'wrong-SECRET-9876';
    // The kept session would still work without the password: end it, so a login is needed.
    fake.revokeSessions();
    const refused = await poll();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bluesky: failed: Bluesky refused the login or request \(401/);
    expect(refused.stderr + refused.stdout).not.toContain('SECRET');
  });

  it('fails on posts of the wrong shape', async () => {
    fake.server.inject({ kind: 'status', status: 200, body: { posts: [{ uri: 'nope' }] } }, /searchPosts/);
    const result = await poll();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bluesky: failed: unexpected response from Bluesky/);
  });
});
