import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../src/store/open.js';
import { APPLICATION_ID, migrate, SCHEMA_VERSION, schemaVersion } from '../../src/store/migrate.js';
import { acquirePollLock } from '../../src/store/lock.js';
import { insertMentions, listMentions } from '../../src/store/mentions.js';
import { recordOwnReplies, responsesFor } from '../../src/store/responses.js';
import { eventsFor } from '../../src/store/events.js';
import { addUsage, monthUsage } from '../../src/store/usage.js';
import type { NewMention } from '../../src/sources/types.js';
import { tempDir } from '../helpers/cli.js';
import { engineOf } from '../helpers/engine.js';

function mention(id: string, overrides: Partial<NewMention> = {}): NewMention {
  return {
    platform: 'twitter',
    externalId: id,
    url: null,
    authorHandle: 'someone',
    authorName: null,
    authorId: '1',
    authorFollowers: 10,
    text: `acme ${id}`,
    lang: 'en',
    createdAt: Date.UTC(2026, 10, 20, 12),
    keywords: ['acme'],
    inReplyTo: null,
    conversationId: id,
    summonsBrand: false,
    metrics: { likes: 1, reposts: 0, replies: 0, quotes: 0 },
    ...overrides,
  };
}

describe('store', () => {
  it('migrates a new database to the current schema in WAL mode', async () => {
    const dir = tempDir();
    const store = await openStore(join(dir, 'a.db'));
    expect(await schemaVersion(store.db)).toBe(SCHEMA_VERSION);
    expect(await store.db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    expect(await store.db.get('PRAGMA foreign_keys')).toEqual({ foreign_keys: 1 });
    await store.close();
  });

  it('refuses a database from a newer version and leaves it untouched', async () => {
    const path = join(tempDir(), 'newer.db');
    const db = new Database(path);
    // As a newer brandwatch writes it: marked ours, with a schema this version does not know.
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    db.exec('CREATE TABLE future (x)');
    db.close();
    const before = readFileSync(path);
    await expect(openStore(path)).rejects.toThrow(/written by a newer brandwatch \(schema \d+, this version knows \d+\); upgrade brandwatch/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  it('says so when the file is not SQLite', async () => {
    const path = join(tempDir(), 'notes.db');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(200));
    await expect(openStore(path)).rejects.toThrow(/this file is not a SQLite database/);
    expect(readFileSync(path, 'utf8').startsWith('these are my notes')).toBe(true);
  });

  it('inserts each mention once and refreshes metrics of open ones', async () => {
    const { db } = await openStore(':memory:');
    const tx = (ms: NewMention[]) => db.transaction((t) => insertMentions(t, 'twitter', ms, Date.UTC(2026, 10, 20, 13)));
    expect(await tx([mention('9007199254740993'), mention('9007199254740995')])).toBe(2);
    expect(await tx([mention('9007199254740993', { metrics: { likes: 50, reposts: 3, replies: 2, quotes: 1 } })])).toBe(0);
    const rows = await listMentions(engineOf(db));
    expect(rows.map((r) => r.externalId).sort()).toEqual(['9007199254740993', '9007199254740995']);
    expect(rows.find((r) => r.externalId === '9007199254740993')!.likes).toBe(50);
  });

  it('links native replies to their mention once, with their own time, and logs the status change', async () => {
    const { db } = await openStore(':memory:');
    await insertMentions(engineOf(db), 'twitter', [mention('100')], Date.UTC(2026, 10, 20, 13));
    const reply = { platform: 'twitter', externalId: '200', inReplyTo: '100', text: 'Hi!', createdAt: Date.UTC(2026, 10, 20, 14) };
    expect(await recordOwnReplies(engineOf(db), [reply, { ...reply, externalId: '201', inReplyTo: 'unknown' }])).toBe(1);
    expect(await recordOwnReplies(engineOf(db), [reply])).toBe(0);
    const [stored] = await listMentions(engineOf(db), { statuses: ['replied'] });
    expect(stored!.firstResponseAt).toBe(reply.createdAt);
    expect(await responsesFor(engineOf(db), stored!.id)).toMatchObject([{ via: 'native', state: 'sent', sentAt: reply.createdAt, externalId: '200' }]);
    expect(await eventsFor(engineOf(db), stored!.id)).toMatchObject([{ kind: 'status', oldValue: 'new', newValue: 'replied', actor: 'poll' }]);
    await expect(db.exec('DELETE FROM events')).rejects.toThrow(/append-only/);
  });

  it('counts usage per source and day and projects the month', async () => {
    const { db } = await openStore(':memory:');
    const tenth = Date.UTC(2026, 10, 10, 12);
    await addUsage(engineOf(db), 'twitter', tenth, 3, 250);
    await addUsage(engineOf(db), 'twitter', tenth + 3_600_000, 1, 50);
    await addUsage(engineOf(db), 'twitter', Date.UTC(2026, 9, 31), 9, 999);
    const usage = await monthUsage(engineOf(db), 'twitter', tenth + 3_600_000);
    expect(usage).toMatchObject({ month: '2026-11', requests: 4, postsRead: 300 });
    // 300 posts in 9.54 days of a 30-day month.
    expect(usage.projectedPostsRead).toBe(Math.round(300 * (30 / 9.541666666666666)));
  });

  it('migrates an older database forward without losing rows', async () => {
    const db = new Database(':memory:');
    await migrate(engineOf(db), ':memory:', 1);
    await insertMentions(engineOf(db), 'twitter', [mention('1')], 1);
    await migrate(engineOf(db), ':memory:');
    expect(await schemaVersion(engineOf(db))).toBe(SCHEMA_VERSION);
    expect(await listMentions(engineOf(db))).toHaveLength(1);
  });
});

describe('poll lock', () => {
  it('admits one holder at a time and frees on release', async () => {
    const path = join(tempDir(), 'l.db');
    const [one, two] = [await openStore(path), await openStore(path)];
    const first = await acquirePollLock(one.db);
    await expect(acquirePollLock(two.db)).rejects.toThrow(/another brandwatch poll is running/);
    await first.release();
    const again = await acquirePollLock(two.db);
    await again.release();
    await one.close();
    await two.close();
  });
});
