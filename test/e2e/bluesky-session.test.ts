import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FakeBluesky } from '../fakes/bluesky.js';
import { runCommand, tempDir, writeConfig } from '../helpers/cli.js';

/** Bluesky allows about 100 createSession calls a day per account: the session is kept between polls and refreshed. */
let fake: FakeBluesky;
let dir: string;
let state: string;
let env: Record<string, string>;

function config(): string {
  return [
    'brand: Acme',
    'timezone: UTC',
    'keywords:',
    '  - acme',
    'sources:',
    '  - platform: bluesky',
    `    serviceUrl: ${fake.url}`,
    '    identifier: acme.bsky.social',
    '    appPasswordEnv: BLUESKY_APP_PASSWORD',
    '    followerCounts: false',
    '    retry: { attempts: 2, baseDelay: 10ms }',
    '    timeout: 2s',
    '',
  ].join('\n');
}

function poll(...args: string[]) {
  return runCommand(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), 'poll', ...args], { env });
}

beforeEach(async () => {
  fake = await new FakeBluesky().start();
  dir = tempDir();
  state = tempDir('brandwatch-state-');
  env = { BLUESKY_APP_PASSWORD: fake.password, XDG_STATE_HOME: state };
  writeConfig(dir, config());
});

afterEach(async () => {
  await fake.stop();
});

function sessionFile(): string {
  const files = readdirSync(join(state, 'brandwatch'));
  expect(files).toHaveLength(1);
  return join(state, 'brandwatch', files[0]!);
}

describe('Bluesky sessions', () => {
  it('60 polls make at most 2 createSession calls: the kept session is refreshed as its access token expires', async () => {
    // An access token lasts 8 requests here (about 2 hours on Bluesky): the polls outlive many of them, so a
    // login per expiry would show as 7 or more createSession calls, and a session not kept as one per poll.
    fake.accessUses = 8;
    fake.addMentions(3);
    for (let i = 0; i < 60; i++) {
      if (i % 10 === 0) fake.addMentions(1);
      const result = await poll();
      expect(result.code, result.stderr).toBe(0);
    }
    expect(fake.logins).toBeLessThanOrEqual(2);
    expect(fake.server.requestsTo(/createSession/).length).toBeLessThanOrEqual(2);
    expect(fake.refreshes).toBeGreaterThan(5);
    const db = new Database(join(dir, 'bw.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM mentions').get()).toEqual({ n: 9 });
    db.close();
  }, 120_000);

  it('keeps the tokens in a file only the user can read, never in the database or the output', async () => {
    fake.addMentions(2);
    const result = await poll('--json', '-v');
    expect(result.code, result.stderr).toBe(0);
    const file = sessionFile();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(state, 'brandwatch')).mode & 0o077).toBe(0);
    const kept = JSON.parse(readFileSync(file, 'utf8')) as { accessJwt: string; refreshJwt: string };
    expect(kept.accessJwt).toMatch(/^access-/);
    const db = readFileSync(join(dir, 'bw.db')).toString('latin1');
    for (const token of [kept.accessJwt, kept.refreshJwt]) {
      expect(result.stdout + result.stderr).not.toContain(token);
      expect(db).not.toContain(token);
    }
  });

  it('logs in again only when the refresh fails', async () => {
    fake.addMentions(1);
    expect((await poll()).code).toBe(0);
    expect((await poll()).code).toBe(0);
    expect(fake.logins).toBe(1);
    fake.revokeSessions();
    const result = await poll();
    expect(result.code, result.stderr).toBe(0);
    expect(fake.logins).toBe(2);
    expect((await poll()).code).toBe(0);
    expect(fake.logins).toBe(2);
  });
});

describe('Bluesky payloads', () => {
  it('keeps every field we rely on from a searchPosts answer built from the lexicon, unused fields and all', async () => {
    const { documentedSearch } = await import('../fakes/fixtures/bluesky.js');
    const createdAt = new Date(Date.now() - 60_000).toISOString();
    fake.server.inject({ kind: 'status', status: 200, body: documentedSearch('acme support answered in minutes', createdAt) }, /searchPosts/);
    const result = await poll();
    expect(result.code, result.stderr).toBe(0);
    const db = new Database(join(dir, 'bw.db'), { readonly: true });
    const row = db.prepare("SELECT * FROM mentions WHERE author_handle = 'bsky.app'").get() as Record<string, unknown>;
    db.close();
    expect(row).toMatchObject({
      external_id: 'at://did:plc:z72i7hdynmk6r22z27h6tvur/app.bsky.feed.post/3l6oveex3ii2l',
      author_id: 'did:plc:z72i7hdynmk6r22z27h6tvur',
      author_name: 'Bluesky',
      text: 'acme support answered in minutes',
      lang: 'en',
      created_at: Date.parse(createdAt),
      url: 'https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l',
      likes: 560,
      replies: 12,
    });
  });
});
