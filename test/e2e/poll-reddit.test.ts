import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeReddit } from '../fakes/reddit.js';
import { runCommand, tempDir, writeConfig } from '../helpers/cli.js';

let fake: FakeReddit;
let dir: string;
let env: Record<string, string>;

const CREDENTIALS = ['clientIdEnv: REDDIT_CLIENT_ID', 'clientSecretEnv: REDDIT_CLIENT_SECRET', 'usernameEnv: REDDIT_USERNAME', 'passwordEnv: REDDIT_PASSWORD'];

function redditConfig(options: { keywords?: string[]; extra?: string[]; readOnly?: boolean; own?: string; second?: string } = {}): string {
  const source = (name: string, url: string) => [
    '  - platform: reddit',
    `    name: ${name}`,
    `    apiBaseUrl: ${url}`,
    `    tokenUrl: ${url}/api/v1/access_token`,
    '    userAgent: brandwatch/0.1 (by /u/acme_help)',
    '    retry: { attempts: 3, baseDelay: 10ms }',
    '    timeout: 2s',
    ...(options.readOnly ? [] : CREDENTIALS),
    ...(options.extra ?? []),
  ].map((l, i) => (i === 0 ? l : `    ${l.trim()}`));
  return [
    'brand: Acme',
    'timezone: UTC',
    'keywords:',
    ...(options.keywords ?? ['acme']).map((k) => `  - ${k}`),
    ...(options.own ? ['ownAccounts:', `  reddit: ${options.own}`] : []),
    'sources:',
    ...source('reddit', fake.url),
    ...(options.second ? source('reddit-b', options.second) : []),
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
  fake = await new FakeReddit().start();
  dir = tempDir();
  env = { REDDIT_CLIENT_ID: fake.client.id, REDDIT_CLIENT_SECRET: fake.client.secret, REDDIT_USERNAME: fake.client.username, REDDIT_PASSWORD: fake.client.password };
  writeConfig(dir, redditConfig());
});

afterEach(async () => {
  await fake.stop();
});

