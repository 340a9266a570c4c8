import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { insertMentions } from '../../src/store/mentions.js';
import { openStore } from '../../src/store/open.js';
import { openPostgresEngine } from '../../src/store/postgres.js';
import { claimReplyAttempt, recordOwnReplies } from '../../src/store/responses.js';
import { addUsage } from '../../src/store/usage.js';
import { saveCursor } from '../../src/store/cursors.js';
import { changeStatus } from '../../src/store/changes.js';
import { saveAdaptation } from '../../src/store/classifier.js';
import { encodeAdaptation } from '../../src/classifier/adapt.js';
import { tempDir, writeConfig } from '../helpers/cli.js';
import { configText } from '../helpers/config.js';
import { adminQuery, describePostgres, freshDatabase } from '../helpers/postgres.js';
import { runInProcess } from '../helpers/run.js';
import type { NewMention } from '../../src/sources/types.js';

const NOW = Date.UTC(2026, 10, 20, 12);

const mention = (i: number): NewMention => ({
  platform: i % 3 === 0 ? 'mastodon' : 'twitter',
  externalId: String(9_007_199_254_740_993n + BigInt(i)),
  url: `https://x.example/${i}`,
  authorHandle: `user${i % 7}`,
  authorName: i % 2 ? `Üser “${i}”` : null,
  authorId: String(i),
  authorFollowers: i * 13,
  text: `acme thing ${i} — "quoted" 'single' \\ back 😡 ${'x'.repeat(i % 50)}`,
  lang: 'en',
  createdAt: NOW - i * 60_000,
  keywords: i % 2 ? ['acme', '@acme_help'] : ['acme'],
  inReplyTo: null,
  conversationId: String(i % 40),
  summonsBrand: i % 5 === 0,
  metrics: { likes: i, reposts: i % 3, replies: 0, quotes: 0 },
});

/** A SQLite store with rows in every table the poll, triage and replies write. */
async function filledSqlite(): Promise<string> {
  const path = join(tempDir(), 'team.db');
  const store = await openStore(path);
  const db = store.db;
  await db.transaction((tx) => insertMentions(tx, 'twitter', Array.from({ length: 1234 }, (_, i) => mention(i)), NOW, (m) => ({ category: 'complaint', sentiment: -0.25, priority: 42.5, confidence: 0.61, unsure: m.summonsBrand })));
  await recordOwnReplies(db, [{ platform: 'twitter', externalId: 'r1', inReplyTo: String(9_007_199_254_740_993n + 1n), text: 'Hi!', createdAt: NOW }]);
  await claimReplyAttempt(db, { mentionId: 5, platform: 'twitter', text: 'pending one', now: NOW, idempotencyKey: 'k5', reuse: null, again: false, force: false });
  await changeStatus(db, 9, 'ignored', 'kim', NOW + 5);
  await addUsage(db, 'twitter', NOW, 3, 250);
  await saveCursor(db, 'twitter', 'all', { sinceId: '1999999999999999999', next: null }, NOW);
  await db.run('INSERT INTO drafts (mention_id, text, updated_at) VALUES (?, ?, ?)', [12, 'draft ✍️', NOW]);
  await db.run("INSERT INTO alert_state (name, value) VALUES ('metrics_seen_until', ?)", [NOW]);
  // The brand's adaptation is stored as packed bytes (migration 019): a BLOB here, bytea there.
  const adaptation = encodeAdaptation({ version: 1, baseWeightsHash: 'w1', labelsUsed: 30, bias: [0.5, -0.25, 0, 0, 0, 0, 0, 0.125], features: { '17': [1, 0, 0, 0, 0, 0, 0, -1], '40001': [0, 0.5, 0, 0, 0, 0, 0, 0] } });
  await saveAdaptation(db, { weightsHash: 'w1', adaptation, labelsUsed: 30, learntAt: NOW, evaluation: null });
  await store.close();
  return path;
}

