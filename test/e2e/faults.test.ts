import { afterEach, describe, expect, it } from 'vitest';
import type { Fault } from '../fakes/server.js';
import { KEYWORDS, seededRandom, sorted, twitterFixture } from '../helpers/twitter-db.js';

let fixture: Awaited<ReturnType<typeof twitterFixture>> | null = null;
afterEach(async () => {
  await fixture?.fake.stop();
  fixture = null;
});

/** Every kind of trouble the fake X API can cause, as factories (the 429 needs a fresh reset time). */
const FAULTS: Record<string, () => Fault> = {
  'rate limited (429, reset far off)': () => ({
    kind: 'status',
    status: 429,
    headers: { 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 900) },
    body: { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 },
  }),
  '500': () => ({ kind: 'status', status: 500, body: { title: 'Internal Server Error' } }),
  '503': () => ({ kind: 'status', status: 503, body: { title: 'Service Unavailable' } }),
  'connection reset': () => ({ kind: 'reset' }),
  'stall past the timeout': () => ({ kind: 'stall', ms: 700 }),
  'truncated body': () => ({ kind: 'truncated' }),
  'malformed JSON': () => ({ kind: 'malformed' }),
  'slow answer': () => ({ kind: 'delay', ms: 50 }),
};

describe('poll under injected faults', () => {
  it('converges to exactly the server’s mentions: nothing lost, nothing doubled', async () => {
    const seed = Number(process.env.BRANDWATCH_FAULT_SEED ?? Date.now() % 1_000_000);
    const rand = seededRandom(seed);
    fixture = await twitterFixture({
      settings: ['queryLengthLimit: 64', 'maxResults: 10', 'timeout: 300ms', 'rateLimitWait: 0s', 'retry: { attempts: 3, baseDelay: 10ms }'],
    });
    const { fake } = fixture;
    const kinds = Object.keys(FAULTS);
    const seen = new Set<number>();
    for (let round = 0; round < 8; round++) {
      for (const keyword of KEYWORDS) fake.addMentions(Math.floor(rand() * 45), keyword);
      const faults = Math.floor(rand() * 5);
      for (let i = 0; i < faults; i++) fake.server.inject(FAULTS[kinds[Math.floor(rand() * kinds.length)]!]!());
      for (let i = Math.floor(rand() * 4); i > 0; i--) fake.pageFaults.push(rand() < 0.5 ? 'repeat' : 'skip');
      const result = await fixture.poll();
      seen.add(result.code ?? -1);
      expect([0, 1, 3, 75], `seed ${seed}, round ${round}: ${result.stderr}`).toContain(result.code);
      expect(result.stderr, `seed ${seed}`).not.toMatch(/\n\s+at |SQLITE_|database is locked/);
      const stored = fixture.stored();
      expect(new Set(stored).size, `seed ${seed}: a mention was stored twice`).toBe(stored.length);
    }
    // Faults still queued are used up by the next polls; then the store must hold exactly what the server has.
    fake.pageFaults.length = 0;
    for (let i = 0; i < 10; i++) if ((await fixture.poll()).code === 0) break;
    const last = await fixture.poll();
    expect(last.code, `seed ${seed}: ${last.stderr}`).toBe(0);
    expect(fixture.stored(), `seed ${seed}`).toHaveLength(fake.tweets.length);
    expect(sorted(fixture.stored()), `seed ${seed}`).toEqual(sorted(fixture.serverIds()));
  });

  it.each([
    ['repeat', 'pages that serve posts of the previous page again, and one twice'],
    ['skip', 'pages that leave posts out and resume at the gap'],
  ] as const)('%s: %s store each post exactly once', async (fault, _why) => {
    fixture = await twitterFixture();
    const { fake } = fixture;
    for (const keyword of KEYWORDS) fake.addMentions(45, keyword);
    for (let i = 0; i < 6; i++) fake.pageFaults.push(fault);
    const result = await fixture.poll('--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).sources[0].new).toBe(90);
    expect(fixture.stored()).toHaveLength(90);
    expect(sorted(fixture.stored())).toEqual(sorted(fixture.serverIds()));
  });

  it.each(Object.keys(FAULTS))('%s on every attempt: a one-line message, the right exit code, nothing half-stored', async (name) => {
    fixture = await twitterFixture({
      settings: ['maxResults: 10', 'timeout: 300ms', 'rateLimitWait: 0s', 'retry: { attempts: 2, baseDelay: 10ms }'],
    });
    const { fake } = fixture;
    fake.addMentions(25);
    // One fault per attempt of the first request (a rate limit is not retried).
    const attempts = name.startsWith('rate limited') ? 1 : 2;
    for (let i = 0; i < attempts; i++) fake.server.inject(FAULTS[name]!());
    const result = await fixture.poll();
    expect(result.stderr).not.toMatch(/\n\s+at /);
    if (name === 'slow answer') {
      expect(result.code, result.stderr).toBe(0);
    } else {
      expect(result.code).toBe(name.startsWith('rate limited') ? 75 : 1);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^twitter: (failed|rate limited): /);
    }
    // The failed request was the first: nothing stored, or everything once the slow answer came.
    expect(sorted(fixture.stored())).toEqual(name === 'slow answer' ? sorted(fixture.serverIds()) : []);
  });
});