describe('poll against a fake Reddit', () => {
  it("gets a token, stores new posts once; a quiet poll costs the token, one search and one look at the account's comments", async () => {
    const posted = fake.addLinks(20);
    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).sources[0]).toMatchObject({ source: 'reddit', status: 'ok', new: 20, pages: 2, requests: 3 });
    const search = fake.searchRequests[0]!;
    expect(search.path).toBe('/search');
    expect(Object.fromEntries(search.query)).toMatchObject({ q: 'acme', sort: 'new', limit: '100', type: 'link', raw_json: '1' });
    expect(search.headers['user-agent']).toBe('brandwatch/0.1 (by /u/acme_help)');

    const row = rows().find((r) => r.external_id === posted[0]!.name)!;
    expect(row).toMatchObject({
      platform: 'reddit',
      author_handle: posted[0]!.author,
      text: `${posted[0]!.title}\n\n${posted[0]!.selftext}`,
      url: `https://www.reddit.com${posted[0]!.permalink}`,
      created_at: posted[0]!.created_utc * 1000,
      likes: posted[0]!.score,
      replies: posted[0]!.num_comments,
    });

    const second = await poll('--json');
    expect(JSON.parse(second.stdout).sources[0]).toMatchObject({ new: 0, requests: 3 });
    fake.addLinks(3);
    const third = await poll('--json');
    expect(JSON.parse(third.stdout).sources[0]).toMatchObject({ new: 3, requests: 3 });
    expect(rows()).toHaveLength(23);
    expect(fake.server.requestsTo(/\/user\/acme_help\/comments$/)).toHaveLength(3);
  });

  it('reads the public JSON listing without credentials, one request per quiet poll', async () => {
    writeConfig(dir, redditConfig({ readOnly: true, extra: ['subreddits: [gadgets, acme]'] }));
    fake.addLinks(4);
    fake.addLink('acme elsewhere', { subreddit: 'other' });
    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).sources[0]).toMatchObject({ new: 4, requests: 1 });
    expect(fake.searchRequests[0]!.path).toBe('/r/gadgets+acme/search.json');
    expect(fake.searchRequests[0]!.query.get('restrict_sr')).toBe('1');
    expect(fake.searchRequests[0]!.headers.authorization).toBeUndefined();
    expect(fake.server.requestsTo(/access_token/)).toHaveLength(0);
    expect(JSON.parse((await poll('--json')).stdout).sources[0]).toMatchObject({ new: 0, requests: 1 });
  });

  it('pages with `after` through a backlog, then stops at the watermark; OR-combines keywords with NOT excludes', async () => {
    writeConfig(dir, redditConfig({ keywords: ['acme', '{ term: "road runner", exclude: [cartoon] }'] }));
    const backlog = [...fake.addLinks(200, 'acme'), ...fake.addLinks(50, 'road runner')];
    fake.addLink('road runner cartoon marathon');
    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).sources[0]).toMatchObject({ new: 250, pages: 4, requests: 5 });
    expect(fake.searchRequests.map((r) => r.query.get('q'))).toEqual(Array(3).fill('acme OR ("road runner" NOT cartoon)'));
    expect(fake.searchRequests.map((r) => r.query.get('after'))).toEqual([null, backlog[150]!.name, backlog[50]!.name]);

    const burst = fake.addLinks(130);
    const second = await poll('--json');
    expect(JSON.parse(second.stdout).sources[0]).toMatchObject({ new: 130, pages: 3 });
    const ids = rows().map((r) => r.external_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...backlog, ...burst].map((l) => l.name).sort());
  });

  it("records the brand account's comments on stored posts as native responses", async () => {
    writeConfig(dir, redditConfig({ own: 'acme_help' }));
    const [question] = fake.addLinks(1);
    expect((await poll()).code).toBe(0);
    const answer = fake.addComment('Hi! DM us your order number.', question!);
    const second = await poll('--json');
    expect(JSON.parse(second.stdout).sources[0]).toMatchObject({ new: 0, nativeReplies: 1, requests: 3 });
    expect(rows('SELECT * FROM responses')[0]).toMatchObject({ external_id: answer.name, via: 'native', state: 'sent', text: answer.body });
    expect(rows()[0]!.status).toBe('replied');
  });

  it('waits out a short reset given in seconds, and stops with 75 on a long one', async () => {
    fake.addLinks(3);
    fake.server.inject({ kind: 'status', status: 429, headers: { 'x-ratelimit-used': '100', 'x-ratelimit-remaining': '0.0', 'x-ratelimit-reset': '1' }, body: { message: 'Too Many Requests', error: 429 } }, /search/);
    const waited = await poll('--json');
    expect(waited.code, waited.stderr).toBe(0);
    expect(JSON.parse(waited.stdout).sources[0]).toMatchObject({ new: 3, requests: 4 });

    fake.ratelimit = { used: 1000, remaining: 0, reset: 500 };
    const stopped = await poll();
    expect(stopped.code).toBe(75);
    expect(stopped.stderr).toMatch(/reddit: rate limited: Reddit rate limit reached; stopped for this run until/);
  });

  it('retries a 500', async () => {
    fake.addLinks(2);
    fake.server.inject({ kind: 'status', status: 500, body: { message: 'Internal Server Error', error: 500 } }, /search/);
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0]).toMatchObject({ new: 2, requests: 4 });
  });

  it('fails one source on malformed JSON while the other stores (exit 3)', async () => {
    const broken = await new FakeReddit().start();
    try {
      writeConfig(dir, redditConfig({ second: broken.url }));
      fake.addLinks(7);
      for (let i = 0; i < 3; i++) broken.server.inject({ kind: 'malformed' }, /search/);
      const result = await poll();
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/reddit-b: failed: Reddit sent an incomplete or malformed response/);
      expect(rows()).toHaveLength(7);
    } finally {
      await broken.stop();
    }
  });

  it('names a refused login without echoing the password, and wants all four credentials or none', async () => {
    env.REDDIT_PASSWORD = 'wrong-SECRET-42';
    const refused = await poll();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/reddit: failed: Reddit refused the login \(invalid_grant\)/);
    expect(refused.stderr + refused.stdout).not.toContain('SECRET');

    writeConfig(dir, redditConfig({ readOnly: true, extra: ['clientIdEnv: REDDIT_CLIENT_ID'] }));
    const partial = await poll();
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/needs all of clientIdEnv, clientSecretEnv, usernameEnv, passwordEnv \(missing clientSecretEnv, usernameEnv, passwordEnv\)/);
  });
});
