import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { KEYWORDS, TWITTER_SETTINGS, seededRandom, sorted, twitterFixture } from '../helpers/twitter-db.js';

let fixture: Awaited<ReturnType<typeof twitterFixture>> | null = null;
afterAll(async () => fixture?.fake.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('poll killed at random points', () => {
  it('leaves no gap and no duplicate after a re-run (SIGKILL at 50+ points)', async () => {
    const seed = Number(process.env.BRANDWATCH_CRASH_SEED ?? Date.now() % 1_000_000);
    const rand = seededRandom(seed);
    // Ten runs' worth of posts can exceed one poll's page cap (maxPages, 50 by default): the re-run reads them all.
    fixture = await twitterFixture({ settings: [...TWITTER_SETTINGS, 'maxPages: 500'] });
    const { fake } = fixture;
    for (const keyword of KEYWORDS) fake.addMentions(60, keyword);
    const kills = 50;
    let landedMidRun = 0;
    for (let run = 1; run <= kills; run++) {
      for (const keyword of KEYWORDS) fake.addMentions(10 + Math.floor(rand() * 50), keyword);
      // Small page delays spread the run over time, so kill points land at every stage: start-up,
      // opening the store, between requests, and while a page's transaction commits.
      for (let i = 0; i < 16; i++) fake.server.inject({ kind: 'delay', ms: 2 + Math.floor(rand() * 8) });
      const before = fake.searchRequests.length;
      const target = Math.floor(rand() * 6);
      const child = fixture.startPoll();
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      let done = false;
      void exited.then(() => (done = true));
      while (!done && fake.searchRequests.length - before < target) await sleep(2);
      await sleep(Math.floor(rand() * 12));
      if (!done) {
        child.kill('SIGKILL');
        if (fake.searchRequests.length > before) landedMidRun++;
      }
      await exited;

      const stored = fixture.stored();
      expect(new Set(stored).size, `seed ${seed}, kill ${run}: a mention was stored twice`).toBe(stored.length);
      const server = new Set(fixture.serverIds());
      expect(stored.every((id) => server.has(id)), `seed ${seed}, kill ${run}`).toBe(true);

      if (run % 10 === 0) {
        const rerun = await fixture.poll();
        expect(rerun.code, `seed ${seed}, re-run after kill ${run}: ${rerun.stderr}`).toBe(0);
        expect(sorted(fixture.stored()), `seed ${seed}, re-run after kill ${run}: gap or extra`).toEqual(sorted(fixture.serverIds()));
      }
    }
    // Most kills must have hit a poll that was talking to the server, not just starting up.
    console.log(`crash test: seed ${seed}, ${landedMidRun} of ${kills} kills landed while the poll was fetching`);
    expect(landedMidRun, `seed ${seed}`).toBeGreaterThanOrEqual(kills / 2);
    const db = new Database(fixture.dbPath, { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }, 240_000);
});
