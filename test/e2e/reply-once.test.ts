import { afterEach, beforeEach, expect, it } from 'vitest';
import { join } from 'node:path';
import { FakeTwitter, type FakeTweet } from '../fakes/twitter.js';
import { testCertificate } from '../fakes/tls.js';
import { runCommand, startCli, tempDir, twitterConfig, writeConfig } from '../helpers/cli.js';
import { runInProcess } from '../helpers/run.js';
import { forEachEngine, queryStore, type EngineUnderTest } from '../helpers/engines.js';

let fake: FakeTwitter;
let dir: string;
let db: string;
let env: Record<string, string>;

const globals = () => ['--config', join(dir, 'config.yml'), '--db', db];
/** In this process, at a chosen product time (epoch ms) when given. */
const cli = (args: string[], at?: number) => runInProcess([...globals(), ...args], { env, ...(at !== undefined ? { now: at } : {}) });
const POSTS = () => fake.postRequests.length;

const query = <T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> => queryStore<T>(db, sql, params);

const mentionId = async (tweet: FakeTweet) => (await query<{ id: number }>('SELECT id FROM mentions WHERE external_id = ?', tweet.id))[0]!.id;

async function polledMention(text = '@acme_help my acme order is lost'): Promise<{ tweet: FakeTweet; id: number }> {
  const tweet = fake.addTweet(text, { author: 'kim', mentions: ['acme_help'] });
  const poll = await runCommand([...globals(), 'poll'], { env });
  expect(poll.code, poll.stderr).toBe(0);
  return { tweet, id: await mentionId(tweet) };
}

