import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { twitterFixture } from '../helpers/twitter-db.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function collect(child: ChildProcess): { stderr: () => string; closed: Promise<number | null> } {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  return { stderr: () => stderr, closed: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('poll and signals', () => {
  it('a poll stopped by SIGTERM keeps what it stored, says it was interrupted and exits 75', async () => {
    const fixture = await twitterFixture();
    try {
      fixture.fake.addMentions(60);
      fixture.fake.server.inject({ kind: 'delay', ms: 50 });
      fixture.fake.server.inject({ kind: 'delay', ms: 1500 });
      const child = fixture.startPoll();
      children.push(child);
      const { stderr, closed } = collect(child);
      await until(() => fixture.fake.searchRequests.length === 2, 'the second page request');
      child.kill('SIGTERM');
      expect(await closed, stderr()).toBe(75);
      expect(stderr()).toMatch(/interrupted by a signal; what was fetched is stored and the next poll resumes/);
      expect(fixture.stored().length).toBeGreaterThanOrEqual(10);
      const next = await fixture.poll('--json');
      expect(next.code, next.stderr).toBe(0);
      expect(new Set(fixture.stored()).size).toBe(fixture.stored().length);
    } finally {
      await fixture.fake.stop();
    }
  });

  it('a poll stuck in a request that never answers still ends soon after SIGTERM, holding no lock', async () => {
    const fixture = await twitterFixture({ settings: ['timeout: 10m', 'retry: { attempts: 1, baseDelay: 10ms }'] });
    try {
      fixture.fake.addMentions(5);
      fixture.fake.server.inject({ kind: 'delay', ms: 40_000 });
      const child = fixture.startPoll();
      children.push(child);
      const { stderr, closed } = collect(child);
      await until(() => fixture.fake.searchRequests.length === 1, 'the first request');
      child.kill('SIGTERM');
      const code = await closed;
      expect([75, 130], stderr()).toContain(code);
      // It ended by giving the request up, not by waiting out the server's 40 s answer (nor the 10 min timeout).
      const request = fixture.fake.searchRequests[0]!;
      await vi.waitFor(() => expect(request.abandoned).toBe(true));
      expect(fixture.fake.searchRequests).toHaveLength(1);
      expect(fixture.stored()).toEqual([]);
    } finally {
      await fixture.fake.stop();
    }
  });
});
