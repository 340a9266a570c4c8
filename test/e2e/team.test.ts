import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { testCertificate } from '../fakes/tls.js';
import { runCli, startCli, tempDir, twitterConfig, writeConfig, type CliResult } from '../helpers/cli.js';
import { forEachEngine } from '../helpers/engines.js';
import { openStore, type Store } from '../../src/store/open.js';

/**
 * A team on one store: two pollers (as two machines' cron) and two people replying, each its own process and
 * connection, against a fake X. No mention lost or doubled, no reply posted twice, every action attributed.
 */
forEachEngine('a team sharing one store', (engine) => {
  let fake: FakeTwitter;
  let dir: string;
  let db: string;
  let env: Record<string, string>;
  let store: Store;
  const addressed: string[] = [];
  const figures = { pollers: 2, triagers: 2, polls: 0, refusedPolls: 0, mentions: 0, repliesAttempted: 0, repliesPosted: 0 };

  beforeAll(async () => {
    fake = await new FakeTwitter().start();
    dir = tempDir();
    db = await engine.freshLocation();
    const { caFile } = await testCertificate();
    env = {
      TWITTER_BEARER_TOKEN: 'test-bearer-token',
      TWITTER_USER_TOKEN: 'test-user-token',
      BRANDWATCH_TWITTER_API_URL: fake.url,
      NODE_EXTRA_CA_CERTS: caFile,
    };
    writeConfig(dir, twitterConfig({ extra: 'userTokenEnv: TWITTER_USER_TOKEN' }));
  });
  afterAll(async () => {
    await store?.close();
    await fake?.stop();
    process.stderr.write(`team on ${engine.kind}: ${JSON.stringify(figures)}\n`);
  });

  const globals = () => ['--config', join(dir, 'config.yml'), '--db', db];
  const as = (person: string) => ({ ...env, USER: person, BRANDWATCH_AS: person });
  const finished = (child: ReturnType<typeof startCli>): Promise<CliResult> =>
    new Promise((resolve) => {
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
  const until = async (condition: () => boolean) => {
    while (!condition()) await new Promise((r) => setTimeout(r, 10));
  };

  it('two pollers: while one polls, the other exits 75 at once; every post is stored once', async () => {
    for (const wave of [120, 60, 35]) {
      fake.addMentions(wave, 'acme');
      // Posts that mention the brand's handle: the ones an app may answer through the API.
      for (let i = 0; i < 2; i++) addressed.push(fake.addTweet(`@acme_help my acme router died, wave ${wave} #${i}`, { author: `customer${wave}${i}`, mentions: ['acme_help'] }).id);
      // The first poller's search waits at the fake until the second poller has come and gone.
      let release!: () => void;
      fake.server.inject({ kind: 'hold', until: new Promise<void>((resolve) => (release = resolve)) }, /\/search\/recent$/);
      const searches = fake.server.requestsTo(/\/search\/recent$/).length;
      const first = finished(startCli([...globals(), 'poll'], { env: as('cron-a') }));
      await until(() => fake.server.requestsTo(/\/search\/recent$/).length > searches);
      const second = await runCli([...globals(), 'poll'], { env: as('cron-b') });
      expect(second.code, second.stderr).toBe(75);
      expect(second.stderr).toMatch(/another brandwatch poll is running/);
      release();
      const done = await first;
      expect(done.code, done.stderr).toBe(0);
      figures.polls += 2;
      figures.refusedPolls += 1;
    }
    store = await openStore(db);
    const rows = await store.db.all<{ external_id: string; n: number }>('SELECT external_id, count(*) AS n FROM mentions GROUP BY external_id');
    const posted = fake.tweets.filter((t) => /acme/.test(t.text)).map((t) => t.id).sort();
    expect(rows.map((r) => r.external_id).sort()).toEqual(posted);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    figures.mentions = rows.length;
  });

  it('two people reply to the same mentions at the same second: each mention is answered once, by the one who got there first', async () => {
    const targets = (await store.db.all<{ id: number }>(`SELECT id FROM mentions WHERE external_id IN (${addressed.map(() => '?').join(', ')}) ORDER BY id`, addressed)).map(
      (r) => r.id,
    );
    expect(targets).toHaveLength(6);
    for (const id of targets) {
      // Both commands are inside the outbox before the first post reaches X.
      let release!: () => void;
      fake.server.inject({ kind: 'hold', until: new Promise<void>((resolve) => (release = resolve)) }, /^\/2\/tweets$/);
      const posts = fake.postRequests.length;
      const people = ['kim', 'lee'] as const;
      const children = people.map((person) => finished(startCli([...globals(), 'reply', String(id), '--text', `Hi, ${person} here: DM us please`], { env: as(person) })));
      figures.repliesAttempted += 2;
      const loser = await Promise.race(children);
      expect(loser.code, loser.stderr).toBe(75);
      expect(loser.stderr).toMatch(/another reply to this mention is being sent right now/);
      release();
      const results = await Promise.all(children);
      expect(results.map((r) => r.code).sort()).toEqual([0, 75]);
      expect(fake.postRequests.length - posts).toBe(1);
    }
    const sent = await store.db.all<{ mention_id: number; n: number }>(
      "SELECT mention_id, count(*) AS n FROM responses WHERE via = 'brandwatch' AND state = 'sent' GROUP BY mention_id ORDER BY mention_id",
    );
    expect(sent).toEqual(targets.map((id) => ({ mention_id: id, n: 1 })));
    expect(fake.created).toHaveLength(targets.length);
    figures.repliesPosted = fake.created.length;

    // Every change is attributed to the person who made it, and each reply's text is that person's.
    const events = await store.db.all<{ mention_id: number; actor: string }>(
      "SELECT mention_id, actor FROM events WHERE kind IN ('status', 'response') AND mention_id IN (" + targets.join(', ') + ') ORDER BY id',
    );
    expect(events.length).toBeGreaterThanOrEqual(targets.length);
    for (const e of events) expect(['kim', 'lee']).toContain(e.actor);
    const texts = await store.db.all<{ mention_id: number; text: string }>("SELECT mention_id, text FROM responses WHERE state = 'sent' ORDER BY mention_id");
    for (const t of texts) {
      const who = events.find((e) => e.mention_id === t.mention_id)!.actor;
      expect(t.text).toContain(`${who} here`);
    }
  });
});