describePostgres('migrate-store', () => {
  let path: string;
  beforeAll(async () => {
    path = await filledSqlite();
  });

  it('copies every table with the same ids and values, checks counts and checksums, and leaves the SQLite file as it was', async () => {
    const url = await freshDatabase('copy');
    const before = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    const result = await runInProcess(['--db', path, '--json', 'migrate-store', '--to', url]);
    expect(result.code, result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { rows: number; tables: { table: string; rows: number; checksum: string }[] };
    const byTable = Object.fromEntries(out.tables.map((t) => [t.table, t.rows]));
    expect(byTable).toMatchObject({ mentions: 1234, responses: 2, events: 2, api_usage: 1, cursors: 1, drafts: 1, alert_state: 1, classifier_adaptation: 1 });
    expect(result.stdout + result.stderr).not.toContain(new URL(url).password);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);

    // The same rows, read back through each engine, value for value.
    const sqlite = await openStore(path, { readOnly: true });
    const pg = await openPostgresEngine(url);
    try {
      for (const table of ['mentions', 'responses', 'events', 'api_usage', 'cursors', 'drafts', 'classifier_adaptation']) {
        const order = table === 'api_usage' ? 'source, day' : table === 'cursors' ? 'source, query_key' : table === 'drafts' ? 'mention_id' : 'id';
        expect(await pg.all(`SELECT * FROM ${table} ORDER BY ${order}`), table).toEqual(await sqlite.db.all(`SELECT * FROM ${table} ORDER BY ${order}`));
      }
      // Identities continue after the copied ids.
      const next = await pg.get<{ id: number }>(
        "INSERT INTO events (mention_id, at, kind, new_value, actor) VALUES (1, 1, 'note', 'after the copy', 'kim') RETURNING id",
      );
      expect(next!.id).toBe(3);
    } finally {
      await pg.close();
      await sqlite.close();
    }

    // The copy is a working store: the same report from both.
    const config = writeConfig(tempDir(), configText({ sources: [{ platform: 'sample', start: '2026-11-01T00:00:00Z' }], extra: 'sla: { twitter: 30m, default: 24h }' }));
    const report = async (db: string) => {
      const run = await runInProcess(['--config', config, '--db', db, 'report', '--since', '2026-11-01', '--until', '2026-11-21', '--format', 'json'], { now: NOW });
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout) as Record<string, unknown>;
    };
    const [fromSqlite, fromPostgres] = [await report(path), await report(url)];
    expect(fromPostgres).toEqual(fromSqlite);
  });

  it('refuses a target that already holds rows, or another application\'s tables (exit 2), and changes nothing there', async () => {
    const url = await freshDatabase('full');
    expect((await runInProcess(['--db', path, 'migrate-store', '--to', url])).code).toBe(0);
    const again = await runInProcess(['--db', path, 'migrate-store', '--to', url]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds brandwatch data \(1234 mentions, .*\); migrate-store copies only into an empty database — create a new one/);
    expect((await adminQuery(url, 'SELECT count(*)::int AS n FROM mentions')).rows).toEqual([{ n: 1234 }]);

    const foreign = await freshDatabase('other');
    await adminQuery(foreign, 'CREATE TABLE invoices (id int)');
    const refused = await runInProcess(['--db', path, 'migrate-store', '--to', foreign]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already holds other tables \(invoices\)/);
    expect((await adminQuery(foreign, "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")).rows).toEqual([{ n: 1 }]);
  });

  it('says what to give when --to is not a PostgreSQL URL, or the source is not a SQLite file', async () => {
    const wrong = await runInProcess(['--db', path, 'migrate-store', '--to', '/tmp/other.db']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--to: give the PostgreSQL database to copy into, as postgres:\/\//);
    const url = await freshDatabase('src');
    const fromPg = await runInProcess(['--db', url, 'migrate-store', '--to', url]);
    expect(fromPg.code).toBe(2);
    expect(fromPg.stderr).toMatch(/point --db .* at the SQLite file to copy/);
    expect(fromPg.stderr).not.toContain(new URL(url).password);
  });

  it('never repeats the password of a --db URL, not even in a hint that quotes the command line', async () => {
    const url = await freshDatabase('hint');
    const config = writeConfig(tempDir(), configText({ sources: [{ platform: 'sample', start: '2026-11-01T00:00:00Z' }] }));
    // Tables, no mentions: list suggests the poll to run, with the --db given.
    expect((await runInProcess(['--config', config, '--db', url, 'doctor'])).stdout).not.toContain(new URL(url).password);
    const store = await openStore(url);
    await store.close();
    const list = await runInProcess(['--config', config, '--db', url, 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stderr).toMatch(/run brandwatch --config \S+ --db postgres:\/\/brandwatch_test@127\.0\.0\.1:\d+\/hint_\w+ poll/);
    expect(list.stdout + list.stderr).not.toContain(new URL(url).password);
  });
});
