import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeMastodon } from '../fakes/mastodon.js';
import { runCommand, tempDir, writeConfig } from '../helpers/cli.js';

let fake: FakeMastodon;
let dir: string;
let env: Record<string, string>;

function mastodonConfig(options: { keywords?: string[]; extra?: string[]; own?: string; second?: string } = {}): string {
  const source = (name: string, url: string) => [
    '  - platform: mastodon',
    `    name: ${name}`,
    `    instanceUrl: ${url}`,
    '    retry: { attempts: 3, baseDelay: 10ms }',
    '    timeout: 2s',
    ...(options.extra ?? []).map((l) => `    ${l}`),
  ];
  return [
    'brand: Acme',
    'timezone: UTC',
    'keywords:',
    ...(options.keywords ?? ['acme']).map((k) => `  - ${k}`),
    ...(options.own ? ['ownAccounts:', `  mastodon: ${options.own}`] : []),
    'sources:',
    ...source('mastodon', fake.url),
    ...(options.second ? source('mastodon-b', options.second) : []),
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
  fake = await new FakeMastodon().start();
  dir = tempDir();
  env = {};
  writeConfig(dir, mastodonConfig());
});

afterEach(async () => {
  await fake.stop();
});

describe('poll against a fake Mastodon instance', () => {
  it('stores hashtag posts once as plain text; the next poll pages forward from min_id with one request', async () => {
    const posted = fake.addTagged(25);
    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).sources[0]).toMatchObject({ source: 'mastodon', status: 'ok', new: 25, pages: 1, requests: 1 });
    expect(fake.timelineRequests[0]!.path).toBe('/api/v1/timelines/tag/acme');
    expect(fake.timelineRequests[0]!.query.has('min_id')).toBe(false);

    const stored = rows();
    expect(stored.map((r) => r.external_id).sort()).toEqual(posted.map((s) => s.id).sort());
    const sample = stored.find((r) => r.external_id === posted[0]!.id)!;
    expect(sample.text).toBe(`Status 1 about #acme & more`);
    expect(sample).toMatchObject({ platform: 'mastodon', author_handle: `${posted[0]!.account.acct}@${new URL(fake.url).host}`, author_followers: posted[0]!.account.followers_count, url: posted[0]!.url });
    expect(sample.created_at).toBe(Date.parse(posted[0]!.created_at));
    expect(JSON.parse(sample.keywords as string)).toEqual(['acme']);

    const second = await poll('--json');
    expect(JSON.parse(second.stdout).sources[0]).toMatchObject({ new: 0, requests: 1 });
    expect(fake.timelineRequests[1]!.query.get('min_id')).toBe(posted.at(-1)!.id);

    fake.addTagged(3);
    const third = await poll('--json');
    expect(JSON.parse(third.stdout).sources[0]).toMatchObject({ new: 3, requests: 1 });
    expect(rows()).toHaveLength(28);
  });

  it('pages back through a backlog, then forward through a burst, without gaps or duplicates; tags share one request', async () => {
    writeConfig(dir, mastodonConfig({ keywords: ['acme', '"Acme Widget"'] }));
    const backlog = [...fake.addTagged(70, 'acme'), ...fake.addTagged(30, 'acmewidget')];
    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout).sources[0]).toMatchObject({ new: 100, pages: 3, requests: 3 });
    expect(fake.timelineRequests.every((r) => r.query.getAll('any[]').join() === 'acmewidget')).toBe(true);
    expect(fake.timelineRequests.slice(1).every((r) => r.query.has('max_id'))).toBe(true);

    const burst = fake.addTagged(90, 'acme');
    const second = await poll('--json');
    expect(JSON.parse(second.stdout).sources[0]).toMatchObject({ new: 90, pages: 3, requests: 3 });
    const forward = fake.timelineRequests.slice(3);
    expect(forward.map((r) => r.query.get('min_id'))).toEqual([backlog.at(-1)!.id, burst[39]!.id, burst[79]!.id]);
    const ids = rows().map((r) => r.external_id);
    expect(new Set(ids).size).toBe(190);
    expect(ids.sort()).toEqual([...backlog, ...burst].map((s) => s.id).sort());
  });

  it("skips posts with an excluded word and records the brand's own replies as native responses", async () => {
    writeConfig(dir, mastodonConfig({ keywords: ['{ term: acme, exclude: [anvil museum] }'], own: 'acme_help' }));
    const question = fake.addStatus('<p>Is <a href="https://social.example/tags/acme">#acme</a> down? <span class="h-card"><a href="https://social.example/@acme_help" class="u-url mention">@<span>acme_help</span></a></span></p>', {
      tags: ['acme'],
      mentions: ['acme_help'],
    });
    fake.addStatus('<p>Visiting the #acme anvil museum today</p>', { tags: ['acme'] });
    fake.addAccount('acme_help');
    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(rows().map((r) => r.external_id)).toEqual([question.id]);
    expect(rows()[0]!.summons_brand).toBe(1);

    const answer = fake.addStatus('<p>@user0 Not at all, all systems are up.</p>', { author: 'acme_help', inReplyTo: question });
    const second = await poll('--json');
    expect(JSON.parse(second.stdout).sources[0]).toMatchObject({ new: 0, nativeReplies: 1 });
    const [response] = rows('SELECT * FROM responses');
    expect(response).toMatchObject({ external_id: answer.id, via: 'native', state: 'sent', text: '@user0 Not at all, all systems are up.' });
    expect(rows()[0]!.status).toBe('replied');
    // Own-posts paging is incremental too: the account is looked up once, then min_id.
    expect(fake.server.requestsTo(/accounts\/lookup/)).toHaveLength(1);
    const third = await poll('--json');
    expect(JSON.parse(third.stdout).sources[0]).toMatchObject({ new: 0, nativeReplies: 0, requests: 2 });
    expect(fake.server.requestsTo(/accounts\/\d+\/statuses/).at(-1)!.query.get('min_id')).toBe(answer.id);
  });

  it('with a token, reads mentions of the brand account from notifications, hashtag or not, never private ones', async () => {
    writeConfig(dir, mastodonConfig({ own: 'acme_help', extra: ['accessTokenEnv: MASTODON_TOKEN'] }));
    env.MASTODON_TOKEN = fake.token;
    fake.tokenAccount = fake.addAccount('acme_help');
    const tagged = fake.addTagged(2);
    const named = fake.addStatus('<p><a href="https://social.example/@acme_help" class="u-url mention">@<span>acme_help</span></a> my order never came</p>', { author: 'dave', mentions: ['acme_help'] });
    fake.addStatus('<p>@acme_help here is my address</p>', { author: 'erin', mentions: ['acme_help'], visibility: 'direct' });
    const first = await poll('--json');
    expect(first.code, first.stderr).toBe(0);
    expect(rows().map((r) => r.external_id).sort()).toEqual([...tagged.map((s) => s.id), named.id].sort());
    expect(rows().find((r) => r.external_id === named.id)).toMatchObject({ text: '@acme_help my order never came', summons_brand: 1 });
    const [notifications] = fake.server.requestsTo(/^\/api\/v1\/notifications$/);
    expect(notifications!.query.getAll('types[]')).toEqual(['mention']);
    expect(notifications!.headers.authorization).toBe(`Bearer ${fake.token}`);

    const quiet = await poll('--json');
    // One hashtag group, the notifications, the brand's own statuses.
    expect(JSON.parse(quiet.stdout).sources[0]).toMatchObject({ new: 0, requests: 3 });
    expect(fake.server.requestsTo(/^\/api\/v1\/notifications$/).at(-1)!.query.get('min_id')).toBe('2');
  });

  it('waits for a short rate-limit reset given as an ISO time, then continues', async () => {
    fake.addTagged(5);
    fake.server.inject({
      kind: 'status',
      status: 429,
      headers: { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': new Date(Date.now() + 1000).toISOString() },
      body: { error: 'Too many requests' },
    });
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0]).toMatchObject({ new: 5, requests: 2 });
  });

  it('stops with 75 when the reset is further off than rateLimitWait', async () => {
    fake.addTagged(5);
    fake.rateLimit.remaining = 0;
    fake.rateLimit.reset = new Date(Date.now() + 600_000);
    const result = await poll();
    expect(result.code).toBe(75);
    expect(result.stderr).toMatch(/mastodon: rate limited: Mastodon rate limit reached; stopped for this run until 20\d\d-/);
    expect(fake.timelineRequests).toHaveLength(1);
  });

  it('retries a 502 and a reset connection', async () => {
    fake.addTagged(4);
    fake.server.inject({ kind: 'status', status: 502, body: { error: 'Bad gateway' } });
    fake.server.inject({ kind: 'reset' });
    const result = await poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0]).toMatchObject({ new: 4, requests: 3 });
  });

  it('fails one source on malformed JSON with a clear message while the other stores (exit 3)', async () => {
    const broken = await new FakeMastodon().start();
    try {
      writeConfig(dir, mastodonConfig({ second: broken.url }));
      fake.addTagged(6);
      broken.addTagged(2);
      for (let i = 0; i < 3; i++) broken.server.inject({ kind: 'malformed' });
      const result = await poll();
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/mastodon-b: failed: Mastodon sent a malformed response/);
      expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(rows()).toHaveLength(6);
    } finally {
      await broken.stop();
    }
  });

  it('fails on statuses of the wrong shape, naming the field', async () => {
    fake.server.inject({ kind: 'status', status: 200, body: [{ id: 5, content: null }] });
    const result = await poll();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unexpected timeline response from Mastodon \(0\.id: /);
  });
});
