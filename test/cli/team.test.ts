import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { configText } from '../helpers/config.js';
import { tempDir } from '../helpers/cli.js';
import { forEachEngine, queryStore } from '../helpers/engines.js';
import { runInProcess, scriptedPrompter, type InProcessOptions } from '../helpers/run.js';
import { openStore } from '../../src/store/open.js';
import { CLAIM_IDLE, claimHolder, claimItem, releaseClaim, touchClaim } from '../../src/store/team.js';
import { claimReplyAttempt } from '../../src/store/responses.js';
import type { Prompter } from '../../src/io/prompter.js';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const START = '2026-11-06T12:00:00Z';

let dir: string;
let db: string;
const dbPath = () => db;
const run = (args: string[], options: InProcessOptions = {}) => runInProcess(['--config', join(dir, 'config.yml'), '--db', dbPath(), ...args], { now: NOW, ...options });

const rows = <T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> => queryStore<T>(dbPath(), sql, params);

/** The open items in the order triage offers them. */
const queue = async () => (await rows<{ id: number }>("SELECT id FROM mentions WHERE status IN ('new', 'open') AND thread_id IS NULL ORDER BY priority DESC, created_at")).map((r) => r.id);

forEachEngine('team mode', (engine) => {
  // One poll fills a store for the whole file; each test starts from its own copy of it.
  let polled: string;
  beforeAll(async () => {
    dir = tempDir();
    db = engine.kind === 'sqlite' ? join(dir, 'bw.db') : await engine.freshLocation();
    writeFileSync(
      join(dir, 'config.yml'),
      configText({
        brand: 'Fernhill',
        keywords: ['fernhill', '@fernhill_help'],
        ownAccounts: { sample: 'fernhill_help' },
        sources: [{ platform: 'sample', start: START, ratePerHour: 2 }],
        extra: 'sla:\n  sample: 1h\n  default: 24h',
      }),
      { mode: 0o600 },
    );
    expect((await run(['poll', '-q'])).code).toBe(0);
    polled = db;
  });
  beforeEach(async () => {
    db = await engine.copyOf(polled);
  });

  describe('claims: who has an item open in triage', () => {
    it('of two sessions racing for one item on two store handles, exactly one wins; the other learns who', async () => {
      const [kim, lee] = [await openStore(dbPath()), await openStore(dbPath())];
      try {
        const [id] = await queue();
        for (let round = 0; round < 20; round++) {
          const at = NOW + round * 1000;
          const claims = await Promise.all([claimItem(kim.db, id!, 'kim', at), claimItem(lee.db, id!, 'lee', at)]);
          expect(claims.filter((c) => c.ok)).toHaveLength(1);
          const winner = claims[0]!.ok ? 'kim' : 'lee';
          expect(claims.find((c) => !c.ok)).toEqual({ ok: false, holder: winner, activeAt: at });
          expect(await claimHolder(kim.db, id!, at)).toEqual({ person: winner, activeAt: at });
          await releaseClaim(winner === 'kim' ? kim.db : lee.db, id!, winner);
        }
      } finally {
        await kim.close();
        await lee.close();
      }
    });

    it('holds while active, lapses after five idle minutes, and the old holder then learns it lost the item', async () => {
      const store = await openStore(dbPath());
      try {
        const [id] = await queue();
        expect(await claimItem(store.db, id!, 'kim', NOW)).toEqual({ ok: true });
        expect((await claimItem(store.db, id!, 'lee', NOW + CLAIM_IDLE - 1)).ok).toBe(false);
        // Kim keeps working on it: her claim is refreshed.
        expect(await touchClaim(store.db, id!, 'kim', NOW + CLAIM_IDLE - 1)).toBe(true);
        expect((await claimItem(store.db, id!, 'lee', NOW + 2 * CLAIM_IDLE - 2)).ok).toBe(false);
        // Five minutes without a key pressed: Lee may take it, and Kim's next key finds it gone.
        expect(await claimItem(store.db, id!, 'lee', NOW + 2 * CLAIM_IDLE)).toEqual({ ok: true });
        expect(await touchClaim(store.db, id!, 'kim', NOW + 2 * CLAIM_IDLE + 1)).toBe(false);
        // Releasing someone else's claim does nothing.
        await releaseClaim(store.db, id!, 'kim');
        expect(await claimHolder(store.db, id!, NOW + 2 * CLAIM_IDLE + 1)).toMatchObject({ person: 'lee' });
      } finally {
        await store.close();
      }
    });
  });

  describe('the reply outbox with two people', () => {
    it('two people pressing reply on the same mention in the same second: one attempt goes ahead, the other is told it is under way', async () => {
      const [kim, lee] = [await openStore(dbPath()), await openStore(dbPath())];
      try {
        const [id] = await queue();
        const attempt = (text: string, idempotencyKey: string) => ({ mentionId: id!, platform: 'sample', text, now: NOW, idempotencyKey, reuse: null, again: false, force: false });
        const claims = await Promise.all([claimReplyAttempt(kim.db, attempt('Hi, Kim here', 'k')), claimReplyAttempt(lee.db, attempt('Hi, Lee here', 'l'))]);
        expect(claims.filter((c) => c.ok)).toHaveLength(1);
        expect(claims.find((c) => !c.ok)).toMatchObject({ ok: false, reason: 'in-progress', attempt: { state: 'pending' } });
        expect(await rows("SELECT count(*) AS n FROM responses WHERE mention_id = ? AND state = 'pending'", id)).toEqual([{ n: 1 }]);
      } finally {
        await kim.close();
        await lee.close();
      }
    });
  });

  /** A prompter that waits for `release` before answering its first key, then quits: a person looking at an item. */
  function lookingAt(release: Promise<void>, shown: () => void): Prompter {
    const script = scriptedPrompter(['q']);
    return {
      ...script,
      key: async (q) => {
        shown();
        await release;
        return script.key(q);
      },
    };
  }

  describe('two people in triage at once', () => {
    it('the second sees who is on the first item and gets the next one; each change is attributed to its person', async () => {
      const [first, second] = await queue();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let shown!: () => void;
      const kimIsLooking = new Promise<void>((resolve) => (shown = resolve));
      const kim = run(['--as', 'kim', 'triage'], { tty: true, prompter: lookingAt(released, () => shown()) });
      await kimIsLooking;

      const lee = await run(['triage'], { tty: true, env: { BRANDWATCH_AS: 'lee' }, prompter: scriptedPrompter(['d', 'q']) });
      release();
      const kimDone = await kim;
      expect(kimDone.code, kimDone.stderr).toBe(0);
      expect(lee.code, lee.stderr).toBe(0);
      expect(lee.stdout).toContain(`#${first}: kim is on this`);
      expect(lee.stdout).toContain(`#${second} → resolved`);
      // Kim only looked (the item went from new to open under her name); Lee resolved the next one.
      const events = await rows<{ mention_id: number; new_value: string; actor: string }>(
        "SELECT mention_id, new_value, actor FROM events WHERE kind = 'status' AND mention_id IN (?, ?) ORDER BY id",
        first,
        second,
      );
      expect(events).toEqual([
        { mention_id: first, new_value: 'open', actor: 'kim' },
        { mention_id: second, new_value: 'open', actor: 'lee' },
        { mention_id: second, new_value: 'resolved', actor: 'lee' },
      ]);
      // Both sessions let go of their claims when they ended.
      expect(await rows('SELECT * FROM claims')).toEqual([]);
    });

    it.skipIf(engine.kind !== 'sqlite')('an item answered between the queue read and the claim is skipped, and not opened again', async () => {
      const [first, second] = await queue();
      // Kim answers the first item just as Lee's claim on it lands (a trigger puts her reply in that moment).
      const store = await openStore(dbPath());
      await store.db.exec(`CREATE TRIGGER answered_meanwhile AFTER INSERT ON claims WHEN NEW.person = 'lee' AND NEW.mention_id = ${first}
        BEGIN UPDATE mentions SET status = 'replied', first_response_at = ${NOW} WHERE id = NEW.mention_id; END`);
      await store.close();
      const lee = await run(['--as', 'lee', 'triage'], { tty: true, prompter: scriptedPrompter(['d', 'q']) });
      expect(lee.code, lee.stderr).toBe(0);
      expect(lee.stdout).not.toContain(`#${first} `);
      expect(lee.stdout).toContain(`#${second} → resolved`);
      expect(await rows('SELECT status FROM mentions WHERE id = ?', first)).toEqual([{ status: 'replied' }]);
      expect(await rows('SELECT mention_id FROM claims')).toEqual([]);
    });

    it('a claim left by a session that died lapses: after five idle minutes the item is offered again', async () => {
      const [first] = await queue();
      const store = await openStore(dbPath());
      await claimItem(store.db, first!, 'kim', NOW - CLAIM_IDLE - 1);
      await store.close();
      const lee = await run(['--as', 'lee', 'triage'], { tty: true, prompter: scriptedPrompter(['q']) });
      expect(lee.stdout).not.toContain('kim is on this');
      expect(lee.stdout).toContain(`#${first} `);
    });
  });

  describe('assign, list --mine, list --unassigned', () => {
    it('gives an item to a person, lists it for them, takes it back, and records who did it', async () => {
      const [first, second] = await queue();
      const assigned = await run(['--as', 'dana', 'assign', String(first), 'kim']);
      expect(assigned.code, assigned.stderr).toBe(0);
      expect(assigned.stdout.trim()).toBe(`#${first}: assigned to kim`);
      expect((await run(['--as', 'dana', 'assign', String(first), 'kim'])).stdout.trim()).toBe(`#${first} is assigned to kim already`);

      const mine = await run(['--as', 'kim', 'list', '--mine', '--json']);
      expect((JSON.parse(mine.stdout) as { id: number; assignedTo: string }[]).map((m) => [m.id, m.assignedTo])).toEqual([[first, 'kim']]);
      expect(JSON.parse((await run(['list', '--mine', '--json'], { env: { BRANDWATCH_AS: 'lee' } })).stdout)).toEqual([]);
      const unassigned = JSON.parse((await run(['list', '--unassigned', '--json', '--limit', '500'])).stdout) as { id: number }[];
      expect(unassigned.map((m) => m.id)).not.toContain(first);
      expect(unassigned.map((m) => m.id)).toContain(second);

      const moved = await run(['--as', 'dana', '--json', 'assign', String(first), 'lee']);
      expect(JSON.parse(moved.stdout)).toEqual({ id: first, from: 'kim', to: 'lee', changed: true });
      expect((await run(['--as', 'dana', 'assign', String(first), '--none'])).stdout.trim()).toBe(`#${first}: assigned to nobody (was lee)`);
      expect(await rows("SELECT old_value, new_value, actor FROM events WHERE kind = 'assign' ORDER BY id")).toEqual([
        { old_value: null, new_value: 'kim', actor: 'dana' },
        { old_value: 'kim', new_value: 'lee', actor: 'dana' },
        { old_value: 'lee', new_value: null, actor: 'dana' },
      ]);
    });

    it.each([
      [['assign', '1'], /say who takes #1/],
      [['assign', '1', 'kim', '--none'], /a person or --none, not both/],
      [['assign', '999999', 'kim'], /no mention has id 999999/],
      [['assign', 'one', 'kim'], /"one" is not a mention id/],
      [['assign', '1', '  '], /the person is empty/],
      [['assign', '1', 'kim\u001b[2J'], /control characters/],
      [['list', '--mine', '--unassigned'], /--mine and --unassigned exclude each other/],
      [['--as', '', 'list', '--mine'], /--as is empty/],
    ])('%j is refused with exit 2 and a fix', async (args, message) => {
      const result = await run(args as string[]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
    });
  });
});

describe('who is acting', () => {
  it('is --as, else BRANDWATCH_AS, else BRANDWATCH_ACTOR, else the login name', async () => {
    const { personName } = await import('../../src/cli/context.js');
    expect(personName('kim', { BRANDWATCH_AS: 'lee', USER: 'root' })).toBe('kim');
    expect(personName(undefined, { BRANDWATCH_AS: ' lee ', USER: 'root' })).toBe('lee');
    expect(personName(undefined, { BRANDWATCH_ACTOR: 'dana', USER: 'root' })).toBe('dana');
    expect(personName(undefined, { USER: 'root' })).toBe('root');
    expect(personName(undefined, { LOGNAME: 'ops' })).toBe('ops');
    expect(() => personName('x'.repeat(65), {})).toThrow(/longer than 64 characters/);
    expect(() => personName(undefined, { BRANDWATCH_AS: 'kim\u202e' })).toThrow(/BRANDWATCH_AS: the name has control characters/);
  });
});
