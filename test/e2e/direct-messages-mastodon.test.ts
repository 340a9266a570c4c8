import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { FakeMastodon } from '../fakes/mastodon.js';
import { mastodonConversations } from '../fixtures/documented.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { configText, sourceBlock } from '../helpers/config.js';
import { runInProcess, scriptedPrompter, type InProcessOptions } from '../helpers/run.js';

/** Mastodon's direct messages: direct statuses among the mention notifications, answered with a direct status. */
let fake: FakeMastodon;
let dir: string;
const env = { MASTODON_TOKEN: 'test-mastodon-token' };
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
  fake = await new FakeMastodon().start();
  fake.tokenAccount = fake.addAccount('acme');
  dir = tempDir();
  writeConfig(
    dir,
    configText({
      ownAccounts: { mastodon: 'acme@social.example' },
      sources: [sourceBlock('mastodon', { instanceUrl: fake.url, accessTokenEnv: 'MASTODON_TOKEN', directMessages: true })],
      extra: 'sla:\n  default: 24h\n  dm:\n    default: 4h\n',
    }),
  );
});

afterEach(async () => {
  await fake.stop();
});

describe('direct messages on Mastodon', () => {
  it('a public post, then a direct status from its author: one item, answered by a direct status that names them', async () => {
    const now = Date.now();
    const post = fake.addStatus('<p>@acme my <a href="#">#acme</a> order is late</p>', { author: 'kim', tags: ['acme'], mentions: ['acme'], createdAt: new Date(now - 30 * MIN) });
    const polls: number[] = [];
    const poll = async (at: number) => {
      const before = fake.server.requests.length;
      expect((await cli(['poll'], { now: at })).code).toBe(0);
      polls.push(fake.server.requests.length - before);
    };
    await poll(now - 25 * MIN);
    const item = rows<{ id: number }>('SELECT id FROM mentions WHERE external_id = ?', post.id)[0]!.id;
    expect((await cli(['mark', String(item), 'private'], { now: now - 20 * MIN })).code).toBe(0);

    const dm = fake.addStatus('<p>@acme order 1234, sent to &lt;my old address&gt;</p>', { author: 'kim', mentions: ['acme'], visibility: 'direct', createdAt: new Date(now - 10 * MIN) });
    await poll(now - 5 * MIN);
    expect(rows<{ channel: string; thread_id: number; text: string }>('SELECT channel, thread_id, text FROM mentions WHERE external_id = ?', dm.id)).toEqual([
      { channel: 'dm', thread_id: item, text: '@acme order 1234, sent to <my old address>' },
    ]);
    // Reading DMs costs no request of its own: they come with the mention notifications (tags, notifications, own statuses).
    expect(polls[1]).toBe(3);
    expect(fake.conversationRequests).toHaveLength(0);

    const prompter = scriptedPrompter(['r', 'Sorry Kim, we will resend it today.', 'y']);
    const triage = await cli(['triage'], { tty: true, prompter, now });
    expect(triage.code, triage.stderr).toBe(0);
    expect(triage.stdout).toMatch(/customer wrote privately — answers go by DM/);
    expect(prompter.asked[1]).toMatch(/^Reply by DM to @kim@127\.0\.0\.1:\d+ on Mastodon:$/);
    const sent = fake.statuses.at(-1)!;
    expect(sent).toMatchObject({ visibility: 'direct', in_reply_to_id: dm.id });
    expect(sent.content).toBe('<p>@kim Sorry Kim, we will resend it today.</p>');
    expect(sent.mentions.map((m) => m.acct)).toEqual(['kim']);
    expect(rows<{ channel: string; state: string }>('SELECT channel, state FROM responses')).toEqual([{ channel: 'dm', state: 'sent' }]);
  });

  it('after an unknown outcome the DM is looked for in the DM list (the documented Conversation parses) before sending again', async () => {
    const now = Date.now();
    const dm = fake.addStatus('<p>@acme where is my refund?</p>', { author: 'ola', mentions: ['acme'], visibility: 'direct', createdAt: new Date(now - 10 * MIN) });
    expect((await cli(['poll'], { now: now - 5 * MIN })).code).toBe(0);
    const item = rows<{ id: number; channel: string }>('SELECT id, channel FROM mentions WHERE external_id = ?', dm.id)[0]!;
    expect(item.channel).toBe('dm');

    fake.server.inject({ kind: 'stall', ms: 3000 }, /^\/api\/v1\/statuses$/);
    const first = await cli(['reply', String(item.id), '--text', 'Refund sent, Ola.'], { now: now - 4 * MIN });
    expect(first.code).toBe(75);
    // The instance took the status; its answer came too late.
    for (let i = 0; i < 100 && !fake.statuses.some((s) => s.account.acct === 'acme'); i++) await new Promise((r) => setTimeout(r, 50));
    const created = fake.statuses.filter((s) => s.visibility === 'direct' && s.account.acct === 'acme');
    expect(created).toHaveLength(1);

    // The documented conversation (someone else's) comes first in the list; ours is the next one.
    const list = [...mastodonConversations(now), ...(await conversationsNow())];
    fake.server.inject({ kind: 'status', status: 200, body: list }, /^\/api\/v1\/conversations$/);
    const asked = fake.conversationRequests.length;
    const again = await cli(['reply', String(item.id), '--text', 'Refund sent, Ola.'], { now });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/earlier attempt had been posted after all/);
    expect(fake.statuses.filter((s) => s.visibility === 'direct' && s.account.acct === 'acme')).toHaveLength(1);
    expect(fake.conversationRequests.length - asked).toBe(1);
    expect(rows<{ state: string; external_id: string }>('SELECT state, external_id FROM responses')).toEqual([{ state: 'sent', external_id: created[0]!.id }]);
  });
});

/** What the fake's own conversations route would answer now (read through a plain request). */
async function conversationsNow(): Promise<unknown[]> {
  const response = await fetch(`${fake.url}/api/v1/conversations?limit=40`, { headers: { authorization: 'Bearer test-mastodon-token' } });
  return (await response.json()) as unknown[];
}
