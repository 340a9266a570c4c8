import { afterAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { sorted, twitterFixture } from '../helpers/twitter-db.js';
import { forEachEngine } from '../helpers/engines.js';

let fixture: Awaited<ReturnType<typeof twitterFixture>> | null = null;
afterAll(async () => fixture?.fake.stop());

forEachEngine('overlapping polls', (engine) => {
  it('10 simultaneous polls on a new database: one runs, the rest exit 75, no SQLITE_BUSY escapes', async () => {
    // The holder's first request is held until the nine others have exited: a timeout long enough that a loaded
    // machine never turns the wait into a retry of the same page (which would read as a page fetched twice).
    const settings = ['queryLengthLimit: 64', 'maxResults: 10', 'timeout: 120s', 'retry: { attempts: 3, baseDelay: 10ms }'];
    fixture = await twitterFixture({ settings, ...(engine.kind === 'postgres' ? { db: await engine.freshLocation() } : {}) });
    const { fake } = fixture;
    fake.addMentions(40, 'acme');
    if (engine.kind === 'sqlite') expect(existsSync(fixture.dbPath)).toBe(false);
    else expect(await fixture.storedIds()).toEqual([]);
    // The lock holder's first request waits until every other poll has exited.
    let releaseHolder!: () => void;
    fake.server.inject({ kind: 'hold', until: new Promise<void>((resolve) => (releaseHolder = resolve)) });

    const children = Array.from({ length: 10 }, () => {
      const child = fixture!.startPoll();
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout!.resume();
      return { child, stderr: () => stderr, code: new Promise<number | null>((resolve) => child.on('close', resolve)) };
    });
    const settled = children.map(() => false);
    children.forEach((c, i) => void c.code.then(() => (settled[i] = true)));
    const deadline = Date.now() + 60_000;
    while (settled.filter(Boolean).length < 9 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    releaseHolder();
    const codes = await Promise.all(children.map((c) => c.code));

    const outputs = children.map((c) => c.stderr());
    expect(codes.filter((c) => c === 0), outputs.join('\n')).toHaveLength(1);
    expect(codes.filter((c) => c === 75), outputs.join('\n')).toHaveLength(9);
    for (const [i, code] of codes.entries()) {
      expect(outputs[i]).not.toMatch(/SQLITE_BUSY|database is locked|deadlock|duplicate key|\n\s+at /);
      if (code === 75) {
        expect(outputs[i]!.trim()).toBe('brandwatch: another brandwatch poll is running on this database; this run stopped (exit 75) — cron will try again');
      }
    }
    // Fetched once: each page of the first query group was asked for by one poll only.
    const pages = fake.searchRequests.map((r) => `${r.query.get('query')} ${r.query.get('next_token') ?? ''}`);
    expect(new Set(pages).size).toBe(pages.length);
    expect(sorted(await fixture.storedIds())).toEqual(sorted(fixture.serverIds()));
    await fixture.fake.stop();
    fixture = null;
  });
});

describe('the poll lock follows the real database file', () => {
  it('a poll through a symlink to the same database exits 75 while another poll holds the lock', async () => {
    // The holder's request is held until the second poll has exited: a timeout long enough that a slow start of
    // the second process never turns the wait into a retry that lets the holder finish (and free the lock) first.
    const local = await twitterFixture({ settings: ['queryLengthLimit: 64', 'maxResults: 10', 'timeout: 120s', 'retry: { attempts: 3, baseDelay: 10ms }'] });
    try {
      const { fake } = local;
      fake.addMentions(5, 'acme');
      expect((await local.poll()).code).toBe(0);
      const { symlinkSync } = await import('node:fs');
      const { join } = await import('node:path');
      const link = join(local.dir, 'same.db');
      symlinkSync(local.dbPath, link);
      fake.addMentions(5, 'acme');
      let releaseHolder!: () => void;
      fake.server.inject({ kind: 'hold', until: new Promise<void>((resolve) => (releaseHolder = resolve)) });
      const holder = local.startPoll();
      let holderErr = '';
      holder.stderr!.on('data', (d: Buffer) => (holderErr += d.toString()));
      holder.stdout!.resume();
      const holderCode = new Promise<number | null>((resolve) => holder.on('close', resolve));
      // Wait until the holder's first request is in: it takes the lock before any request.
      const before = fake.server.requests.length;
      const deadline = Date.now() + 20_000;
      while (fake.server.requests.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const { runCli } = await import('../helpers/cli.js');
      const second = await runCli(['--config', join(local.dir, 'config.yml'), '--db', link, 'poll'], { env: local.env });
      releaseHolder();
      expect(await holderCode, holderErr).toBe(0);
      expect(second.code, second.stderr).toBe(75);
      expect(second.stderr.trim()).toBe('brandwatch: another brandwatch poll is running on this database; this run stopped (exit 75) — cron will try again');
      expect(sorted(local.stored())).toEqual(sorted(local.serverIds()));
    } finally {
      await local.fake.stop();
    }
  });
});
