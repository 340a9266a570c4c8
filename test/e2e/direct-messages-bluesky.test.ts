import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeBluesky } from '../fakes/bluesky.js';
import { blueskyChat } from '../fixtures/documented.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { configText, sourceBlock } from '../helpers/config.js';
import { runInProcess, scriptedPrompter, type InProcessOptions } from '../helpers/run.js';

/** Bluesky's chats: read and answered through the PDS's chat proxy. */
let fake: FakeBluesky;
let dir: string;
let env: Record<string, string>;
const MIN = 60_000;

function cli(args: string[], options: InProcessOptions = {}) {
  return runInProcess(['--config', join(dir, 'config.yml'), '--db', join(dir, 'bw.db'), ...args], { env, ...options });
}

function rows<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(join(dir, 'bw.db'), { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

beforeEach(async () => {
  fake = await new FakeBluesky().start();
  dir = tempDir();
  env = { BLUESKY_APP_PASSWORD: fake.password };
  writeConfig(
    dir,
    configText({
      sources: [sourceBlock('bluesky', { serviceUrl: fake.url, identifier: 'acme.bsky.social', appPasswordEnv: 'BLUESKY_APP_PASSWORD', directMessages: true, followerCounts: false })],
      extra: 'sla:\n  default: 24h\n',
    }),
  );
});

afterEach(async () => {
  await fake.stop();
});

describe('direct messages on Bluesky', () => {
  it('a public post, taken private, then a chat from its author: one item, answered in the chat; a quiet poll is one listConvos', async () => {
    const now = Date.now();
    const post = fake.addPost('acme my parcel never arrived', { author: 'kim.bsky.social', createdAt: new Date(now - 40 * MIN) });
    expect((await cli(['poll'], { now: now - 35 * MIN })).code).toBe(0);
    const item = rows<{ id: number }>('SELECT id FROM mentions WHERE external_id = ?', post.uri)[0]!.id;
    expect((await cli(['mark', String(item), 'private'], { now: now - 30 * MIN })).code).toBe(0);

    const dm = fake.addDm('order 99, the tracking says delivered', { from: 'kim.bsky.social', sentAt: new Date(now - 20 * MIN) });
    expect((await cli(['poll'], { now: now - 15 * MIN })).code).toBe(0);
    expect(rows<{ channel: string; thread_id: number; dm_conversation_id: string }>('SELECT channel, thread_id, dm_conversation_id FROM mentions WHERE external_id = ?', dm.id)).toEqual([
      { channel: 'dm', thread_id: item, dm_conversation_id: fake.convos[0]!.id },
    ]);

    const prompter = scriptedPrompter(['r', 'Sorry Kim, a courier is on the way.', 'y']);
    const triage = await cli(['triage'], { tty: true, prompter, now: now - 10 * MIN });
    expect(triage.code, triage.stderr).toBe(0);
    expect(prompter.asked).toContain('Reply by DM to @kim.bsky.social on Bluesky:');
    expect(fake.sentDms).toEqual([{ convoId: fake.convos[0]!.id, id: expect.any(String), text: 'Sorry Kim, a courier is on the way.' }]);
    // Every chat call went through the chat proxy (the fake answers 501 otherwise).
    expect(fake.chatRequests.every((r) => r.headers['atproto-proxy'] === 'did:web:api.bsky.chat#bsky_chat')).toBe(true);

    // Our answer is the conversation's newest message: the next poll reads it once, then polls are quiet.
    expect((await cli(['poll'], { now: now - 5 * MIN })).code).toBe(0);
    const before = fake.chatRequests.length;
    expect((await cli(['poll'], { now })).code).toBe(0);
    expect(fake.chatRequests.slice(before).map((r) => r.path)).toEqual(['/xrpc/chat.bsky.convo.listConvos']);
    expect(rows<{ n: number }>("SELECT count(*) AS n FROM mentions WHERE channel = 'dm'")[0]!.n).toBe(1);
  });

  it('a chat from someone with no item opens its own; an unknown-outcome send is found in the chat, not sent twice', async () => {
    const now = Date.now();
    const dm = fake.addDm('hello, is anyone there?', { from: 'ola.bsky.social', sentAt: new Date(now - 10 * MIN) });
    expect((await cli(['poll'], { now: now - 5 * MIN })).code).toBe(0);
    const item = rows<{ id: number; channel: string; thread_id: number | null }>('SELECT id, channel, thread_id FROM mentions WHERE external_id = ?', dm.id)[0]!;
    expect(item).toMatchObject({ channel: 'dm', thread_id: null });

    fake.stallAfterSend = { count: 1, ms: 3000 };
    const first = await cli(['reply', String(item.id), '--text', 'Yes, Ola, how can we help?'], { now: now - 4 * MIN });
    expect(first.code).toBe(75);
    const again = await cli(['reply', String(item.id), '--text', 'Yes, Ola, how can we help?'], { now });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/earlier attempt had been posted after all/);
    expect(fake.sentDms).toHaveLength(1);
  });

  it("the lexicon-built chat outputs pass the client's own lexicon check and are stored as DMs", async () => {
    const now = Date.now();
    const { list, messages } = blueskyChat(now - 2 * MIN);
    fake.server.inject({ kind: 'status', status: 200, body: list }, /chat\.bsky\.convo\.listConvos$/);
    fake.server.inject({ kind: 'status', status: 200, body: messages }, /chat\.bsky\.convo\.getMessages$/);
    const poll = await cli(['poll'], { now });
    expect(poll.code, poll.stderr).toBe(0);
    expect(rows<{ author_handle: string; text: string; channel: string }>("SELECT author_handle, text, channel FROM mentions WHERE channel = 'dm' ORDER BY created_at")).toEqual([
      { author_handle: 'bsky.app', text: 'Hello, how can we help?', channel: 'dm' },
      { author_handle: 'atproto.com', text: 'Hi! Our order arrived broken & the box said <fragile>.', channel: 'dm' },
    ]);
  });

  it('an interrupted walk over the conversations resumes with the ones it had not reached; nothing is stored twice', async () => {
    writeConfig(
      dir,
      configText({
        sources: [sourceBlock('bluesky', { serviceUrl: fake.url, identifier: 'acme.bsky.social', appPasswordEnv: 'BLUESKY_APP_PASSWORD', directMessages: true, followerCounts: false, maxPages: 1 })],
      }),
    );
    const now = Date.now();
    for (const [i, who] of ['ann', 'bob', 'cat'].entries()) {
      fake.addDm(`first from ${who}`, { from: `${who}.bsky.social`, sentAt: new Date(now - (30 - i) * MIN) });
      fake.addDm(`second from ${who}`, { from: `${who}.bsky.social`, sentAt: new Date(now - (20 - i) * MIN) });
    }
    const counts: number[] = [];
    for (let run = 0; run < 4; run++) {
      const result = await cli(['--json', 'poll'], { now: now - 10 * MIN + run * MIN });
      expect(result.code, result.stderr).toBe(0);
      counts.push(JSON.parse(result.stdout).sources[0].new);
    }
    // The search groups take their page too; the DM walk reads one conversation per poll, then is quiet.
    expect(counts).toEqual([2, 2, 2, 0]);
    expect(rows<{ n: number }>("SELECT count(DISTINCT external_id) AS n FROM mentions WHERE channel = 'dm'")[0]!.n).toBe(6);
    // Each customer's second message joined the item their first one opened.
    expect(rows<{ items: number }>("SELECT count(*) AS items FROM mentions WHERE channel = 'dm' AND thread_id IS NULL")[0]!.items).toBe(3);
  });

  it('an app password without access to DMs: the other groups are stored, the DM group says what to create', async () => {
    fake.chatAllowed = false;
    fake.addPost('acme is great', { author: 'kim.bsky.social' });
    const result = await cli(['--json', 'poll']);
    expect(result.code).toBe(3);
    const source = JSON.parse(result.stdout).sources[0];
    expect(source.new).toBe(1);
    expect(source.message).toMatch(/refused the app password .*"Allow access to your direct messages"/);
  });
});
