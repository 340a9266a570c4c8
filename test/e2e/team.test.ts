import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import { FakeTwitter } from '../fakes/twitter.js';
import { testCertificate } from '../fakes/tls.js';
import { runCli, startCli, tempDir, twitterConfig, writeConfig, type CliResult } from '../helpers/cli.js';
import { runInProcess, scriptedPrompter } from '../helpers/run.js';
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

  it('two triage sessions reply through the queue while two pollers keep polling: no double reply, no lost or doubled mention, every action attributed', async () => {
    const local = await new FakeTwitter().start();
    const here = tempDir();
    const location = await engine.freshLocation();
    const { caFile } = await testCertificate();
    const localEnv = { ...env, BRANDWATCH_TWITTER_API_URL: local.url, NODE_EXTRA_CA_CERTS: caFile };
    writeConfig(here, twitterConfig({ extra: 'userTokenEnv: TWITTER_USER_TOKEN' }));
    const args = ['--config', join(here, 'config.yml'), '--db', location];
    const addressed = (n: number, wave: string) =>
      Array.from({ length: n }, (_, i) => local.addTweet(`@acme_help acme order ${wave}-${i} never came`, { author: `c${wave}${i}`, mentions: ['acme_help'] }));
    try {
      addressed(8, 'a');
      const first = await runCli([...args, 'poll'], { env: { ...localEnv, USER: 'cron' } });
      expect(first.code, first.stderr).toBe(0);
      // Each session answers three items, one after the other; an item the other has open is skipped.
      const session = (person: string) =>
        runInProcess([...args, '--as', person, 'triage'], {
          tty: true,
          env: localEnv,
          prompter: scriptedPrompter(['r', `Sorry, ${person} here: DM us`, 'y', 'r', `Sorry, ${person} here: DM us`, 'y', 'r', `Sorry, ${person} here: DM us`, 'y', 'q']),
        });
      // Meanwhile new posts arrive and both pollers run at once, as two machines' cron.
      addressed(5, 'b');
      const [kim, lee, pollA, pollB] = await Promise.all([
        session('kim'),
        session('lee'),
        runCli([...args, 'poll'], { env: { ...localEnv, USER: 'cron-a' } }),
        runCli([...args, 'poll'], { env: { ...localEnv, USER: 'cron-b' } }),
      ]);
      expect(kim.code, kim.stderr).toBe(0);
      expect(lee.code, lee.stderr).toBe(0);
      for (const p of [pollA, pollB]) expect([0, 75], p.stderr).toContain(p.code);
      const last = await runCli([...args, 'poll'], { env: { ...localEnv, USER: 'cron' } });
      expect(last.code, last.stderr).toBe(0);

      const check = await openStore(location, { readOnly: true });
      try {
        const stored = await check.db.all<{ external_id: string; n: number }>('SELECT external_id, count(*) AS n FROM mentions GROUP BY external_id');
        expect(stored.map((r) => r.external_id).sort()).toEqual(local.tweets.filter((t) => !local.created.some((c) => c.id === t.id)).map((t) => t.id).sort());
        expect(stored.every((r) => r.n === 1)).toBe(true);
        const sent = await check.db.all<{ mention_id: number; n: number; actor: string | null; text: string }>(
          "SELECT mention_id, count(*) AS n, max(actor) AS actor, max(text) AS text FROM responses WHERE via = 'brandwatch' AND state = 'sent' GROUP BY mention_id",
        );
        expect(sent.length).toBe(6);
        expect(sent.every((r) => r.n === 1)).toBe(true);
        for (const r of sent) expect(r.text).toContain(`${r.actor} here`);
        expect(new Set(sent.map((r) => r.actor))).toEqual(new Set(['kim', 'lee']));
        expect(local.created).toHaveLength(6);
        const actors = await check.db.all<{ actor: string }>("SELECT DISTINCT actor FROM events WHERE kind IN ('status', 'response', 'assign') ORDER BY actor");
        for (const a of actors) expect(['cron', 'cron-a', 'cron-b', 'poll', 'kim', 'lee']).toContain(a.actor);
        figures.mentions += stored.length;
        figures.repliesAttempted += 6;
        figures.repliesPosted += local.created.length;
        figures.polls += 4;
        figures.refusedPolls += [pollA, pollB].filter((p) => p.code === 75).length;
      } finally {
        await check.close();
      }
    } finally {
      await local.stop();
    }
  });
});