forEachEngine('one reply per mention, whatever happens', (engine: EngineUnderTest) => {
  beforeEach(async () => {
    fake = await new FakeTwitter().start();
    dir = tempDir();
    db = engine.kind === 'sqlite' ? join(dir, 'bw.db') : await engine.freshLocation();
    const { caFile } = await testCertificate();
    env = {
      TWITTER_BEARER_TOKEN: 'test-bearer-token',
      TWITTER_USER_TOKEN: 'test-user-token',
      BRANDWATCH_TWITTER_API_URL: fake.url,
      NODE_EXTRA_CA_CERTS: caFile,
    };
    writeConfig(dir, twitterConfig({ extra: 'userTokenEnv: TWITTER_USER_TOKEN' }));
  });

  afterEach(async () => {
    await fake.stop();
  });

  it('two reply commands at the same moment: one posts, the other refuses and posts nothing', async () => {
    const { id } = await polledMention();
    // The first POST to reach X waits until the other command has finished.
    let release!: () => void;
    fake.server.inject({ kind: 'hold', until: new Promise<void>((resolve) => (release = resolve)) }, /^\/2\/tweets$/);
    const texts = ['Hi Kim, so sorry: DM us the order number', 'Hi Kim, sorry about that, please DM us'];
    const children = texts.map((text) => {
      const child = startCli([...globals(), 'reply', String(id), '--text', text], { env });
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout!.resume();
      return { stderr: () => stderr, code: new Promise<number | null>((resolve) => child.on('close', resolve)) };
    });
    const first = await Promise.race(children.map((c, i) => c.code.then((code) => ({ i, code }))));
    release();
    const codes = await Promise.all(children.map((c) => c.code));
    const loser = children[first.i]!.stderr();
    expect(first.code, loser).toBe(75);
    expect(loser).toMatch(/another reply to this mention is being sent right now \(started \d+ s ago\); nothing was sent — let it finish, or add --force/);
    expect(codes.sort(), children.map((c) => c.stderr()).join('\n')).toEqual([0, 75]);
    expect(POSTS()).toBe(1);
    expect(fake.created).toHaveLength(1);
    expect(await query('SELECT state, external_id FROM responses WHERE mention_id = ?', id)).toEqual([{ state: 'sent', external_id: fake.created[0]!.id }]);
  });

  it('an attempt of unknown outcome younger than X\'s index lag is not posted again; after the lag the same attempt is retried', async () => {
    const { id } = await polledMention();
    const t0 = Date.now();
    const text = 'Hi Kim, DM us the order number please';
    // The connection drops after the request left: the outcome is unknown (and here nothing was created).
    fake.server.inject({ kind: 'reset' }, /^\/2\/tweets$/);
    const first = await cli(['reply', String(id), '--text', text], t0);
    expect(first.code, first.stderr).toBe(75);
    expect(POSTS()).toBe(1);

    const soon = await cli(['reply', String(id), '--text', text], t0 + 10_000);
    expect(soon.code).toBe(75);
    expect(soon.stderr).toMatch(
      /an attempt 10 s ago has an unknown outcome and twitter does not show it yet \(new posts can take 1 min to appear\); nothing was sent — run the same command again in 50 s, or add --force/,
    );
    expect(POSTS()).toBe(1);

    const later = await cli(['reply', String(id), '--text', text], t0 + 61_000);
    expect(later.code, later.stderr).toBe(0);
    expect(POSTS()).toBe(2);
    expect(fake.created).toHaveLength(1);
    // One row: the same attempt, retried under its key.
    expect(await query('SELECT state, attempts FROM responses WHERE mention_id = ?', id)).toEqual([{ state: 'sent', attempts: 2 }]);
  });

  it('--force posts within the index lag', async () => {
    const { id } = await polledMention();
    const t0 = Date.now();
    fake.server.inject({ kind: 'reset' }, /^\/2\/tweets$/);
    expect((await cli(['reply', String(id), '--text', 'Hi Kim, DM us'], t0)).code).toBe(75);
    const forced = await cli(['reply', String(id), '--text', 'Hi Kim, DM us', '--force'], t0 + 5_000);
    expect(forced.code, forced.stderr).toBe(0);
    expect(POSTS()).toBe(2);
    expect(fake.created).toHaveLength(1);
  });

  it('unknown outcome, then a poll records the reply as native: the advised retry adopts it, and the mention stays answerable', async () => {
    const { id } = await polledMention();
    const text = 'Hi Kim, we are on it: DM us the order number';
    fake.stallAfterCreate = { count: 1, ms: 3500 };
    const first = await runCommand([...globals(), 'reply', String(id), '--text', text], { env });
    expect(first.code).toBe(75);
    expect(first.stderr).toMatch(/run the same command again/);
    const poll = await runCommand([...globals(), 'poll', '--json'], { env });
    expect(JSON.parse(poll.stdout).sources[0]).toMatchObject({ nativeReplies: 1 });

    const retry = await runCommand([...globals(), 'reply', String(id), '--text', text], { env });
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stderr).not.toMatch(/UNIQUE constraint/);
    expect(retry.stderr).toMatch(/an earlier attempt had been posted after all/);
    expect(POSTS()).toBe(1);
    expect(await query('SELECT via, state, external_id FROM responses WHERE mention_id = ?', id)).toEqual([
      { via: 'brandwatch', state: 'sent', external_id: fake.created[0]!.id },
    ]);

    const another = await runCommand([...globals(), 'reply', String(id), '--text', 'One more thing, Kim: the refund is on its way', '--again'], { env });
    expect(another.code, another.stderr).toBe(0);
    expect(POSTS()).toBe(2);
    expect(await query('SELECT state FROM responses WHERE mention_id = ? ORDER BY id', id)).toEqual([{ state: 'sent' }, { state: 'sent' }]);
  });

  it('re-running a successful reply refuses, saying when and what, unless --again', async () => {
    const { id } = await polledMention();
    const text = 'Hi Kim, DM us the order number';
    expect((await cli(['reply', String(id), '--text', text])).code).toBe(0);
    const sentAt = (await query<{ sent_at: number }>('SELECT sent_at FROM responses WHERE mention_id = ?', id))[0]!.sent_at;

    const rerun = await cli(['reply', String(id), '--text', text], sentAt + 12 * 60_000);
    expect(rerun.code).toBe(1);
    expect(rerun.stderr).toBe('brandwatch: you replied 12 min ago: “Hi Kim, DM us the order number”; nothing was sent — add --again to send another reply\n');
    expect(POSTS()).toBe(1);

    const again = await cli(['reply', String(id), '--text', 'Kim, any news on the order?', '--again'], sentAt + 13 * 60_000);
    expect(again.code, again.stderr).toBe(0);
    expect(POSTS()).toBe(2);
  });

  it('a reply made outside brandwatch counts too', async () => {
    const { tweet, id } = await polledMention();
    fake.addTweet('Hi Kim, answered from the phone', { author: 'acme_help', inReplyTo: tweet });
    expect((await runCommand([...globals(), 'poll'], { env })).code).toBe(0);
    const rerun = await cli(['reply', String(id), '--text', 'Hi Kim, DM us']);
    expect(rerun.code).toBe(1);
    expect(rerun.stderr).toMatch(/you replied \d+ s ago \(outside brandwatch\): “Hi Kim, answered from the phone”; nothing was sent — add --again/);
    expect(POSTS()).toBe(0);
  });
});
