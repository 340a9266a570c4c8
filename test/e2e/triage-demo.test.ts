import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { DEMO_NOW, sharedDemo } from '../helpers/demo.js';
import { TerminalSession } from '../helpers/terminal.js';

const count = (text: string, needle: string) => text.split(needle).length - 1;

async function waitForCount(session: TerminalSession, needle: string, n: number): Promise<void> {
  const start = Date.now();
  while (count(session.screen, needle) < n) {
    if (/Inbox clear/.test(session.screen)) return;
    if (Date.now() - start > 10_000) throw new Error(`timed out waiting for prompt ${n}; screen:\n${session.screen.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('demo, then triage', () => {
  it('a new user replies to and closes every open mention with keys alone', async () => {
    // The demo's data (a copy of the run's one demo), then triage as a newcomer: only triage acts as "newcomer".
    const { result: demo, dir } = await sharedDemo();
    expect(demo.code, demo.stderr).toBe(0);
    const env = { BRANDWATCH_NOW: DEMO_NOW, BRANDWATCH_ACTOR: 'newcomer' };
    const args = ['--config', join(dir, 'config.yml'), 'triage'];
    const dbPath = join(dir, 'brandwatch.db');
    const open = () => {
      const db = new Database(dbPath, { readonly: true });
      try {
        return (db.prepare("SELECT count(*) AS n FROM mentions WHERE status IN ('new', 'open') AND thread_id IS NULL").get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const before = open();
    expect(before).toBeGreaterThan(10);

    const session = new TerminalSession(args, env);
    try {
      // Rotate through: reply from a template (it fills the composer; Enter is done), take private (with the public step), resolve.
      // A Google Alerts result cannot be answered by API: it is resolved.
      const plans = [['t', '2', 'y'], ['p', 'y'], ['d']];
      for (let i = 0; i < before && !/Inbox clear/.test(session.screen); i++) {
        await waitForCount(session, 'q quit  ? more', i + 1);
        if (/Inbox clear/.test(session.screen)) break;
        const platform = [...session.screen.matchAll(/#\d+ (\w+) · /g)].at(-1)?.[1];
        const keys = platform === 'rss' ? ['d'] : plans[i % plans.length]!;
        const templates = count(session.screen, '[2] thanks');
        const composers = count(session.screen, 'Enter done');
        const sends = count(session.screen, '[y] send');
        const asks = count(session.screen, 'in public first?');
        session.type(keys[0]!);
        if (keys[0] === 'p') {
          // take private: the public "please DM us" is an optional first step; yes.
          await waitForCount(session, 'in public first?', asks + 1);
          session.type('y');
        }
        if (keys[0] === 't') {
          await waitForCount(session, '[2] thanks', templates + 1);
          session.type(keys[1]!);
          await waitForCount(session, 'Enter done', composers + 1);
          session.type('\r');
        }
        if (keys.length > 1) {
          await waitForCount(session, '[y] send', sends + 1);
          session.type('y');
        }
      }
      await session.waitFor(/Inbox clear — \d+ handled this session\./);
      expect(await session.exited).toBe(0);
    } finally {
      session.kill();
    }
    expect(open()).toBe(0);
    const db = new Database(dbPath, { readonly: true });
    const statuses = db.prepare('SELECT status, count(*) AS n FROM mentions WHERE id IN (SELECT mention_id FROM events WHERE actor = ?) GROUP BY status ORDER BY status').all('newcomer') as { status: string; n: number }[];
    const sent = (db.prepare("SELECT count(*) AS n FROM responses WHERE via = 'brandwatch' AND state = 'sent'").get() as { n: number }).n;
    db.close();
    expect(statuses.map((s) => s.status)).toEqual(['private', 'replied', 'resolved']);
    expect(sent).toBeGreaterThan(before / 2 - 2);
  }, 120_000);
});
